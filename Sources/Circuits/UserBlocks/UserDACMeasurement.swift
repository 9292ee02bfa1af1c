/// What the simulator measured of a designer's DAC (`design.dac`): the output at every code,
/// unloaded, and its output resistance, against the ideal DAC of the mapping's scale.
public struct UserDACMeasurement: Sendable, Hashable, Codable {
    /// Output volts, binary code 0 first.
    public var codeVolts: [Double]
    /// What the ideal DAC of the same scale gives at each code, volts.
    public var idealVolts: [Double]
    /// The ideal LSB, volts.
    public var lsbVolts: Double
    /// Thevenin output resistance at the middle code, ohms.
    public var outputResistanceOhms: Double

    public init(codeVolts: [Double], idealVolts: [Double], lsbVolts: Double, outputResistanceOhms: Double) {
        self.codeVolts = codeVolts; self.idealVolts = idealVolts; self.lsbVolts = lsbVolts
        self.outputResistanceOhms = outputResistanceOhms
    }

    /// The largest |V_k - ideal_k| in LSB: what the loop sees (offset, gain and INL together).
    public var maxErrorLSB: Double {
        zip(codeVolts, idealVolts).map { abs($0 - $1) / lsbVolts }.max() ?? 0
    }
    /// Endpoint INL and DNL, LSB of the measured span.
    public var inlLSB: Double {
        guard let first = codeVolts.first, let last = codeVolts.last, codeVolts.count > 1 else { return 0 }
        let step = (last - first) / Double(codeVolts.count - 1)
        return codeVolts.indices.map { abs(codeVolts[$0] - first - Double($0) * step) / abs(step) }.max() ?? 0
    }
    public var dnlLSB: Double {
        guard let first = codeVolts.first, let last = codeVolts.last, codeVolts.count > 1 else { return 0 }
        let step = (last - first) / Double(codeVolts.count - 1)
        return codeVolts.indices.dropFirst().map { abs((codeVolts[$0] - codeVolts[$0 - 1]) / step - 1) }.max() ?? 0
    }
    /// The first code whose output is not above the one before, if any.
    public var firstNonMonotonicCode: Int? {
        codeVolts.indices.dropFirst().first { codeVolts[$0] <= codeVolts[$0 - 1] }
    }
}

/// A DAC of the designer's is measured at every code: up to this many bits.
public enum DACMeasurementLimit {
    public static let bits = 12
}
