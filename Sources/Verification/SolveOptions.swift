import Circuits
import CircuitTheory
import Reference

/// Which analysis verifies the circuit.
public enum AnalysisKind: String, CaseIterable, Sendable, Hashable, Codable {
    /// The DC operating point: what the circuit settles to.
    case op
    /// A transient from a step of the inputs: stability, settling time and the settled answer.
    case tran
}

/// Everything a solve needs besides the problem.
public struct SolveOptions: Sendable {
    public var mapping: MappingParameters
    public var design: DesignParameters
    public var analysis: AnalysisKind
    /// `.nodeset` from the mapping's expected voltages, a convergence aid for `.op`.
    public var useNodeset: Bool
    /// Pass when the answer has at least this many equivalent bits against the ideal
    /// solution; nil derives it from the error model (see `Tolerance`).
    public var toleranceBits: Double?
    /// Simulate even when the analysis predicts an unstable loop.
    public var force: Bool
    /// Settling is measured (and predicted) to this many bits; nil: the ADC's bits, or 8.
    public var settlingBits: Int?
    /// Wall-clock limit for the simulation, seconds.
    public var timeLimit: Double?
    /// Transient stop time, seconds; nil: from the predicted settling time with margin.
    public var stopTime: Double?
    /// The technology and cells of a transistor-level design (fidelity `.transistor`).
    public var transistor: TransistorDesign?
    /// Transistor level: lower G0 (never raise it) until the largest column current is half of
    /// what the OTA's output stage carries, rounded down to a 1-2-5 step; for when the user
    /// gave no G0.
    public var fitUnitConductance = false
    /// The loop OTA as characterised; `Verifier.solve` measures it (once per technology in a
    /// process) and the predictions use it. Without it the sizing prediction stands in.
    /// Set through ``adopt(_:)``, which keeps the op-amp parameters in step.
    public private(set) var measuredOpAmp: OTAMeasurement?

    /// Makes the measured OTA the loop op-amp of the predictions and references.
    public mutating func adopt(_ measured: OTAMeasurement) {
        measuredOpAmp = measured
        design.opAmp.dcGain = measured.dcGain
        design.opAmp.gainBandwidthHertz = measured.gainBandwidthHertz
        design.opAmp.inputOffsetVolts = measured.offsetVolts
    }
    /// The digital baseline's energy per floating-point operation, joules. Default 1 pJ, an
    /// optimistic figure for the digital side (it leaves out memory traffic).
    public var joulesPerFlop: Double = 1e-12
    /// `.tran` only: keep the output waveforms in ``Verdict/waveforms`` (for plots). Default
    /// false: a verdict then holds only the settled values.
    public var keepWaveforms: Bool = false

    public init(mapping: MappingParameters = MappingParameters(), design: DesignParameters = DesignParameters(),
                analysis: AnalysisKind = .op, useNodeset: Bool = true, toleranceBits: Double? = nil,
                force: Bool = false, settlingBits: Int? = nil, timeLimit: Double? = nil, stopTime: Double? = nil,
                keepWaveforms: Bool = false) {
        self.mapping = mapping
        self.design = design
        self.analysis = analysis
        self.useNodeset = useNodeset
        self.toleranceBits = toleranceBits
        self.force = force
        self.settlingBits = settlingBits
        self.timeLimit = timeLimit
        self.stopTime = stopTime
        self.keepWaveforms = keepWaveforms
    }

    /// The bits settling is judged to.
    public var bitsForSettling: Int { settlingBits ?? mapping.adc.bits ?? 8 }
}
