/// What the simulator measured of a designer's ADC (`design.adc`): the input levels at which
/// its code steps up, found by converting a slow staircase ramp, against the ideal converter
/// of the mapping's scale (Crossloop's SAR references: transitions at vrefn + k LSB).
public struct UserADCMeasurement: Sendable, Hashable, Codable {
    /// T_1 ... T_{2^N-1}: the input at which the code first reaches k, volts (NaN: never).
    public var transitionVolts: [Double]
    /// Where the ideal converter's transitions are, volts.
    public var idealTransitionVolts: [Double]
    /// The ideal LSB, volts.
    public var lsbVolts: Double
    /// Ramp steps per LSB: a transition is located to within half a step.
    public var hitsPerCode: Int
    /// Codes 1 ... 2^N - 2 never produced on the ramp.
    public var missingCodes: [Int]
    /// Conversions more than one code away from the ideal converter (shifted by the offset).
    public var grossErrors: Int
    public var conversions: Int
    /// Endpoint INL and DNL by code density, largest magnitudes, LSB.
    public var inlLSB: Double
    public var dnlLSB: Double
    /// One conversion as the description clocks it, seconds.
    public var conversionSeconds: Double

    public init(transitionVolts: [Double], idealTransitionVolts: [Double], lsbVolts: Double, hitsPerCode: Int,
                missingCodes: [Int], grossErrors: Int, conversions: Int, inlLSB: Double, dnlLSB: Double,
                conversionSeconds: Double) {
        self.transitionVolts = transitionVolts; self.idealTransitionVolts = idealTransitionVolts; self.lsbVolts = lsbVolts
        self.hitsPerCode = hitsPerCode; self.missingCodes = missingCodes; self.grossErrors = grossErrors
        self.conversions = conversions; self.inlLSB = inlLSB; self.dnlLSB = dnlLSB; self.conversionSeconds = conversionSeconds
    }

    /// The largest |T_k - ideal_k| in LSB (offset, gain and INL together; infinite when a
    /// transition never happens): what the readout of the loop's outputs sees.
    public var maxErrorLSB: Double {
        zip(transitionVolts, idealTransitionVolts).map { $0.isFinite ? abs($0 - $1) / lsbVolts : .infinity }.max() ?? 0
    }

    /// How finely the ramp locates a transition, LSB.
    public var resolutionLSB: Double { 0.5 / Double(hitsPerCode) }
}

/// An ADC of the designer's is measured on a ramp of a few conversions per code: up to this
/// many bits (2^10 codes at 4 conversions each is a few thousand conversions).
public enum ADCMeasurementLimit {
    public static let bits = 10
}
