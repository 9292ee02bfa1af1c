import Circuits
import Foundation
import Ngspice
import Reports

/// A designer's ADC on the bench: a staircase ramp over the whole scale, converted back to
/// back at the clock its description states, with its references at those of Crossloop's SAR
/// for the same scale; its transitions are compared with the ideal converter's.
public enum ADCCharacterization {
    /// Ramp steps per LSB: transitions located to an eighth of an LSB.
    public static let hitsPerCode = 4

    public static func measure(_ block: UserBlock, reference adc: SARADC, engine: NgspiceEngine)
        async throws(CharacterizationError) -> UserADCMeasurement
    {
        let m = try await ConverterCharacterization.adc(try ADCUnderTest(block, reference: adc), hitsPerCode: hitsPerCode,
                                                        engines: [engine])
        let r = adc.referenceVolts, lsb = m.linearity.idealLsbVolts
        let ideal = (1..<(1 << adc.parameters.bits)).map { r.low + Double($0) * lsb }
        let measured = UserADCMeasurement(
            transitionVolts: m.transitionVolts, idealTransitionVolts: ideal, lsbVolts: lsb, hitsPerCode: m.hitsPerCode,
            missingCodes: m.linearity.missingCodes, grossErrors: m.grossErrors, conversions: m.conversions,
            inlLSB: m.linearity.maxAbsINL, dnlLSB: m.linearity.maxAbsDNL, conversionSeconds: m.conversionSeconds)
        // A converter whose code never moves is not wired as described.
        if m.histogram.filter({ $0 > 0 }).count <= 1 {
            throw .measurement("\(block.reference): its code stays at \(m.histogram.firstIndex { $0 > 0 } ?? 0) over the whole ramp from \(formatSignificant(r.low - lsb, 4)) V to \(formatSignificant(r.high + lsb, 4)) V; check in, clk, samp, the bits and the timing")
        }
        return measured
    }
}
