import Characterization
import Reports
import Specification
import Circuits
import Foundation
import Ngspice
import CircuitTheory
import Reference

/// One pass/fail check, a JUnit test case in the report.
public struct Check: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable { case passed, failed, skipped }
    public var name: String
    public var status: Status
    /// What was compared: the inequality, observed and expected values, the tolerance.
    public var detail: String

    public init(_ name: String, _ status: Status, _ detail: String) {
        self.name = name; self.status = status; self.detail = detail
    }
}

/// What the simulation showed against what the theory predicted.
public struct Verdict: Sendable {
    public var problem: Problem
    public var options: SolveSpecification
    public var prediction: Prediction
    public var design: CircuitDesign
    /// The answer after the ADC, in the problem's units.
    public var solution: [Double]
    /// The op-amp output volts before the ADC.
    public var outputVolts: [Double]
    /// The answer from the output volts without the ADC, in the problem's units.
    public var analogueSolution: [Double]
    /// Outputs beyond the ADC's full scale (0-based indices).
    public var clippedOutputs: [Int]
    public var metricsIdeal: Metrics
    public var metricsQuantised: Metrics
    public var metricsFiniteGain: Metrics
    /// The simulated analogue answer against the finite-gain circuit reference.
    public var circuitAgreement: Metrics
    /// A digital solver at the same precision: the quantised matrix solved exactly on the
    /// DAC's quantised inputs, its outputs through the same ADC; against the ideal answer.
    public var equivalentPrecision: Metrics
    /// That solver's answer, in the problem's units.
    public var equivalentSolution: [Double]
    /// The bits the circuit loses against it: its equivalent bits minus the circuit's.
    public var analoguePenaltyBits: Double { equivalentPrecision.equivalentBits - metricsIdeal.equivalentBits }
    public var toleranceBits: Double
    public var transientOutcome: TransientOutcome?
    public var measuredSettlingSeconds: Double?
    /// The transient's timing, for `.tran`.
    public var window: TransientWindow?
    /// Energy and latency at transistor level (from the supply current of a transient).
    public var energy: EnergyReport?
    /// The simulated ADCs' codes, when converters are simulated.
    public var adc: ADCReadout?
    public var simulation: SimulationSummary
    public var checks: [Check]
    /// Where the time went.
    public var timings = StageTimings()
    /// The output waveforms of a `.tran` run when `AnalysisPlan.keepWaveforms` is set.
    public var waveforms: OutputWaveforms? = nil
    /// `--sram full`: the latch states read back after the write phase.
    public var sramReadback: SRAMReadback? = nil
    /// The error by source, when asked for (`plan.attribution`); empty otherwise.
    public var attribution: [AttributionTerm] = []
    /// The error the attribution explains: |solution - ideal| / |ideal|.
    public var attributedTotal: Double { metricsIdeal.relativeError }

    public var passed: Bool { !checks.contains { $0.status == .failed } }
}

/// The simulated output voltages over time, for plots: one wave per output node.
public struct OutputWaveforms: Sendable, Hashable {
    /// Seconds, ascending.
    public var time: [Double]
    /// The output nodes, in the order of the solution's entries.
    public var nodes: [String]
    /// Volts about the reference, `values[k][t]` for node k at `time[t]`.
    public var values: [[Double]]
    /// When the inputs reached their values (INV, MVM, GINV) or the kick started (EIG): the
    /// time from which settling (or growth) is measured and predicted, seconds.
    public var start: Double

    public init(time: [Double], nodes: [String], values: [[Double]], start: Double) {
        self.time = time; self.nodes = nodes; self.values = values; self.start = start
    }
}

/// The engine facts a report states.
public struct SimulationSummary: Sendable, Hashable, Codable {
    public var ngspiceVersion: String
    public var solver: String
    public var loadSeconds: Double
    public var runSeconds: Double
    public var timepoints: Int
    public var warnings: [String]
    public var seconds: Double { loadSeconds + runSeconds }
}

/// The pass criterion and its default.
public enum Tolerance {
    /// Default bits: -log2 of twice the first-order error budget (finite gain, quantisation,
    /// DAC and ADC, the Theory article, "The error model"; switch resistance and offset at
    /// transistor level),
    /// plus the settling residue 2^-bits for transients,
    /// rounded down to a tenth of a bit and kept within [1, 52]. Twice, because every term is
    /// a first-order estimate.
    public static func defaultBits(budget: ErrorBudget, analysis: AnalysisKind, settlingBits: Int,
                                   devices: DeviceErrors? = nil) -> Double {
        var bound = budget.combined + (devices?.combined ?? 0)
        if analysis == .tran { bound += pow(2, -Double(settlingBits)) }
        guard bound.isFinite, bound > 0 else { return 1 }
        let bits = (-log2(2 * bound) * 10).rounded(.down) / 10
        return min(max(bits, 1), 52)
    }

    /// The bits a verdict is held to: the user's, else the default for its prediction.
    static func bits(_ options: SolveSpecification, _ prediction: Prediction) -> Double {
        options.policy.toleranceBits ?? defaultBits(budget: prediction.budget, analysis: options.plan.analysis,
                                             settlingBits: options.bitsForSettling, devices: prediction.deviceErrors)
    }

    /// Transistor level: the settling residue 2^-bits of a transient (0 for `.op`) and the
    /// limit on the difference from the finite-gain reference, twice the devices' first-order
    /// terms plus that residue.
    static func agreementLimit(_ devices: DeviceErrors, _ options: SolveSpecification) -> (settling: Double, limit: Double) {
        let settling = options.plan.analysis == .tran ? pow(2, -Double(options.bitsForSettling)) : 0
        return (settling, 2 * (devices.combined + settling))
    }
}
