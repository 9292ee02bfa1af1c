import CircuitTheory
import Reference

/// Everything about a circuit that is not the mapped problem: fidelity, amplifiers, inverters,
/// wires and stimulus. Every value has a unit and a default; `designValues` lists them for reports.
public struct DesignParameters: Sendable, Hashable, Codable {
    public var fidelity: Fidelity
    /// The loop op-amps and TIAs at behavioural fidelity. Their output limit is always the
    /// mapping's op-amp swing.
    public var opAmp: AmplifierParameters
    /// The op-amps inside the unity-gain inverters; nil: the same as `opAmp`.
    public var inverterOpAmp: AmplifierParameters?
    /// DC gain of the VCVS op-amps at ideal fidelity, V/V. Default 1e6.
    public var idealGain: Double
    /// Each of the two equal resistors of a unity-gain inverter, ohms. Default 100 kOhm.
    public var inverterResistanceOhms: Double
    /// Row and column line parasitics. Default none.
    public var wires: WireParasitics
    /// GINV only, for tests: the second stage on its inverting inputs, the unstable polarity
    /// (the Theory article, "Operations: MVM, INV, GINV, EIG, block", GINV: the DC point is the
    /// same; only a transient can tell).
    public var wrongPolarity: Bool
    /// EIG: the start-up kick, a current pulse into every row, amperes at the largest row.
    /// nil: 1 mV worth of output (1e-3 V times G_lambda).
    public var kickAmperes: Double?
    /// EIG: length of the kick, seconds; nil: five time constants of the TIAs, so the kick
    /// reaches its full 1 mV before it ends.
    public var kickSeconds: Double?

    public init(fidelity: Fidelity = .ideal, opAmp: AmplifierParameters = AmplifierParameters(),
                inverterOpAmp: AmplifierParameters? = nil, idealGain: Double = 1e6,
                inverterResistanceOhms: Double = 100e3, wires: WireParasitics = WireParasitics(),
                wrongPolarity: Bool = false, kickAmperes: Double? = nil, kickSeconds: Double? = nil) {
        self.fidelity = fidelity
        self.opAmp = opAmp
        self.inverterOpAmp = inverterOpAmp
        self.idealGain = idealGain
        self.inverterResistanceOhms = inverterResistanceOhms
        self.wires = wires
        self.wrongPolarity = wrongPolarity
        self.kickAmperes = kickAmperes
        self.kickSeconds = kickSeconds
    }

    /// The DC gain of the loop op-amps at this fidelity, V/V.
    public var openLoopGain: Double { fidelity == .ideal ? idealGain : opAmp.dcGain }

    /// The DC gain of the inverters' op-amps, V/V.
    public var inverterOpenLoopGain: Double { fidelity == .ideal ? idealGain : (inverterOpAmp ?? opAmp).dcGain }

    /// |out / in| of the inverters: A0 / (A0 + 2) for two equal resistors.
    public var inverterGain: Double { Mapping.inverterGain(openLoopGain: inverterOpenLoopGain) }

    /// Inverter closed-loop bandwidth over the loop op-amps' GBW (1/2 with the same op-amp),
    /// for the loop-pole stability check.
    public var inverterBandwidthRatio: Double {
        ((inverterOpAmp ?? opAmp).gainBandwidthHertz / 2) / opAmp.gainBandwidthHertz
    }

    public func designValues(swingVolts: Double) -> [DesignValue] {
        var values = [DesignValue("fidelity", text: fidelity.rawValue, "op-amp and cell models: ideal, behavioral or transistor")]
        switch fidelity {
        case .ideal:
            values.append(DesignValue("opamp.dcGain", idealGain, "V/V", "VCVS gain of every op-amp (ideal fidelity)"))
        case .behavioral, .transistor:
            var loop = opAmp
            loop.outputSwingVolts = swingVolts
            values += loop.designValues(prefix: "opamp")
            if let inverterOpAmp {
                var inverter = inverterOpAmp
                inverter.outputSwingVolts = swingVolts
                values += inverter.designValues(prefix: "inverter.opamp")
            }
        }
        values.append(DesignValue("inverter.resistance", inverterResistanceOhms, "Ohm", "each resistor of a unity-gain inverter"))
        values.append(DesignValue("wire.resistance", wires.resistanceOhms, "Ohm", "line resistance per segment"))
        values.append(DesignValue("wire.capacitance", wires.capacitanceFarads, "F", "line capacitance per segment"))
        return values
    }
}

/// How the inputs arrive.
public enum Stimulus: Sendable, Hashable {
    /// DC inputs, for `.op`.
    case dc
    /// Inputs step from 0 to their value at `time` with a linear ramp of `rise`, for `.tran`.
    case step(time: Double, rise: Double)
}
