import Reference
import Foundation

/// How a cell represents the sign of a matrix entry (<doc:Theory#Sign-schemes>).
public enum SignScheme: String, CaseIterable, Sendable, Hashable, Codable {
    /// Array P holds G0 * A+ driven by V, array N holds G0 * A- driven by -V (inverters).
    case twoArrays
    /// One array; a sign bit per cell routes it to V_j or to -V_j.
    case signBit
}

/// The programmable cell: magnitude levels and sign handling.
///
/// With `magnitudeBits = k` a cell conducts n * G0 for an integer level n in 0...(2^k - 1):
/// G0 is one LSB (binary-weighted unit resistors switched by SRAM bits). With
/// `magnitudeBits = nil` the conductance is continuous in [0, G0]: G0 is the full-scale cell,
/// for ideal-fidelity studies without quantisation.
public struct CellFormat: Sendable, Hashable, Codable {
    /// Magnitude bits k per cell (1...16), or nil for continuous conductances. Default 4.
    public var magnitudeBits: Int?
    /// How negative entries are realised. Default two arrays.
    public var sign: SignScheme

    public init(magnitudeBits: Int? = 4, sign: SignScheme = .twoArrays) {
        self.magnitudeBits = magnitudeBits
        self.sign = sign
    }

    /// The largest level as a multiple of G0: 2^k - 1, or 1 for continuous cells.
    public var fullScaleLevel: Double {
        guard let k = magnitudeBits else { return 1 }
        return Double((1 << k) - 1)
    }
}

/// A DAC or ADC: a symmetric mid-tread quantiser about the analogue reference.
///
/// Codes are the integers -(2^(n-1) - 1) ... 2^(n-1) - 1, one LSB = FS / (2^(n-1) - 1), so
/// +-FS are exact codes and 0 is a code (8 bits: 127 steps per side). Values beyond +-FS
/// clip. `bits = nil` is an ideal converter (no quantisation, still clipped at +-FS).
public struct ConverterParameters: Sendable, Hashable, Codable {
    /// Resolution in bits (2...24), or nil for an ideal converter.
    public var bits: Int?
    /// Full scale in volts about the analogue reference: the range is [-FS, +FS].
    public var fullScaleVolts: Double

    public init(bits: Int? = 8, fullScaleVolts: Double = 0.5) {
        self.bits = bits
        self.fullScaleVolts = fullScaleVolts
    }

    /// One LSB in volts, or nil for an ideal converter.
    public var lsbVolts: Double? {
        guard let n = bits else { return nil }
        return fullScaleVolts / Double((1 << (n - 1)) - 1)
    }

    /// The nearest code to `volts` (ties away from zero), clipped to [-FS, +FS].
    public func quantise(_ volts: Double) -> Double {
        let clipped = min(max(volts, -fullScaleVolts), fullScaleVolts)
        guard let lsb = lsbVolts else { return clipped }
        return (clipped / lsb).rounded(.toNearestOrAwayFromZero) * lsb
    }
}

/// Everything that maps a problem onto hardware, each with a unit and a default.
///
/// Defaults describe a 90-nm-class design (<doc:Theory#The-reference-design-and-its-defaults>:
/// none of these are published figures of the reference chip): 4 magnitude bits plus a sign by two arrays, a 100 kOhm unit
/// resistor (G0 = 10 uS), 8-bit converters and outputs of +-0.5 V about a mid-rail reference
/// on a 1.2 V supply, of which 80 % is used.
public struct MappingParameters: Sendable, Hashable, Codable {
    /// The cell's levels and sign handling. Default 4 magnitude bits, two arrays.
    public var cell: CellFormat
    /// G0 in siemens: one cell LSB (or the full-scale cell when continuous). Default 10e-6 S.
    public var unitConductanceSiemens: Double
    /// The input DAC. Default 8 bits, +-0.5 V.
    public var dac: ConverterParameters
    /// The output ADC. Default 8 bits, +-0.5 V.
    public var adc: ConverterParameters
    /// The op-amps' linear output swing in volts about the reference, +-. Default 0.5 V.
    public var opAmpSwingVolts: Double
    /// Fraction (0, 1] of min(op-amp swing, ADC full scale) that the largest expected output
    /// is scaled to; the rest is headroom for quantisation and finite-gain errors. Default 0.8.
    public var outputHeadroom: Double
    /// G_in / G0 (dimensionless), the input conductance in units of G0, for INV and GINV.
    /// nil (default): auto-ranged so the largest output sits at the headroom; when set, the
    /// DAC input is scaled down instead if the outputs would leave the swing.
    public var inputConductanceRatio: Double?
    /// Feedback conductance in units of G0 (dimensionless): G_f / G0 of the MVM TIAs, G_T / G0
    /// of the GINV first stage, G_lambda / G0 of the EIG loop. nil (default): chosen by the mapping.
    public var feedbackConductanceRatio: Double?
    /// EIG only (dimensionless, in (0, 1)): G_lambda / G0 = lambda_1 - f (lambda_1 - Re lambda_2)
    /// of the programmed levels, so only the dominant mode grows. Default 0.1.
    public var eigenGapFraction: Double

    public init(cell: CellFormat = CellFormat(),
                unitConductanceSiemens: Double = 10e-6,
                dac: ConverterParameters = ConverterParameters(),
                adc: ConverterParameters = ConverterParameters(),
                opAmpSwingVolts: Double = 0.5,
                outputHeadroom: Double = 0.8,
                inputConductanceRatio: Double? = nil,
                feedbackConductanceRatio: Double? = nil,
                eigenGapFraction: Double = 0.1) {
        self.cell = cell
        self.unitConductanceSiemens = unitConductanceSiemens
        self.dac = dac
        self.adc = adc
        self.opAmpSwingVolts = opAmpSwingVolts
        self.outputHeadroom = outputHeadroom
        self.inputConductanceRatio = inputConductanceRatio
        self.feedbackConductanceRatio = feedbackConductanceRatio
        self.eigenGapFraction = eigenGapFraction
    }

    /// The largest output the mapping aims for, volts: headroom * min(swing, ADC full scale).
    public var targetOutputVolts: Double { outputHeadroom * min(opAmpSwingVolts, adc.fullScaleVolts) }

    /// Throws ``MappingError/invalidParameter(name:value:requirement:)`` for the first
    /// parameter out of its range.
    public func validate() throws(MappingError) {
        func positive(_ name: String, _ value: Double) throws(MappingError) {
            guard value.isFinite, value > 0 else { throw .invalidParameter(name: name, value: "\(value)", requirement: "finite and positive") }
        }
        if let k = cell.magnitudeBits, !(1...16).contains(k) {
            throw .invalidParameter(name: "cell.magnitudeBits", value: "\(k)", requirement: "between 1 and 16")
        }
        try positive("unitConductanceSiemens", unitConductanceSiemens)
        for (name, converter) in [("dac", dac), ("adc", adc)] {
            if let n = converter.bits, !(2...24).contains(n) {
                throw .invalidParameter(name: "\(name).bits", value: "\(n)", requirement: "between 2 and 24")
            }
            try positive("\(name).fullScaleVolts", converter.fullScaleVolts)
        }
        try positive("opAmpSwingVolts", opAmpSwingVolts)
        guard outputHeadroom > 0, outputHeadroom <= 1 else {
            throw .invalidParameter(name: "outputHeadroom", value: "\(outputHeadroom)", requirement: "in (0, 1]")
        }
        if let r = inputConductanceRatio { try positive("inputConductanceRatio", r) }
        if let r = feedbackConductanceRatio { try positive("feedbackConductanceRatio", r) }
        guard eigenGapFraction > 0, eigenGapFraction < 1 else {
            throw .invalidParameter(name: "eigenGapFraction", value: "\(eigenGapFraction)", requirement: "in (0, 1)")
        }
    }
}
