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
    /// Wall-clock seconds spent in ngspice (both runs).
    public var simulationSeconds: Double

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
