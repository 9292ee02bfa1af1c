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
    ///   - measuredCell: transistor level, the cell as simulated (every code's conductance),
    ///     whose levels make the switch term; nil: the R_on fraction the switches are sized for.
    public init(mapping: Mapping, design: DesignParameters, settlingBits: Int, wrongPolarity: Bool = false,
                transistor: TransistorDesign? = nil, outputStageAmperes: Double? = nil,
                measuredCell: CellMeasurement? = nil) throws(MappingError) {
        self.mapping = mapping
        let singularValues: [Double]
        do { singularValues = try mapping.problem.matrix.singularValues() } catch { throw .linearAlgebra(error) }
        try mapping.problem.requireInvertible(singularValues: singularValues)
        if design.fidelity == .transistor {
            deviceErrors = DeviceErrors(mapping: mapping, offsetVolts: design.opAmp.inputOffsetVolts,
                                        onResistanceFraction: transistor?.cell.onResistanceFraction ?? 0, measuredCell: measuredCell,
                                        wireOhms: design.wires.resistanceOhms, openLoopGain: design.openLoopGain,
                                        inverterGain: design.inverterGain, inverterOhms: design.inverterResistanceOhms,
                                        outputStageAmperes: outputStageAmperes)
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
/// "The error model"), each a relative difference of the op-amp outputs from the finite-gain
/// reference.
public struct DeviceErrors: Sendable, Hashable {
    /// Switches: the finite-gain circuit with its cells as measured (each level's conductance
    /// at the operating point, through its switches' on-conductance, and the leakage of the
    /// cells that store nothing) against the same circuit with the programmed levels. Without
    /// a measurement (`generate`), the R_on fraction f the switches are sized for: the
    /// resistors are shortened by the estimated R_on, and what is left is at most f.
    public let switchResistance: Double
    /// Whether ``switchResistance`` comes from the cells as measured.
    public let switchMeasured: Bool
    /// Wires: the finite-gain circuit with every cell's drive lowered by the IR drop its row
    /// and column lines would carry with every drive at full swing (R per segment times the
    /// conductance beyond each segment, summed along both lines): a first-order bound from the
    /// netlist; 0 without wire resistance.
    public let wires: Double
    /// Input offset Vos: it acts as an input current D Vos, so V moves by (G0 Q)^-1 D Vos
    /// (INV, exactly to first order); elsewhere |Vos| times the noise gain over the output.
    public let offset: Double
    /// The largest current an op-amp output must deliver into the array (and an inverter's
    /// input resistor) at the expected outputs, amperes.
    public let requiredOutputAmperes: Double
    /// What the OTA's class-A output stage can sink: its second-stage bias current, amperes.
    public let availableOutputAmperes: Double?
    public var combined: Double { switchResistance + wires + offset }

    init(mapping: Mapping, offsetVolts vos: Double, onResistanceFraction f: Double, measuredCell: CellMeasurement? = nil,
         wireOhms: Double = 0, openLoopGain a0: Double = .infinity, inverterGain kappa: Double = 1, inverterOhms: Double,
         outputStageAmperes: Double?) {
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
        let planes = (positive: q.positivePart, negative: q.negativePart)
        let reference = measuredCell == nil && wireOhms <= 0 ? nil
            : try? mapping.finiteGainOutputVolts(positive: planes.positive, negative: planes.negative, openLoopGain: a0, inverterGain: kappa)
        func difference(_ positive: Matrix, _ negative: Matrix) -> Double? {
            guard let reference, let volts = try? mapping.finiteGainOutputVolts(positive: positive, negative: negative,
                                                                                openLoopGain: a0, inverterGain: kappa) else { return nil }
            return Self.relativeDifference(volts, reference, signFree: mapping.operation == .eig)
        }
        if let cell = measuredCell, let measured = difference(
            Self.conducting(q, cell, unitSiemens: mapping.unitConductanceSiemens, plane: .positive, sign: mapping.parameters.cell.sign),
            Self.conducting(q, cell, unitSiemens: mapping.unitConductanceSiemens, plane: .negative, sign: mapping.parameters.cell.sign)) {
            switchResistance = measured
            switchMeasured = true
        } else {
            switchResistance = f
            switchMeasured = false
        }
        if wireOhms > 0 {
            let siemens = mapping.unitConductanceSiemens
            let drop = Self.lineDrops(planes, ohms: wireOhms, unitSiemens: siemens, sign: mapping.parameters.cell.sign)
            let lowered = (Matrix(rows: q.rows, columns: q.columns) { i, j in planes.positive[i, j] * max(0, 1 - drop.positive[i, j]) },
                           Matrix(rows: q.rows, columns: q.columns) { i, j in planes.negative[i, j] * max(0, 1 - drop.negative[i, j]) })
            wires = difference(lowered.0, lowered.1) ?? drop.positive.storage.max() ?? 0
        } else {
            wires = 0
        }
    }

    enum Plane { case positive, negative }

    /// What the cells on one plane conduct, in units of G0: a site storing level k conducts
    /// the measured level of code |k| on the plane of its sign; a site that stores nothing on
    /// a plane still leaks code 0's conductance there (two arrays), or onto the V line (sign bit).
    static func conducting(_ q: Matrix, _ cell: CellMeasurement, unitSiemens: Double, plane: Plane, sign: SignScheme) -> Matrix {
        let levels = cell.levelSiemens.map { $0 / unitSiemens }
        let off = levels.first ?? 0
        return Matrix(rows: q.rows, columns: q.columns) { i, j in
            let level = q[i, j]
            let code = min(Int(abs(level).rounded()), levels.count - 1)
            let mine = plane == .positive ? level > 0 : level < 0
            if mine { return levels[code] }
            switch sign {
            case .twoArrays: return off
            case .signBit: return plane == .positive && level == 0 ? off : 0
            }
        }
    }

    /// The IR drop at each site as a fraction of its drive, with every drive at full swing:
    /// along its row (summing line, op-amp end first) the current of every cell beyond each
    /// segment, and along its column (drive line, driver end first) likewise; per plane (the
    /// sign-bit array's planes share their row lines).
    static func lineDrops(_ planes: (positive: Matrix, negative: Matrix), ohms: Double, unitSiemens: Double,
                          sign: SignScheme) -> (positive: Matrix, negative: Matrix) {
        let rows = planes.positive.rows, columns = planes.positive.columns
        func drops(_ own: Matrix, rowLines: Matrix) -> Matrix {
            var out = Matrix(rows: rows, columns: columns)
            for s in 0..<rows {
                // Segment k of row s carries the cells at d >= k; node d sees segments 0 ... d.
                var beyond = (0..<columns).map { rowLines[s, $0] }
                for d in stride(from: columns - 2, through: 0, by: -1) { beyond[d] += beyond[d + 1] }
                var along = 0.0
                for d in 0..<columns { along += beyond[d]; out[s, d] = along }
            }
            for d in 0..<columns {
                var beyond = (0..<rows).map { own[$0, d] }
                for s in stride(from: rows - 2, through: 0, by: -1) { beyond[s] += beyond[s + 1] }
                var along = 0.0
                for s in 0..<rows { along += beyond[s]; out[s, d] += along }
            }
            return Matrix(rows: rows, columns: columns) { i, j in out[i, j] * ohms * unitSiemens }
        }
        switch sign {
        case .twoArrays:
            return (drops(planes.positive, rowLines: planes.positive), drops(planes.negative, rowLines: planes.negative))
        case .signBit:
            let shared = planes.positive + planes.negative
            return (drops(planes.positive, rowLines: shared), drops(planes.negative, rowLines: shared))
        }
    }

    /// |a - b| / |b| in the 2-norm; `signFree`: against b or -b, whichever is nearer (EIG's
    /// direction has no sign).
    static func relativeDifference(_ a: [Double], _ b: [Double], signFree: Bool) -> Double {
        let norm = b.norm2
        guard norm > 0, a.count == b.count else { return 0 }
        let minus = zip(a, b).map { $0 - $1 }.norm2
        let plus = zip(a, b).map { $0 + $1 }.norm2
        return (signFree ? min(minus, plus) : minus) / norm
    }
}
