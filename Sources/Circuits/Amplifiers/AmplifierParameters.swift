/// How faithfully amplifiers and converters are modelled.
public enum Fidelity: String, CaseIterable, Sendable, Hashable, Codable {
    /// High-gain VCVS op-amps (DC gain only), ideal sources as DACs: the circuit's algebra.
    case ideal
    /// Single-pole op-amps with output limits, offset, input capacitance and output resistance.
    case behavioral
    /// Transistor-level amplifiers, cells and converters on a technology.
    case transistor
}

/// A single-pole operational amplifier, as the behavioural model sees it. Every value has a
/// unit and a default for a 90-nm-class design (the Theory article, "The reference design and
/// its defaults": op-amps of 10^3 to 10^4 DC gain and tens of MHz GBW; none of these are
/// published figures of the reference chip).
public struct AmplifierParameters: Sendable, Hashable, Codable {
    /// DC open-loop gain A0, V/V. Default 1e4 (80 dB).
    public var dcGain: Double
    /// Gain-bandwidth product, Hz. Default 10 MHz.
    public var gainBandwidthHertz: Double
    /// Output limits, volts about the reference, +-. Default 0.5 V (the mapping's swing).
    public var outputSwingVolts: Double
    /// Input offset voltage, volts, in series with the non-inverting input. Default 0.
    public var inputOffsetVolts: Double
    /// Capacitance of each input to the reference, farads. Default 10 fF.
    public var inputCapacitanceFarads: Double
    /// Output resistance, ohms. Default 50 Ohm.
    public var outputResistanceOhms: Double

    public init(dcGain: Double = 1e4, gainBandwidthHertz: Double = 10e6, outputSwingVolts: Double = 0.5,
                inputOffsetVolts: Double = 0, inputCapacitanceFarads: Double = 10e-15,
                outputResistanceOhms: Double = 50) {
        self.dcGain = dcGain
        self.gainBandwidthHertz = gainBandwidthHertz
        self.outputSwingVolts = outputSwingVolts
        self.inputOffsetVolts = inputOffsetVolts
        self.inputCapacitanceFarads = inputCapacitanceFarads
        self.outputResistanceOhms = outputResistanceOhms
    }

    /// The open-loop pole, Hz: GBW / A0.
    public var poleHertz: Double { gainBandwidthHertz / dcGain }

    public func designValues(prefix: String) -> [DesignValue] {
        [
            DesignValue("\(prefix).dcGain", dcGain, "V/V", "DC open-loop gain A0"),
            DesignValue("\(prefix).gbw", gainBandwidthHertz, "Hz", "gain-bandwidth product"),
            DesignValue("\(prefix).swing", outputSwingVolts, "V", "output limit about the reference, +-"),
            DesignValue("\(prefix).offset", inputOffsetVolts, "V", "input offset voltage"),
            DesignValue("\(prefix).cin", inputCapacitanceFarads, "F", "input capacitance to the reference"),
            DesignValue("\(prefix).rout", outputResistanceOhms, "Ohm", "output resistance"),
        ]
    }
}
