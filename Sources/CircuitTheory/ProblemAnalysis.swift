import Reference
/// The op-amps as the analysis sees them: single pole, gain A0 at DC.
public struct OpAmpParameters: Sendable, Hashable, Codable {
    /// A0, the DC open-loop gain in V/V. Default 1e4 (80 dB).
    public var openLoopGain: Double
    /// GBW, the gain-bandwidth product in hertz. Default 10 MHz.
    public var gainBandwidthHertz: Double

    public init(openLoopGain: Double = 1e4, gainBandwidthHertz: Double = 10e6) {
        self.openLoopGain = openLoopGain
        self.gainBandwidthHertz = gainBandwidthHertz
    }
}

/// Everything `Reference` can say about a problem before any simulation: the mapping, the
/// condition number, the stability verdict and timing, the references and the error budget.
public struct ProblemAnalysis: Sendable, Hashable {
    public let mapping: Mapping
    public let opAmp: OpAmpParameters
    /// Settling is predicted to this many bits (default: the ADC's bits, or 8).
    public let settlingBits: Int
    /// kappa_2 of the problem's matrix (s_1 / s_min).
    public let conditionNumber: Double
    public let stability: StabilityAnalysis
    /// INV: the G_in that stabilises the mapping when it is unstable; nil otherwise or when none exists.
    public let fix: StabilityFix?
    /// tau in seconds (nil when unstable).
    public let timeConstantSeconds: Double?
    /// Settling time to `settlingBits` in seconds (nil when unstable).
    public let settlingSeconds: Double?
    public let references: CircuitReferences
    public let errorBudget: ErrorBudget
    /// INV only: the poles with op-amp inverters at GBW/2 (``LoopPoles``), a check on the
    /// first-order verdict; nil for other operations.
    public let loopPoles: LoopPoles?
    /// INV only, when ``loopPoles`` is unstable: the G_in that stabilises it.
    public let fixWithInverters: StabilityFix?

    public init(problem: Problem, parameters: MappingParameters = MappingParameters(),
                opAmp: OpAmpParameters = OpAmpParameters(), settlingBits: Int? = nil) throws(MappingError) {
        guard opAmp.openLoopGain > 0, opAmp.openLoopGain.isFinite else {
            throw .invalidParameter(name: "openLoopGain", value: "\(opAmp.openLoopGain)", requirement: "finite and positive")
        }
        guard opAmp.gainBandwidthHertz > 0, opAmp.gainBandwidthHertz.isFinite else {
            throw .invalidParameter(name: "gainBandwidthHertz", value: "\(opAmp.gainBandwidthHertz)", requirement: "finite and positive")
        }
        let singularValues: [Double]
        do { singularValues = try problem.matrix.singularValues() } catch { throw .linearAlgebra(error) }
        try problem.requireInvertible(singularValues: singularValues)
        let mapping = try Mapping(problem, parameters: parameters)
        self.mapping = mapping
        self.opAmp = opAmp
        let bits = settlingBits ?? parameters.adc.bits ?? 8
        self.settlingBits = bits
        conditionNumber = Matrix.conditionNumber(singularValues: singularValues)
        let stability = try mapping.stability()
        self.stability = stability
        fix = stability.isStable ? nil : mapping.stabilisingInputConductance()
        timeConstantSeconds = stability.timeConstantSeconds(gainBandwidthHertz: opAmp.gainBandwidthHertz)
        settlingSeconds = stability.settlingSeconds(gainBandwidthHertz: opAmp.gainBandwidthHertz, bits: bits)
        references = try mapping.references(openLoopGain: opAmp.openLoopGain)
        let poles = mapping.loopPoles(openLoopGain: opAmp.openLoopGain)
        loopPoles = poles
        fixWithInverters = (poles?.isStable ?? true) ? nil : mapping.stabilisingInputConductanceWithInverters(openLoopGain: opAmp.openLoopGain)
        errorBudget = try ErrorBudget(mapping: mapping, stability: stability, singularValues: singularValues,
                                      ideal: references.ideal, openLoopGain: opAmp.openLoopGain)
    }
}
