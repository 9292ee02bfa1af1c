import Characterization
import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// What the theory says before anything is simulated (the Theory article, "The associated
/// matrix and stability", "Settling time" and "The error model"): the
/// mapping, the references, stability, timing and the error budget, for the design at hand.
public struct Prediction: Sendable {
    public let mapping: Mapping
    public let references: CircuitReferences
    /// The first-order verdict from M = D^-1 G0 A.
    public let stability: StabilityAnalysis
    /// INV at behavioural fidelity: the poles with the inverters' own bandwidth (a stricter
    /// check of the loop that is actually simulated); nil otherwise.
    public let loopPoles: LoopPoles?
    /// The G_in / G0 that would make an unstable INV mapping stable.
    public let fix: StabilityFix?
    public let conditionNumber: Double
    public let budget: ErrorBudget
    public let gainBandwidthHertz: Double
    /// The inverters' closed-loop bandwidth, Hz (GBW of their op-amp / 2).
    public let inverterBandwidthHertz: Double
    public let settlingBits: Int
    /// tau of the slowest mode in seconds (growth of the dominant mode for EIG); nil when unstable.
    public let timeConstantSeconds: Double?
    /// Settling to `settlingBits` bits, tau ln 2^bits; nil when unstable.
    public let settlingSeconds: Double?
    /// Transistor level: what the devices add to the error budget; nil otherwise.
    public let deviceErrors: DeviceErrors?
    /// EIG: the time for the kick to grow into half the swing, ln(swing / 2 / kick) over the
    /// growth rate -lambda_min(M) 2 pi GBW; nil otherwise or when nothing grows.
    public let growthSeconds: Double?

    /// - Parameters:
    ///   - mapping: the problem as mapped onto hardware.
    ///   - design: the circuit's parameters (op-amp gain and GBW, inverters, fidelity).
    ///   - settlingBits: the bits the settling time is predicted to.
    ///   - wrongPolarity: GINV only: predict the second stage wired on its inverting inputs.
    ///   - transistor: transistor level, the technology and cells (the switch on-resistance).
    ///   - outputStageAmperes: transistor level, the current the OTA's output stage
    ///     carries (the sized OTA's m7), which bounds the column currents.
    public init(mapping: Mapping, design: DesignParameters, settlingBits: Int, wrongPolarity: Bool = false,
                transistor: TransistorDesign? = nil, outputStageAmperes: Double? = nil) throws(MappingError) {
        self.mapping = mapping
        let singularValues: [Double]
        do { singularValues = try mapping.problem.matrix.singularValues() } catch { throw .linearAlgebra(error) }
        try mapping.problem.requireInvertible(singularValues: singularValues)
        if design.fidelity == .transistor {
            deviceErrors = DeviceErrors(mapping: mapping, offsetVolts: design.opAmp.inputOffsetVolts,
                                        onResistanceFraction: transistor?.cell.onResistanceFraction ?? 0,
                                        inverterOhms: design.inverterResistanceOhms, outputStageAmperes: outputStageAmperes)
        } else {
            deviceErrors = nil
        }
        references = try mapping.references(openLoopGain: design.openLoopGain, inverterGain: design.inverterGain)
        stability = try mapping.stability(wrongPolarity: wrongPolarity)
        let gbw = design.opAmp.gainBandwidthHertz
        gainBandwidthHertz = gbw
        inverterBandwidthHertz = design.inverterBandwidthRatio * gbw
        self.settlingBits = settlingBits
        if mapping.operation == .inv, design.fidelity != .ideal {
            loopPoles = mapping.loopPoles(openLoopGain: design.openLoopGain, inverterBandwidthRatio: design.inverterBandwidthRatio)
        } else {
            loopPoles = nil
        }
        conditionNumber = Matrix.conditionNumber(singularValues: singularValues)
        budget = try ErrorBudget(mapping: mapping, stability: stability, singularValues: singularValues,
                                 ideal: references.ideal, openLoopGain: design.openLoopGain)
        if let poles = loopPoles {
            timeConstantSeconds = poles.timeConstantSeconds(gainBandwidthHertz: gbw)
        } else {
            timeConstantSeconds = stability.timeConstantSeconds(gainBandwidthHertz: gbw)
        }
        settlingSeconds = timeConstantSeconds.map { $0 * Double(settlingBits) * log(2.0) }
        if mapping.operation == .eig, let fastest = stability.eigenvalues.first?.real, fastest < 0 {
            let kickVolts = (design.kickAmperes.map { $0 / (mapping.feedbackConductanceSiemens ?? mapping.unitConductanceSiemens) }) ?? 1e-3
            let ratio = max(mapping.parameters.opAmpSwingVolts / 2 / kickVolts, 2)
            growthSeconds = log(ratio) / (-fastest * 2 * Double.pi * gbw)
        } else {
            growthSeconds = nil
        }
        if stability.isStable && (loopPoles?.isStable ?? true) {
            fix = nil
        } else if loopPoles != nil, stability.isStable {
            fix = mapping.stabilisingInputConductanceWithInverters(openLoopGain: design.openLoopGain,
                                                                   inverterBandwidthRatio: design.inverterBandwidthRatio)
        } else {
            fix = mapping.stabilisingInputConductance()
        }
    }

    /// The verdict the pipeline acts on: the loop poles when they model the simulated
    /// circuit more closely, else M.
    public var isStable: Bool { stability.isStable && (loopPoles?.isStable ?? true) }

    /// The most negative real part that makes the loop unstable, for the time scale of a
    /// forced run: from M (in units of 2 pi GBW).
    var instabilityRate: Double {
        if let poles = loopPoles, !poles.isStable { return max(-poles.slowestRate, 1e-3) }
        let worst = stability.eigenvalues.map(\.real).min() ?? 0
        return max(abs(worst), 1e-3)
    }

    /// The sentence with which an unstable mapping is refused.
    public var refusal: String {
        let what: String
        if !stability.isStable {
            let lambda = String(format: "%.4g", stability.minRealEigenvalue)
            if mapping.operation == .eig {
                what = "eig loop is not selective: \(stability.summary)"
            } else {
                what = "unstable loop: eig(D^-1 G) has Re = \(lambda)"
            }
        } else {
            let rate = String(format: "%.4g", -(loopPoles?.slowestRate ?? 0))
            what = "unstable loop: with the inverters' own pole (bandwidth \(String(format: "%.3g", inverterBandwidthHertz)) Hz) a loop pole has Re = \(rate) x 2 pi GBW"
        }
        let advice: String
        if let fix {
            advice = "raise G_in: design.gin-ratio \(String(format: "%g", fix.suggestedRatio)) makes it stable (boundary \(String(format: "%.3g", fix.thresholdRatio)) G0)"
        } else if mapping.operation == .inv {
            // Say whose eigenvalue it is: A's own, or only the programmed (quantised) matrix's.
            let ownMinimum = (try? mapping.problem.matrix.eigenvalues())?.map(\.real).min()
            if let ownMinimum, ownMinimum > 0 {
                advice = "no G_in makes it stable: A's eigenvalues have positive real parts, but the matrix as quantised to the cells has one at or below zero; raise design.bits or precondition the matrix"
            } else {
                advice = "no G_in makes it stable (an eigenvalue of A has a non-positive real part); precondition the matrix"
            }
        } else if mapping.operation == .ginv {
            advice = "wire the second stage on its non-inverting inputs"
        } else {
            advice = "precondition or rescale the problem"
        }
        return "\(what); \(advice); policy.force simulates it anyway"
    }
}

/// The first-order errors the devices of a transistor-level design add (the Theory article,
/// "The error model").
public struct DeviceErrors: Sendable, Hashable {
    /// Switch on-resistance: the resistors are shortened by the estimated R_on, and what is
    /// left (body effect, R_on's voltage dependence) is at most the R_on fraction f of every
    /// cell: a relative error of at most f.
    public let switchResistance: Double
    /// Input offset Vos: it acts as an input current D Vos, so V moves by (G0 Q)^-1 D Vos
    /// (INV, exactly to first order); elsewhere |Vos| times the noise gain over the output.
    public let offset: Double
    /// The largest current an op-amp output must deliver into the array (and an inverter's
    /// input resistor) at the expected outputs, amperes.
    public let requiredOutputAmperes: Double
    /// What the OTA's class-A output stage can sink: its second-stage bias current, amperes.
    public let availableOutputAmperes: Double?
    public var combined: Double { switchResistance + offset }

    init(mapping: Mapping, offsetVolts vos: Double, onResistanceFraction f: Double, inverterOhms: Double,
         outputStageAmperes: Double?) {
        switchResistance = f
        // Column j carries the cells of column j in both arrays: sum_i |G_ij| |V_j|.
        let columnLevels = mapping.levels.absoluteColumnSums
        let v = mapping.expectedOutputVolts
        var worst = 0.0
        for j in 0..<min(columnLevels.count, v.count) {
            let column = columnLevels[j] * mapping.unitConductanceSiemens
            worst = max(worst, abs(v[j]) * (column + 1 / inverterOhms))
        }
        requiredOutputAmperes = worst
        availableOutputAmperes = outputStageAmperes
        let q = mapping.levels
        let expected = mapping.expectedOutputVolts.norm2
        let r = mapping.inputConductanceRatio ?? 0
        let g = mapping.feedbackConductanceRatio ?? 1
        if mapping.operation == .inv, let shift = try? q.solve(q.absoluteRowSums.map { ($0 + r) * vos }), expected > 0 {
            offset = shift.norm2 / expected
        } else {
            let noiseGain = 1 + (q.absoluteRowSums.max() ?? 0) / g
            offset = expected > 0 ? abs(vos) * noiseGain * Double(q.rows).squareRoot() / expected : 0
        }
    }
}
