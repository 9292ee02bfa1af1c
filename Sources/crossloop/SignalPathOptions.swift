import ArgumentParser
import CircuitTheory
import Reference

/// How signed values cross the array boundary: the cells' sign scheme and the DAC/ADC
/// resolution and range, shared by `solve`, `generate` and every `crossloop run` workload.
struct SignalPathOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Sign handling: two-arrays (array N driven by -V) or sign-bit (one array).", valueName: "scheme"))
    var sign: String = "two-arrays"

    @Option(name: .customLong("dac-bits"), help: ArgumentHelp("Input DAC bits, 2 to 24; 0 for an ideal DAC.", valueName: "N"))
    var dacBits: Int = 8

    @Option(name: .customLong("adc-bits"), help: ArgumentHelp("Output ADC bits, 2 to 24; 0 for an ideal ADC.", valueName: "N"))
    var adcBits: Int = 8

    @Option(name: .customLong("full-scale"), help: ArgumentHelp("Converter full scale, volts about the reference. Default 0.5.", valueName: "V"))
    var fullScale: Quantity = Quantity(0.5)

    /// Writes the cell format and both converters into `mapping`; every message says what to type instead.
    func apply(cellBits: Int, to mapping: inout MappingParameters) throws {
        guard (0...16).contains(cellBits) else { throw ValidationError("Pass --bits between 0 (continuous) and 16.") }
        guard let scheme = SignScheme(cliName: sign) else { throw ValidationError("Pass --sign two-arrays or sign-bit.") }
        for (flag, value) in [("--dac-bits", dacBits), ("--adc-bits", adcBits)] where value != 0 && !(2...24).contains(value) {
            throw ValidationError("Pass \(flag) between 2 and 24, or 0 for an ideal converter.")
        }
        guard fullScale.value > 0 else {
            throw ValidationError("Pass --full-scale as a positive number (SPICE suffixes allowed, e.g. 500m).")
        }
        mapping.cell = CellFormat(magnitudeBits: cellBits == 0 ? nil : cellBits, sign: scheme)
        mapping.dac = ConverterParameters(bits: dacBits == 0 ? nil : dacBits, fullScaleVolts: fullScale.value)
        mapping.adc = ConverterParameters(bits: adcBits == 0 ? nil : adcBits, fullScaleVolts: fullScale.value)
    }
}

extension SignScheme {
    init?(cliName: String) {
        switch cliName.lowercased() {
        case "two-arrays", "twoarrays", "two": self = .twoArrays
        case "sign-bit", "signbit", "bit": self = .signBit
        default: return nil
        }
    }
}
