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

/// Everything a solve needs besides the problem: the one description of a design that every
/// front end (the command line, sweep files, workloads) builds through ``Knob/table`` and
/// ``SolveSpecification/resolve(_:operation:environment:)``.
public struct SolveSpecification: Sendable {
    /// What is built: the mapping onto hardware, the circuit, its technology and conditions.
    public var design: DesignSpecification
    /// How it is simulated and read.
    public var plan: AnalysisPlan
    /// How long the engine may take.
    public var limits: RunLimits
    /// When the answer passes, and what it is compared with.
    public var policy: VerdictPolicy

    public init(design: DesignSpecification = DesignSpecification(), plan: AnalysisPlan = AnalysisPlan(),
                limits: RunLimits = RunLimits(), policy: VerdictPolicy = VerdictPolicy()) {
        self.design = design
        self.plan = plan
        self.limits = limits
        self.policy = policy
    }

    /// The bits settling is judged to: the plan's, else the ADC's, else 8.
    public var bitsForSettling: Int { plan.settlingBits ?? design.mapping.adc.bits ?? 8 }
}

/// The circuit to build.
public struct DesignSpecification: Sendable {
    public var mapping: MappingParameters
    public var circuit: DesignParameters
    /// The technology and cells of a transistor-level design (fidelity `.transistor`).
    public var transistor: TransistorDesign?
    /// `generic` or `sky130` when the design is on a technology: at transistor level the
    /// circuit's own, at behavioural fidelity the Miller OTA characterised at ``conditions``
    /// stands in for the single-pole op-amp. nil: no technology.
    public var technologyName: String?
    /// A designer's model library on top of the technology (`design.technology FILE[:section]`):
    /// its section is the corner.
    public var userLibrary: UserLibrary?
    /// Corner, temperature and supply of the technology.
    public var conditions: OperatingConditions
    /// The statistical models of a Monte Carlo run (sweeps); nominal by default.
    public var variation: VariationParameters
    /// Device mismatch through the technology's own statistical models (sweeps).
    public var mismatch: Bool
    /// Transistor level: lower G0 (never raise it) until the largest column current is half of
    /// what the OTA's output stage carries, rounded down to a 1-2-5 step; for when no G0 was
    /// given.
    public var fitUnitConductance: Bool
    /// The loop OTA as characterised; the pipeline measures it (once per technology in a
    /// process) and the predictions use it. Without it the sizing prediction stands in.
    /// Set through ``adopt(_:)``, which keeps the op-amp parameters in step.
    public private(set) var measuredOpAmp: OTAMeasurement?
    /// A designer's cell as characterised (`design.cell`): its measured step is G0. Set
    /// through ``adopt(cell:)``.
    public private(set) var measuredCell: CellMeasurement?
    /// The cell as the array lays it (Crossloop's, or a designer's with Crossloop's sign
    /// switches), measured at the G0 the mapping chose: its levels make the switch term of the
    /// error model. Set through ``record(cellAsLaid:)``.
    public private(set) var cellAsLaid: CellMeasurement?
    /// A designer's DAC as characterised (`design.dac`). Set through ``adopt(dac:)``.
    public private(set) var measuredDAC: UserDACMeasurement?
    /// A designer's ADC as characterised (`design.adc`). Set through ``adopt(adc:)``.
    public private(set) var measuredADC: UserADCMeasurement?

    public init(mapping: MappingParameters = MappingParameters(), circuit: DesignParameters = DesignParameters(),
                transistor: TransistorDesign? = nil, technologyName: String? = nil,
                conditions: OperatingConditions = .nominal, variation: VariationParameters = VariationParameters(),
                mismatch: Bool = false, fitUnitConductance: Bool = false) {
        self.mapping = mapping
        self.circuit = circuit
        self.transistor = transistor
        self.technologyName = technologyName
        self.conditions = conditions
        self.variation = variation
        self.mismatch = mismatch
        self.fitUnitConductance = fitUnitConductance
    }

    /// Makes the measured OTA the loop op-amp of the predictions and references.
    public mutating func adopt(_ measured: OTAMeasurement) {
        measuredOpAmp = measured
        circuit.opAmp.dcGain = measured.dcGain
        circuit.opAmp.gainBandwidthHertz = measured.gainBandwidthHertz
        circuit.opAmp.inputOffsetVolts = measured.offsetVolts
    }

    /// Makes the measured cell's step the unit conductance.
    public mutating func adopt(cell measured: CellMeasurement) {
        measuredCell = measured
        mapping.unitConductanceSiemens = measured.unitSiemens
        fitUnitConductance = false
    }

    /// Keeps the cell as laid and measured at the design's G0: its levels make the switch term.
    public mutating func record(cellAsLaid measured: CellMeasurement) {
        cellAsLaid = measured
    }

    /// Makes the measured DAC's output resistance the one the input resistors allow for.
    public mutating func adopt(dac measured: UserDACMeasurement) {
        measuredDAC = measured
        transistor?.dacOutputOhms = measured.outputResistanceOhms
    }

    /// Keeps the measured ADC for the verdict's check of its transitions.
    public mutating func adopt(adc measured: UserADCMeasurement) {
        measuredADC = measured
    }
}

/// The analysis and what is kept of it.
public struct AnalysisPlan: Sendable, Hashable {
    public var analysis: AnalysisKind
    /// `.nodeset` from the mapping's expected voltages, a convergence aid for `.op`.
    public var useNodeset: Bool
    /// Settling is measured (and predicted) to this many bits; nil: the ADC's bits, or 8.
    public var settlingBits: Int?
    /// Transient stop time, seconds; nil: from the predicted settling time with margin.
    public var stopTime: Double?
    /// `.tran` only: keep the output waveforms in the verdict (for plots). Default false: a
    /// verdict then holds only the settled values.
    public var keepWaveforms: Bool
    /// Attribute the error to its sources: exactly where that is exact (quantisation, DAC,
    /// ADC, finite gain), otherwise by re-simulating with one source made ideal (one run per
    /// source the design holds). Default false.
    public var attribution: Bool = false

    public init(analysis: AnalysisKind = .op, useNodeset: Bool = true, settlingBits: Int? = nil,
                stopTime: Double? = nil, keepWaveforms: Bool = false) {
        self.analysis = analysis
        self.useNodeset = useNodeset
        self.settlingBits = settlingBits
        self.stopTime = stopTime
        self.keepWaveforms = keepWaveforms
    }
}

/// What the engine may spend on one run.
public struct RunLimits: Sendable, Hashable {
    /// Wall-clock limit for the simulation, seconds; nil: none.
    public var timeLimitSeconds: Double?

    public init(timeLimitSeconds: Double? = nil) { self.timeLimitSeconds = timeLimitSeconds }
}

/// When a solve passes and what its cost is compared with.
public struct VerdictPolicy: Sendable, Hashable {
    /// Pass when the answer has at least this many equivalent bits against the ideal
    /// solution; nil derives it from the error model.
    public var toleranceBits: Double?
    /// Pass only when the circuit loses at most this many equivalent bits against a digital
    /// solver at the same precision (the same quantised cells, DAC and ADC). Default 1.
    public var maxPenaltyBits: Double
    /// Simulate even when the analysis predicts an unstable loop.
    public var force: Bool
    /// The digital baseline's energy per floating-point operation, joules. Default 1 pJ, an
    /// optimistic figure for the digital side (it leaves out memory traffic).
    public var joulesPerFlop: Double
    /// What the simulated circuit has that the design of the references does not (a sweep
    /// run's variation, conditions or mismatch around its nominal design); the agreement with
    /// the circuit reference is then not judged. nil: the references model the circuit.
    public var variedFromReference: String?

    public init(toleranceBits: Double? = nil, maxPenaltyBits: Double = 1, force: Bool = false, joulesPerFlop: Double = 1e-12,
                variedFromReference: String? = nil) {
        self.toleranceBits = toleranceBits
        self.maxPenaltyBits = maxPenaltyBits
        self.force = force
        self.joulesPerFlop = joulesPerFlop
        self.variedFromReference = variedFromReference
    }
}

/// Process corner, temperature and supply of one run.
public struct OperatingConditions: Sendable, Hashable {
    public var corner: ProcessCorner
    /// Degrees Celsius. Default 27.
    public var temperatureCelsius: Double
    /// Volts; nil: the technology's nominal supply.
    public var supplyVolts: Double?

    public init(corner: ProcessCorner = .tt, temperatureCelsius: Double = 27, supplyVolts: Double? = nil) {
        self.corner = corner; self.temperatureCelsius = temperatureCelsius; self.supplyVolts = supplyVolts
    }

    public static let nominal = OperatingConditions()
    public var isNominal: Bool { self == .nominal }

    /// The technology `name` (generic or sky130) at these conditions: sky130 at the corner,
    /// both at the temperature, and the supply when one is set.
    /// A designer's `library` goes on top (its section, not ``corner``, is its corner).
    public func technology(_ name: String, library: UserLibrary? = nil, environment: [String: String]) throws(TechnologyError)
        -> Technology
    {
        let identifier = name == Technology.sky130Name ? "\(name):\(corner.rawValue)" : name
        var technology = try Technology.named(identifier, temperatureCelsius: temperatureCelsius, environment: environment)
        if let supplyVolts { technology.supplyVolts = supplyVolts }
        if let library { technology = technology.including(library) }
        return technology
    }
}

extension SolveSpecification {
    /// A specification from its most used parts (tests, benchmarks and workloads build these
    /// directly; front ends go through ``resolve(_:operation:environment:)``).
    public init(mapping: MappingParameters = MappingParameters(), circuit: DesignParameters, analysis: AnalysisKind = .op) {
        self.init(design: DesignSpecification(mapping: mapping, circuit: circuit), plan: AnalysisPlan(analysis: analysis))
    }
}

extension SolveSpecification {
    /// Every knob of `sections` that this specification uses, with its value, for the
    /// parameter list of a report (named as the specification names them: `design.gbw`).
    /// Knobs that do not apply here (the GBW of ideal op-amps, the switches of a design
    /// without transistors) are left out.
    public func parameterValues(in sections: Set<Knob.Section> = Set(Knob.Section.allCases)) -> [DesignValue] {
        Knob.knobs(in: sections).compactMap { knob in
            switch knob.read(self) {
            case .number(let x)?: return DesignValue(knob.qualifiedName, x, knob.unit, knob.help)
            case .text(let t)?: return DesignValue(knob.qualifiedName, text: t, knob.help)
            case .flag(let b)?: return DesignValue(knob.qualifiedName, text: b ? "true" : "false", knob.help)
            case nil: return nil
            }
        }
    }
}
