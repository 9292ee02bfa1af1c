/// The loop OTA as the simulator measured it (`OTACharacterization` in the Characterization
/// module fills it in); a design adopts it so that predictions use the op-amp as simulated.
public struct OTAMeasurement: Sendable, Hashable, Codable {
    /// |A| at `lowFrequencyHertz`, V/V.
    public var dcGain: Double
    public var dcGainDecibels: Double
    /// Open-loop -3 dB frequency, Hz.
    public var poleHertz: Double
    /// A0 f_-3dB, Hz: the single-pole model's GBW (what loop settling predictions use).
    public var gainBandwidthHertz: Double
    /// Where |A| = 1, Hz.
    public var unityGainHertz: Double
    /// 180 deg + arg A at the unity-gain frequency.
    public var phaseMarginDegrees: Double
    /// Unity-gain follower, input step up: 10-90 % slope of the output, V/s.
    public var slewRisingVoltsPerSecond: Double
    /// Same for the step down (positive number), V/s.
    public var slewFallingVoltsPerSecond: Double
    /// Longest time, over both edges, from the input step until the output stays within
    /// `settlingTolerance` of the step size of its final value, seconds.
    public var settlingSeconds: Double
    /// Relative settling band, dimensionless.
    public var settlingTolerance: Double
    /// Step amplitude of the follower test, volts.
    public var stepVolts: Double
    /// Input-referred offset from the unity-gain operating point, V(out) - V(inp), volts.
    public var offsetVolts: Double
    /// Supply current at the operating point, amperes.
    public var supplyCurrentAmperes: Double
    public var powerWatts: Double
    /// Wall-clock seconds spent in ngspice (every run).
    public var simulationSeconds: Double
    /// Open loop, overdriven by 100 mV either way into the load: the output's limits, volts.
    public var outputHighVolts: Double?
    public var outputLowVolts: Double?
    /// Overdriven into a short to the common mode: the current the output sources and sinks
    /// (both positive), amperes.
    public var outputSourceAmperes: Double?
    public var outputSinkAmperes: Double?
    /// The load capacitance the margin was measured into, farads.
    public var loadCapacitanceFarads: Double?
    /// Open loop, input swept: the output range over which the incremental gain stays at
    /// least ``linearGainFraction`` of its value at the common mode, volts. The loop's
    /// outputs must stay inside it, or the finite-gain reference (one A0) no longer holds.
    public var linearHighVolts: Double?
    public var linearLowVolts: Double?
    /// Open-loop output resistance at the lowest frequency, ohms: a resistive load R_L keeps
    /// A0 R_L / (R_L + r_out) of the gain.
    public var outputResistanceOhms: Double?
    /// The fraction of the gain at the common mode that bounds the linear range.
    public static let linearGainFraction = 0.8

    /// The smaller of the source and sink currents: what the output can drive either way.
    public var outputDriveAmperes: Double? {
        guard let a = outputSourceAmperes, let b = outputSinkAmperes else { return nil }
        return min(a, b)
    }

    public init(dcGain: Double, dcGainDecibels: Double, poleHertz: Double, gainBandwidthHertz: Double, unityGainHertz: Double, phaseMarginDegrees: Double, slewRisingVoltsPerSecond: Double, slewFallingVoltsPerSecond: Double, settlingSeconds: Double, settlingTolerance: Double, stepVolts: Double, offsetVolts: Double, supplyCurrentAmperes: Double, powerWatts: Double, simulationSeconds: Double) {
        self.dcGain = dcGain
        self.dcGainDecibels = dcGainDecibels
        self.poleHertz = poleHertz
        self.gainBandwidthHertz = gainBandwidthHertz
        self.unityGainHertz = unityGainHertz
        self.phaseMarginDegrees = phaseMarginDegrees
        self.slewRisingVoltsPerSecond = slewRisingVoltsPerSecond
        self.slewFallingVoltsPerSecond = slewFallingVoltsPerSecond
        self.settlingSeconds = settlingSeconds
        self.settlingTolerance = settlingTolerance
        self.stepVolts = stepVolts
        self.offsetVolts = offsetVolts
        self.supplyCurrentAmperes = supplyCurrentAmperes
        self.powerWatts = powerWatts
        self.simulationSeconds = simulationSeconds
    }
}
