import Netlist

/// Op-amp subcircuits with ports (inp inn out), referenced to node 0 (the analogue reference).
public enum OpAmpCell {
    /// Conductance that holds the behavioural op-amp's integrating node at its limits, siemens
    /// (with a 1 S input stage, the node overshoots the limit by at most 1 V / 100 S = 10 mV).
    public static let clampSiemens = 100.0

    static func number(_ x: Double) -> String { SpiceNumber.format(x) ?? "\(x)" }

    /// `.subckt <name> inp inn out`: an ideal op-amp, a VCVS of gain `gain`.
    public static func ideal(name: String, gain: Double) -> Subcircuit {
        Subcircuit(
            name: name, ports: ["inp", "inn", "out"],
            comments: ["ideal op-amp: VCVS, gain \(number(gain)) V/V"],
            elements: [.vcvs("gain", "out", "0", "inp", "inn", gain: .number(gain))]
        )
    }

    /// `.subckt <name> inp inn out`: a single-pole op-amp with output limits.
    ///
    /// A 1 S transconductance drives A0 ohms in parallel with C = 1/(2 pi GBW), so the DC gain
    /// is A0 and the unity-gain frequency GBW; a B source limits the output to +-swing (hard
    /// limits keep the small-signal gain exactly A0 inside the swing); the offset sits in
    /// series with the non-inverting input; each input has its capacitance to the reference;
    /// the output has its resistance. The integrating node itself is held near the limits by
    /// a steep conductance beyond them (`clampSiemens`): without it the node winds up without
    /// bound once the output limits, and a loop that overshoots into the rails latches there
    /// instead of recovering as a real amplifier does.
    public static func behavioral(name: String, _ p: AmplifierParameters) -> Subcircuit {
        var elements: [Element] = [
            .dcVoltage("os", "inp", "inp_os", .number(p.inputOffsetVolts)),
            .vccs("gm", "0", "x", "inp_os", "inn", transconductance: 1),
            .resistor("gain", "x", "0", .number(p.dcGain)),
            .capacitor("pole", "x", "0", .number(1 / (2 * Double.pi * p.gainBandwidthHertz))),
        ]
        if p.inputCapacitanceFarads > 0 {
            elements.append(.capacitor("inp", "inp_os", "0", .number(p.inputCapacitanceFarads)))
            elements.append(.capacitor("inn", "inn", "0", .number(p.inputCapacitanceFarads)))
        }
        let limit = SpiceNumber.format(p.outputSwingVolts) ?? "0"
        let clamp = SpiceNumber.format(clampSiemens) ?? "100"
        elements.append(.behavioural(BehaviouralSource(
            name: "windup", plus: "x", minus: "0", kind: .current,
            expression: "\(clamp)*(max(v(x)-\(limit), 0)+min(v(x)+\(limit), 0))")))
        let drive = p.outputResistanceOhms > 0 ? "y" : "out"
        elements.append(.behavioural(BehaviouralSource(
            name: "limit", plus: drive, minus: "0", kind: .voltage,
            expression: "max(min(v(x), \(limit)), -\(limit))")))
        if p.outputResistanceOhms > 0 {
            elements.append(.resistor("out", "y", "out", .number(p.outputResistanceOhms)))
        }
        return Subcircuit(
            name: name, ports: ["inp", "inn", "out"],
            comments: ["single-pole op-amp: A0 \(number(p.dcGain)) V/V, GBW \(number(p.gainBandwidthHertz)) Hz, swing +-\(number(p.outputSwingVolts)) V"],
            elements: elements
        )
    }

    /// `.subckt <name> in out`: a unity-gain inverting amplifier, two equal resistors around
    /// an op-amp subcircuit `opAmp` referenced to node 0. With `rails` (transistor level) the
    /// reference and supply nodes become ports too, passed on to the OTA after its three
    /// signal ports: `.subckt <name> in out ref vdd vss`.
    public static func inverter(name: String, opAmp: String, resistanceOhms: Double,
                                rails: (reference: String, supplies: [String])? = nil) -> Subcircuit {
        let reference = rails?.reference ?? "0"
        let railPorts = rails.map { [$0.reference] + $0.supplies } ?? []
        return Subcircuit(
            name: name, ports: ["in", "out"] + railPorts,
            comments: [rails == nil ? "unity-gain inverter: out = -in A0/(A0+2) for a DC gain A0"
                                    : "unity-gain inverter about \(reference): two equal resistors around the OTA"],
            elements: [
                .resistor("in", "in", "n", .number(resistanceOhms)),
                .resistor("fb", "n", "out", .number(resistanceOhms)),
                .instance(SubcircuitInstance(name: "amp", nodes: [reference, "n", "out"] + (rails?.supplies ?? []),
                                             subcircuit: opAmp)),
            ]
        )
    }
}
