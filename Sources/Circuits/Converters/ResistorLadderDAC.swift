import Reports
import Foundation
import Netlist
import CircuitTheory
import Reference

/// An N-bit R-2R voltage-mode DAC with MOS transmission-gate switches, one per input line.
///
/// ```
///  vrefn ─TG─ 2R ─┬─ R ─┬─ R ─ ... ─┬── out       (x_0 ... x_{N-1}; out = x_{N-1})
///   (always on)   │     │           │
///               2R_0  2R_1        2R_{N-1}     leg i: 2R to node s_i
///                 │     │           │
///        s_i = vrefp through TG_hi (bit i = 1) or vrefn through TG_lo (bit i = 0)
/// ```
///
/// Ports: `b0 ... b{N-1}` (bit levels, LSB first: 0 V = 0, supply = 1), `vrefp`, `vrefn`,
/// `out`, `vdd`, `vss`. Each bit has an inverter for its complement. The terminating leg has
/// an always-on gate like the others, so every 2R leg carries one switch.
///
/// Output: V(out) = vrefn + (vrefp - vrefn) c / 2^N for binary code c, from a Thevenin
/// resistance of R (`outputResistanceOhms`): a caller driving an input conductance G_in
/// subtracts R from 1/G_in. With the references of `referenceVolts` (the mapping's symmetric
/// mid-tread scale) binary code c is the signed code c - 2^(N-1) of the mapping exactly.
///
/// Switch sizing: each gate's on-resistance (triode estimate from the technology's tables, at
/// the voltage it passes) is at most `switchResistanceFraction` of 2R. What remains of it is a
/// code-dependent error, measured by the characterisation (INL/DNL), not hidden.
public struct ResistorLadderDAC: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable, Codable {
        /// Resolution, bits (2 ... 14). Default 8.
        public var bits: Int
        /// Full scale about the mid-rail reference, volts (the mapping's FS). Default 0.5 V.
        public var fullScaleVolts: Double
        /// The ladder's R, ohms (legs are 2R; Thevenin output resistance R). Default 10 kOhm.
        public var unitResistanceOhms: Double
        /// Switch on-resistance / 2R, dimensionless. Default 0.002.
        public var switchResistanceFraction: Double
        /// Switch channel length, metres; nil: the technology's minimum.
        public var switchLength: Double?

        public init(bits: Int = 8, fullScaleVolts: Double = 0.5, unitResistanceOhms: Double = 10e3,
                    switchResistanceFraction: Double = 0.002, switchLength: Double? = nil) {
            self.bits = bits; self.fullScaleVolts = fullScaleVolts; self.unitResistanceOhms = unitResistanceOhms
            self.switchResistanceFraction = switchResistanceFraction; self.switchLength = switchLength
        }

        /// From the mapping's DAC (bits and FS; an ideal DAC has no transistor form).
        public init(_ converter: ConverterParameters, unitResistanceOhms: Double = 10e3,
                    switchResistanceFraction: Double = 0.002) throws(ConverterDesignError) {
            guard let bits = converter.bits else {
                throw .invalidParameter(name: "bits", value: .nan, requirement: "set: an ideal DAC has no transistor form")
            }
            self.init(bits: bits, fullScaleVolts: converter.fullScaleVolts, unitResistanceOhms: unitResistanceOhms,
                      switchResistanceFraction: switchResistanceFraction)
        }
    }

    public let parameters: Parameters
    public let technology: Technology
    public let scale: ConverterScale
    /// The gate to vrefp.
    public let highSwitch: GateWidths
    /// The gate to vrefn.
    public let lowSwitch: GateWidths
    /// Estimated worst on-resistance of a leg switch, ohms.
    public let switchResistanceOhms: Double
    public let switchLength: Double

    public static func ports(bits: Int) -> [String] {
        (0..<bits).map { "b\($0)" } + ["vrefp", "vrefn", "out", "vdd", "vss"]
    }

    public init(_ parameters: Parameters = Parameters(), technology: Technology) throws(ConverterDesignError) {
        let p = parameters
        guard (2...14).contains(p.bits) else {
            throw .invalidParameter(name: "bits", value: Double(p.bits), requirement: "between 2 and 14")
        }
        let mid = technology.midRailVolts
        guard p.fullScaleVolts.isFinite, p.fullScaleVolts > 0, p.fullScaleVolts * 1.1 < mid else {
            throw .invalidParameter(name: "fullScaleVolts", value: p.fullScaleVolts,
                                    requirement: "positive and inside the rails (below \(formatSignificant(mid / 1.1, 3)) V)")
        }
        guard p.unitResistanceOhms.isFinite, p.unitResistanceOhms >= 10, p.unitResistanceOhms <= 1e8 else {
            throw .invalidParameter(name: "unitResistanceOhms", value: p.unitResistanceOhms, requirement: "between 10 Ohm and 100 MOhm")
        }
        guard p.switchResistanceFraction.isFinite, p.switchResistanceFraction > 0, p.switchResistanceFraction <= 1 else {
            throw .invalidParameter(name: "switchResistanceFraction", value: p.switchResistanceFraction, requirement: "in (0, 1]")
        }
        let length = technology.snapped(p.switchLength ?? max(technology.nmos.minimumLength, technology.pmos.minimumLength))
        guard length >= technology.nmos.minimumLength, length <= 1e-4 else {
            throw .invalidParameter(name: "switchLength", value: length, requirement: "at least the minimum length")
        }
        self.parameters = p
        self.technology = technology
        scale = ConverterScale(bits: p.bits, fullScaleVolts: p.fullScaleVolts, midRailVolts: mid)
        let references = ResistorLadderDAC.referenceVolts(scale)
        let target = p.switchResistanceFraction * 2 * p.unitResistanceOhms
        let high = try SwitchSizing.size(technology, resistance: target, passing: references.high...references.high, length: length)
        let low = try SwitchSizing.size(technology, resistance: target, passing: references.low...references.low, length: length)
        highSwitch = GateWidths(nmos: high.nmosWidth, pmos: high.pmosWidth)
        lowSwitch = GateWidths(nmos: low.nmosWidth, pmos: low.pmosWidth)
        switchResistanceOhms = max(high.worstResistance, low.worstResistance)
        switchLength = length
    }

    /// vrefn, vrefp for the mapping's scale: mid-rail -+ 2^(N-1) LSB.
    public static func referenceVolts(_ scale: ConverterScale) -> (low: Double, high: Double) {
        let half = Double(scale.midCode) * scale.lsbVolts
        return (scale.midRailVolts - half, scale.midRailVolts + half)
    }

    public var referenceVolts: (low: Double, high: Double) { ResistorLadderDAC.referenceVolts(scale) }

    /// Thevenin output resistance, ohms (R).
    public var outputResistanceOhms: Double { parameters.unitResistanceOhms }

    /// The ideal output of binary code `c`, volts.
    public func idealVolts(code c: Int) -> Double {
        let r = referenceVolts
        return r.low + (r.high - r.low) * Double(c) / Double(scale.codeCount)
    }

    /// The binary code whose ideal output is nearest to `volts` (clipped).
    public func code(forVolts volts: Double) -> Int {
        let r = referenceVolts
        let c = ((volts - r.low) / (r.high - r.low) * Double(scale.codeCount)).rounded()
        return Int(min(max(c, 0), Double(scale.codeCount - 1)))
    }

    /// DC sources that hold binary code `c` on the bit ports `prefix0` ... of one instance.
    public func codeSources(prefix: String, code c: Int, ground: String = "0") -> [Element] {
        (0..<parameters.bits).map { i in
            .dcVoltage("\(prefix)\(i)", "\(prefix)\(i)", ground, .number((c >> i) & 1 == 1 ? technology.supplyVolts : 0))
        }
    }

    public func subcircuit(name: String = "rr_dac") -> Subcircuit {
        let t = technology, n = parameters.bits, r = parameters.unitResistanceOhms, l = switchLength
        let invN = t.snapped(2 * t.nmos.minimumWidth), invP = t.snapped(4 * t.pmos.minimumWidth)
        var elements: [Element] = []
        func node(_ i: Int) -> String { i == n - 1 ? "out" : "x\(i)" }
        for i in 0..<n {
            let b = "b\(i)", nb = "nb\(i)", s = "s\(i)", x = node(i)
            elements += [
                t.transistor("mip\(i)", .p, drain: nb, gate: b, source: "vdd", bulk: "vdd", width: invP, length: t.pmos.minimumLength),
                t.transistor("min\(i)", .n, drain: nb, gate: b, source: "vss", bulk: "vss", width: invN, length: t.nmos.minimumLength),
                t.transistor("mhn\(i)", .n, drain: s, gate: b, source: "vrefp", bulk: "vss", width: highSwitch.nmos, length: l),
                t.transistor("mhp\(i)", .p, drain: s, gate: nb, source: "vrefp", bulk: "vdd", width: highSwitch.pmos, length: l),
                t.transistor("mln\(i)", .n, drain: s, gate: nb, source: "vrefn", bulk: "vss", width: lowSwitch.nmos, length: l),
                t.transistor("mlp\(i)", .p, drain: s, gate: b, source: "vrefn", bulk: "vdd", width: lowSwitch.pmos, length: l),
                .resistor("leg\(i)", s, x, .expression("2*r")),
            ]
            if i + 1 < n { elements.append(.resistor("ser\(i)", x, node(i + 1), .expression("r"))) }
        }
        elements += [
            t.transistor("mtn", .n, drain: "st", gate: "vdd", source: "vrefn", bulk: "vss", width: lowSwitch.nmos, length: l),
            t.transistor("mtp", .p, drain: "st", gate: "vss", source: "vrefn", bulk: "vdd", width: lowSwitch.pmos, length: l),
            .resistor("term", "st", node(0), .expression("2*r")),
        ]
        return Subcircuit(
            name: name, ports: ResistorLadderDAC.ports(bits: n), parameters: [Parameter("r", .number(r))],
            comments: ["\(n)-bit R-2R DAC on \(t.identifier): R = \(engineering(r, unit: "Ohm")), switch Ron <= \(engineering(switchResistanceOhms, unit: "Ohm")) (estimate)",
                       "out = vrefn + (vrefp - vrefn) code / 2^\(n), Thevenin resistance R; bits b0 (LSB) ... b\(n - 1)"],
            elements: elements)
    }

    /// The scale and references: what a designer's DAC in its place is driven with.
    public var scaleValues: [DesignValue] {
        let r = referenceVolts
        return [
            DesignValue("dac.bits", Double(parameters.bits), "bit", "resolution"),
            DesignValue("dac.fullScale", parameters.fullScaleVolts, "V", "full scale about mid-rail (mapping convention)"),
            DesignValue("dac.lsb", scale.lsbVolts, "V", "one LSB"),
            DesignValue("dac.vrefn", r.low, "V", "low reference"),
            DesignValue("dac.vrefp", r.high, "V", "high reference"),
        ]
    }

    public var designValues: [DesignValue] {
        scaleValues + [
            DesignValue("dac.r", parameters.unitResistanceOhms, "Ohm", "ladder R (legs 2R, output resistance R)"),
            DesignValue("dac.switchFraction", parameters.switchResistanceFraction, "", "target switch Ron / 2R"),
            DesignValue("dac.switchRon", switchResistanceOhms, "Ohm", "estimated worst switch on-resistance"),
            DesignValue("dac.switch.l", switchLength, "m", "switch length"),
            DesignValue("dac.switchHigh.wn", highSwitch.nmos, "m", "vrefp gate NMOS width"),
            DesignValue("dac.switchHigh.wp", highSwitch.pmos, "m", "vrefp gate PMOS width"),
            DesignValue("dac.switchLow.wn", lowSwitch.nmos, "m", "vrefn gate NMOS width"),
            DesignValue("dac.switchLow.wp", lowSwitch.pmos, "m", "vrefn gate PMOS width"),
        ]
    }
}

