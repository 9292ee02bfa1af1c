import Reports
import Foundation
import Netlist
import CircuitTheory
import Reference

/// An N-bit charge-redistribution SAR ADC: binary-weighted capacitor DAC with bottom-plate
/// sampling, a transistor-level comparator, and SAR logic in XSPICE digital models.
///
/// Ports: `vin vcm vrefp vrefn clk samp vdd vss d0 ... d{N-1}`.
/// - `vin` is sampled on the bottom plates while `samp` is high; the top plate is held at
///   `vcm` (the mid-rail reference). When `samp` falls the top plate is released first, then
///   the bottom plates leave `vin` (bottom-plate sampling: the signal-dependent charge of the
///   input switches does not reach the top plate).
/// - Then one bit per `clk` period, MSB first: the bit under trial connects its capacitor to
///   `vrefp`, the others hold their decision (`vrefp` for 1, `vrefn` for 0), the terminating
///   unit capacitor sits at `vrefn`; the comparator tells whether the top plate is below
///   `vcm`, i.e. whether `vin` is above the trial level, and the decision is latched at the
///   next rising edge of `clk`.
/// - After the last decision the code is copied into an output register: `d0` (LSB) ...
///   `d{N-1}` show it as 0 V / supply levels (XSPICE `dac_bridge` outputs) until the end of
///   the next conversion, so they can be read at any time in between.
///
/// Transfer: binary code c = floor((V_in - vrefn) / LSB), LSB = (vrefp - vrefn) / 2^N. With
/// `referenceVolts` (vrefn half an LSB below the DAC's) the code rounds to the mapping's
/// signed code c - 2^(N-1) (`ConverterScale.signedCode`).
///
/// Comparator: static, three stages (NMOS differential pair with PMOS mirror, PMOS common
/// source, two inverters), biased from an ideal reference current like the OTA, with an
/// equaliser (a transmission gate across the first stage's outputs) closed for the first half
/// of every period, so that each decision starts from balance rather than from the previous
/// decision's overdrive (without it sky130's comparator missed codes at the major carries). A static
/// comparator, unlike a clocked regenerative latch, gives decisions that do not depend on
/// the simulator's time step near a transition (a StrongARM latch mis-decided 5 mV inputs at
/// ngspice's default step control), at the cost of static power, which is reported.
///
/// Switches: vrefp through a PMOS, vrefn through an NMOS, the input and the top plate through
/// transmission gates; each sized (triode estimate) so its RC with the capacitor it drives
/// settles to a quarter LSB in half a period (`settlingFraction`). The top-plate gate's two
/// devices carry equal channel charge, so its injection (an offset: it always opens at vcm)
/// largely cancels.
///
/// Timing (`Timing`): `clk` rises at multiples of the bit period from `start`; `samp` rises an
/// eighth of a period after a clock edge and stays high for `sampleCycles` periods. A
/// conversion takes (sampleCycles + N) periods; the deck's sources come from
/// `Timing.sources`.
public struct SARADC: Sendable, Hashable {
    public struct Parameters: Sendable, Hashable, Codable {
        /// Resolution, bits (2 ... 12). Default 8.
        public var bits: Int
        /// Full scale about the mid-rail reference, volts (the mapping's FS). Default 0.5 V.
        public var fullScaleVolts: Double
        /// Unit capacitor, farads (the array is 2^N of them). Default 4 fF.
        public var unitCapacitanceFarads: Double
        /// Bit period (one decision), seconds. Default 10 ns.
        public var bitPeriodSeconds: Double
        /// Sampling time in bit periods. Default 2.
        public var sampleCycles: Int
        /// Fraction of a period the capacitor DAC gets to settle, dimensionless. Default 0.5.
        public var settlingFraction: Double
        /// Comparator bias: the reference current, amperes (first stage 2x, second stage 2x). Default 10 uA.
        public var comparatorBiasAmperes: Double
        /// Delay of each XSPICE gate and flip-flop, seconds. Default 50 ps.
        public var logicDelaySeconds: Double
        /// Rise and fall time of the switch drivers (dac_bridge), seconds. Default 200 ps.
        public var switchEdgeSeconds: Double

        public init(bits: Int = 8, fullScaleVolts: Double = 0.5, unitCapacitanceFarads: Double = 4e-15,
                    bitPeriodSeconds: Double = 10e-9, sampleCycles: Int = 2, settlingFraction: Double = 0.5,
                    comparatorBiasAmperes: Double = 10e-6, logicDelaySeconds: Double = 50e-12,
                    switchEdgeSeconds: Double = 200e-12) {
            self.bits = bits; self.fullScaleVolts = fullScaleVolts; self.unitCapacitanceFarads = unitCapacitanceFarads
            self.bitPeriodSeconds = bitPeriodSeconds; self.sampleCycles = sampleCycles
            self.settlingFraction = settlingFraction; self.comparatorBiasAmperes = comparatorBiasAmperes
            self.logicDelaySeconds = logicDelaySeconds; self.switchEdgeSeconds = switchEdgeSeconds
        }

        /// From the mapping's ADC (bits and FS).
        public init(_ converter: ConverterParameters) throws(ConverterDesignError) {
            guard let bits = converter.bits else {
                throw .invalidParameter(name: "bits", value: .nan, requirement: "set: an ideal ADC has no transistor form")
            }
            self.init(bits: bits, fullScaleVolts: converter.fullScaleVolts)
        }
    }

    /// When things happen.
    public struct Timing: Sendable, Hashable, Codable {
        public var bits: Int
        public var bitPeriodSeconds: Double
        public var sampleCycles: Int
        /// Periods from the end of sampling until the code is ready (Crossloop's SAR: N).
        public var conversionCycles: Int
        /// The clock edge at which the first conversion begins, seconds.
        public var start: Double
        /// Edges of `clk` and `samp`, seconds.
        public var edgeSeconds: Double

        public init(bits: Int, bitPeriodSeconds: Double, sampleCycles: Int, conversionCycles: Int? = nil, start: Double,
                    edgeSeconds: Double) {
            self.bits = bits; self.bitPeriodSeconds = bitPeriodSeconds; self.sampleCycles = sampleCycles
            self.conversionCycles = conversionCycles ?? bits; self.start = start; self.edgeSeconds = edgeSeconds
        }

        /// One conversion, seconds: (sampleCycles + conversionCycles) bit periods.
        public var conversionSeconds: Double { Double(sampleCycles + conversionCycles) * bitPeriodSeconds }

        /// When conversion `j` (0-based) samples: `samp` rises then, and falls (holding the
        /// input) `sampleCycles` periods later.
        public func sampleStart(_ j: Int) -> Double { start + Double(j) * conversionSeconds + bitPeriodSeconds / 8 }
        public func sampleEnd(_ j: Int) -> Double { sampleStart(j) + Double(sampleCycles) * bitPeriodSeconds }

        /// A time at which the outputs show the code of conversion `j`: one bit period after it
        /// ends (they hold from its end until the end of the next one).
        public func readTime(_ j: Int) -> Double { start + Double(j + 1) * conversionSeconds + bitPeriodSeconds }

        /// The clock and sample sources for `conversions` back-to-back conversions (one-shot: 1).
        public func sources(clock: String = "clk", sample: String = "samp", supply: Double, conversions: Int,
                            ground: String = "0") -> [Element] {
            let t = bitPeriodSeconds, e = edgeSeconds
            let clockPulse = Pulse(initial: 0, pulsed: supply, delay: start, rise: e, fall: e, width: t / 2 - e, period: t)
            let period = conversions > 1 ? conversionSeconds : 1e3
            let samplePulse = Pulse(initial: 0, pulsed: supply, delay: sampleStart(0), rise: e, fall: e,
                                    width: Double(sampleCycles) * t - e, period: period)
            return [
                .voltageSource(IndependentSource(name: clock, plus: clock, minus: ground, dc: 0, waveform: .pulse(clockPulse))),
                .voltageSource(IndependentSource(name: sample, plus: sample, minus: ground, dc: 0, waveform: .pulse(samplePulse))),
            ]
        }
    }

    public let parameters: Parameters
    public let technology: Technology
    public let scale: ConverterScale
    /// Switch sizes: bottom plate to vrefp (PMOS) and vrefn (NMOS) of bit i, input gate of bit
    /// i, and the top-plate gate; index N is the terminating unit capacitor.
    public let referenceSwitches: [GateWidths]
    public let inputSwitches: [GateWidths]
    public let topSwitch: GateWidths
    public let switchLength: Double
    /// Comparator devices in order: diode, tail, pair (x2), mirror (x2), second stage, its sink,
    /// then the two inverters (n, p, n, p).
    public let comparatorDevices: [SizedDevice]

    public static func ports(bits: Int) -> [String] {
        ["vin", "vcm", "vrefp", "vrefn", "clk", "samp", "vdd", "vss"] + (0..<bits).map { "d\($0)" }
    }

    public init(_ parameters: Parameters = Parameters(), technology t: Technology) throws(ConverterDesignError) {
        let p = parameters
        guard (2...12).contains(p.bits) else {
            throw .invalidParameter(name: "bits", value: Double(p.bits), requirement: "between 2 and 12")
        }
        func check(_ name: String, _ value: Double, _ ok: Bool, _ requirement: String) throws(ConverterDesignError) {
            if !(value.isFinite && ok) { throw .invalidParameter(name: name, value: value, requirement: requirement) }
        }
        let mid = t.midRailVolts, vdd = t.supplyVolts
        try check("fullScaleVolts", p.fullScaleVolts, p.fullScaleVolts > 0 && p.fullScaleVolts * 1.1 < mid,
                  "positive and inside the rails (below \(formatSignificant(mid / 1.1, 3)) V)")
        try check("unitCapacitanceFarads", p.unitCapacitanceFarads, p.unitCapacitanceFarads >= 1e-16 && p.unitCapacitanceFarads <= 1e-9, "between 0.1 fF and 1 nF")
        try check("bitPeriodSeconds", p.bitPeriodSeconds, p.bitPeriodSeconds >= 1e-10 && p.bitPeriodSeconds <= 1e-3, "between 100 ps and 1 ms")
        try check("sampleCycles", Double(p.sampleCycles), p.sampleCycles >= 1 && p.sampleCycles <= 64, "between 1 and 64")
        try check("settlingFraction", p.settlingFraction, p.settlingFraction > 0 && p.settlingFraction < 1, "in (0, 1)")
        try check("comparatorBiasAmperes", p.comparatorBiasAmperes, p.comparatorBiasAmperes > 0 && p.comparatorBiasAmperes <= 1e-3, "in (0, 1 mA]")
        try check("logicDelaySeconds", p.logicDelaySeconds, p.logicDelaySeconds > 0 && p.logicDelaySeconds < p.bitPeriodSeconds / 10, "positive and below a tenth of the bit period")
        try check("switchEdgeSeconds", p.switchEdgeSeconds, p.switchEdgeSeconds > 0 && p.switchEdgeSeconds < p.bitPeriodSeconds / 8, "positive and below an eighth of the bit period")
        self.parameters = p
        technology = t
        scale = ConverterScale(bits: p.bits, fullScaleVolts: p.fullScaleVolts, midRailVolts: mid)
        let r = SARADC.referenceVolts(scale)
        guard r.low > 0.02 * vdd, r.high < 0.98 * vdd else {
            throw .unreachable("the references \(formatSignificant(r.low, 3))...\(formatSignificant(r.high, 3)) V leave the rails: lower fullScaleVolts")
        }

        // Settling to a quarter LSB in settlingFraction of a period: tau = that time / ln(2^(N+2)).
        let tau = p.settlingFraction * p.bitPeriodSeconds / (Double(p.bits + 2) * log(2))
        let sampleTau = p.settlingFraction * Double(p.sampleCycles) * p.bitPeriodSeconds / (Double(p.bits + 2) * log(2))
        let length = t.snapped(max(t.nmos.minimumLength, t.pmos.minimumLength))
        switchLength = length
        var refs: [GateWidths] = [], inputs: [GateWidths] = []
        for i in 0...p.bits {
            let c = p.unitCapacitanceFarads * (i == p.bits ? 1 : pow(2, Double(i)))
            let up = try SwitchSizing.size(t, resistance: tau / c, passing: r.high...r.high, length: length, only: .p)
            let down = try SwitchSizing.size(t, resistance: tau / c, passing: r.low...r.low, length: length, only: .n)
            refs.append(GateWidths(nmos: down.nmosWidth, pmos: up.pmosWidth))
            let input = try SwitchSizing.size(t, resistance: sampleTau / c, passing: r.low...r.high, length: length)
            inputs.append(GateWidths(nmos: input.nmosWidth, pmos: input.pmosWidth))
        }
        referenceSwitches = refs
        inputSwitches = inputs
        let total = p.unitCapacitanceFarads * Double(scale.codeCount)
        // The top-plate gate opens at vcm whatever the input, so its charge injection is an offset;
        // balancing the two channel charges (W C_ox |V_GS - V_T| alike for both devices) keeps it
        // small. Sized for the conductance with that ratio.
        let n = t.sizing.nmos, pt = t.sizing.pmos
        let slope = SwitchSizing.bodyEffectSlope
        let overdriveN = max(0.05, vdd - mid - slope * mid - n.triodeThresholdVolts)
        let overdriveP = max(0.05, mid - slope * (vdd - mid) - pt.triodeThresholdVolts)
        let ratio = (n.gateCapacitancePerArea * overdriveN) / (pt.gateCapacitancePerArea * overdriveP)
        let perNmosWidth = n.triodeConductance(width: 1, length: length, gateSourceVolts: vdd - mid - slope * mid)
            + pt.triodeConductance(width: ratio, length: length, gateSourceVolts: mid - slope * (vdd - mid))
        guard perNmosWidth > 0 else {
            throw .unreachable("no transmission gate conducts at the mid-rail \(formatSignificant(mid, 3)) V on a \(formatSignificant(vdd, 3)) V supply")
        }
        let topNmos = max(t.nmos.minimumWidth, total / sampleTau / perNmosWidth)
        topSwitch = GateWidths(nmos: t.snapped(topNmos), pmos: t.snapped(max(t.pmos.minimumWidth, ratio * topNmos)))

        // Comparator: L = 1.5 L_min; gm/Id 14 (pair), 10 (mirror and sinks).
        let lc = t.snapped(1.5 * max(t.nmos.minimumLength, t.pmos.minimumLength))
        let ib = p.comparatorBiasAmperes
        func w(_ table: GmIdTable, _ g: Double, _ current: Double, _ minimum: Double) throws(ConverterDesignError) -> Double {
            do { return t.snapped(max(minimum, current / (try table.point(length: lc, gmOverId: g)).currentDensity)) } catch { throw .table(error) }
        }
        let sink = try w(n, 10, ib, t.nmos.minimumWidth)
        let pair = try w(n, 14, ib, t.nmos.minimumWidth)
        let mirror = try w(pt, 10, ib, t.pmos.minimumWidth)
        let invN = t.snapped(2 * t.nmos.minimumWidth), invP = t.snapped(4 * t.pmos.minimumWidth)
        comparatorDevices = [
            SizedDevice("mcb", .n, sink, lc), SizedDevice("mct", .n, t.snapped(2 * sink), lc),
            SizedDevice("mc1", .n, pair, lc), SizedDevice("mc2", .n, pair, lc),
            SizedDevice("mc3", .p, mirror, lc), SizedDevice("mc4", .p, mirror, lc),
            SizedDevice("meqn", .n, t.snapped(2 * t.nmos.minimumWidth), t.nmos.minimumLength),
            SizedDevice("meqp", .p, t.snapped(2 * t.pmos.minimumWidth), t.pmos.minimumLength),
            SizedDevice("mc6", .p, t.snapped(2 * mirror), lc), SizedDevice("mc7", .n, t.snapped(2 * sink), lc),
            SizedDevice("mi1n", .n, invN, t.nmos.minimumLength), SizedDevice("mi1p", .p, invP, t.pmos.minimumLength),
            SizedDevice("mi2n", .n, invN, t.nmos.minimumLength), SizedDevice("mi2p", .p, invP, t.pmos.minimumLength),
        ]
    }

    /// vrefn, vrefp: the DAC's references shifted down half an LSB, so truncation rounds.
    public static func referenceVolts(_ scale: ConverterScale) -> (low: Double, high: Double) {
        let low = scale.midRailVolts - (Double(scale.midCode) + 0.5) * scale.lsbVolts
        return (low, low + Double(scale.codeCount) * scale.lsbVolts)
    }

    public var referenceVolts: (low: Double, high: Double) { SARADC.referenceVolts(scale) }

    /// The timing of conversions whose first one begins at clock edge `start`.
    public func timing(start: Double = 0) -> Timing {
        Timing(bits: parameters.bits, bitPeriodSeconds: parameters.bitPeriodSeconds, sampleCycles: parameters.sampleCycles,
               start: start, edgeSeconds: parameters.switchEdgeSeconds)
    }

    /// The binary code an ideal converter of this design gives for `volts`.
    public func idealCode(volts: Double) -> Int {
        let r = referenceVolts
        let c = floor((volts - r.low) / (r.high - r.low) * Double(scale.codeCount))
        return Int(min(max(c, 0), Double(scale.codeCount - 1)))
    }

    /// The binary code from the output levels `d0 ... d{N-1}` (volts), read at half the supply.
    public func code(fromOutputs levels: [Double]) -> Int? {
        guard levels.count == parameters.bits, levels.allSatisfy(\.isFinite) else { return nil }
        let threshold = technology.supplyVolts / 2
        return levels.enumerated().reduce(0) { $0 | ($1.element > threshold ? 1 << $1.offset : 0) }
    }

    /// Total capacitance of the array, farads (what `vin` must charge while sampling).
    public var samplingCapacitanceFarads: Double { parameters.unitCapacitanceFarads * Double(scale.codeCount) }

    public func subcircuit(name: String = "sar_adc") -> Subcircuit {
        let t = technology, p = parameters, n = p.bits, vdd = t.supplyVolts
        let l = switchLength
        let delay = p.logicDelaySeconds
        func num(_ x: Double) -> ParameterValue { .number(x) }
        let models: [Model] = [
            Model(name: "sar_ain", type: "adc_bridge", parameters: [
                Parameter("in_low", num(vdd / 2)), Parameter("in_high", num(vdd / 2)),
                Parameter("rise_delay", num(delay)), Parameter("fall_delay", num(delay))]),
            Model(name: "sar_aout", type: "dac_bridge", parameters: [
                Parameter("out_low", 0), Parameter("out_high", num(vdd)), Parameter("out_undef", num(vdd / 2)),
                Parameter("t_rise", num(p.switchEdgeSeconds)), Parameter("t_fall", num(p.switchEdgeSeconds))]),
            Model(name: "sar_ff", type: "d_dff", parameters: [
                Parameter("clk_delay", num(delay)), Parameter("set_delay", num(delay)), Parameter("reset_delay", num(delay))]),
            Model(name: "sar_and", type: "d_and", parameters: [Parameter("rise_delay", num(delay)), Parameter("fall_delay", num(delay))]),
            Model(name: "sar_or", type: "d_or", parameters: [Parameter("rise_delay", num(delay)), Parameter("fall_delay", num(delay))]),
            Model(name: "sar_nand", type: "d_nand", parameters: [Parameter("rise_delay", num(delay)), Parameter("fall_delay", num(delay))]),
            Model(name: "sar_nor", type: "d_nor", parameters: [Parameter("rise_delay", num(delay)), Parameter("fall_delay", num(delay))]),
            Model(name: "sar_inv", type: "d_inverter", parameters: [Parameter("rise_delay", num(delay)), Parameter("fall_delay", num(delay))]),
            // Bottom-plate sampling: the bottom plates follow the top plate by a few gate delays.
            Model(name: "sar_late", type: "d_buffer", parameters: [Parameter("rise_delay", num(4 * delay)), Parameter("fall_delay", num(4 * delay))]),
        ]
        func a(_ name: String, _ connections: [XspiceInstance.Connection], _ model: String) -> Element {
            .xspice(XspiceInstance(name: name, connections: connections, model: model))
        }
        func v(_ nodes: String...) -> XspiceInstance.Connection { .vector(nodes) }
        func d(_ node: String) -> XspiceInstance.Connection { .node(node) }
        var e: [Element] = []
        // Inputs to the digital domain.
        e.append(a("clkd", [v("clk"), v("clkd")], "sar_ain"))
        e.append(a("sampd", [v("samp"), v("sampd")], "sar_ain"))
        e.append(a("cmpd", [v("cmp"), v("keep")], "sar_ain"))
        e.append(a("late", [d("sampd"), d("sampl")], "sar_late"))
        e.append(a("conv", [d("sampl"), d("conv")], "sar_inv"))
        e.append(a("topb", [d("sampd"), d("sampdb")], "sar_inv"))
        // Sequencer: one-hot t0 (MSB trial) ... t{N-1} (LSB trial), t{N} done (held).
        e.append(a("t0", [d("sampd"), d("clkd"), d("sampd"), .null, d("t0"), .null], "sar_ff"))
        for i in 1..<n {
            e.append(a("t\(i)", [d("t\(i - 1)"), d("clkd"), .null, d("sampd"), d("t\(i)"), .null], "sar_ff"))
        }
        e.append(a("hold", [v("t\(n - 1)", "t\(n)"), d("tnext")], "sar_or"))
        e.append(a("t\(n)", [d("tnext"), d("clkd"), .null, d("sampd"), d("t\(n)"), .null], "sar_ff"))
        // The output register loads a few gate delays after the last decision, once q0 holds it
        // (q_b also loads, harmlessly, at the start of its own trial, when clkd is still high).
        e.append(a("done", [d("t\(n)"), d("done")], "sar_late"))
        // Decisions and switch drivers, bit b = N-1-i tried in step i.
        for i in 0..<n {
            let b = n - 1 - i
            e.append(a("g\(b)", [v("clkd", "t\(i)"), d("g\(b)")], "sar_and"))
            e.append(a("q\(b)", [d("keep"), d("g\(b)"), .null, d("sampd"), d("q\(b)"), .null], "sar_ff"))
            e.append(a("bit\(b)", [v("q\(b)", "t\(i)"), d("bit\(b)")], "sar_or"))
            e.append(a("up\(b)", [v("conv", "bit\(b)"), d("upb\(b)")], "sar_nand"))
            e.append(a("dn\(b)", [v("sampl", "bit\(b)"), d("dn\(b)")], "sar_nor"))
            e.append(a("r\(b)", [d("q\(b)"), d("done"), .null, .null, d("r\(b)"), .null], "sar_ff"))
            e.append(a("drv\(b)", [v("upb\(b)", "dn\(b)", "r\(b)"), v("gp\(b)", "gn\(b)", "d\(b)")], "sar_aout"))
        }
        e.append(a("sbbar", [d("sampl"), d("samplb")], "sar_inv"))
        // Comparator equaliser: shorts the first stage's outputs for the first half of each
        // period, starting just after the decision is latched, so every decision starts from
        // balance instead of recovering from the previous one's overdrive.
        e.append(a("eq", [d("clkd"), d("eqd")], "sar_late"))
        e.append(a("eqbar", [d("eqd"), d("eqbd")], "sar_inv"))
        e.append(a("drvs", [v("sampd", "sampdb", "sampl", "samplb", "conv", "eqd", "eqbd"),
                            v("st", "stb", "sb", "sbb", "cv", "eq", "eqb")], "sar_aout"))

        // Capacitor array: bit i has 2^i units; index N is the terminating unit (always to vrefn).
        for i in 0...n {
            let bottom = "bp\(i)"
            let units = i == n ? 1.0 : pow(2, Double(i))
            e.append(.capacitor("arr\(i)", "top", bottom, .expression("cu*\(SpiceNumber.format(units) ?? "1")")))
            let input = inputSwitches[i], reference = referenceSwitches[i]
            e.append(t.transistor("msn\(i)", .n, drain: bottom, gate: "sb", source: "vin", bulk: "vss", width: input.nmos, length: l))
            e.append(t.transistor("msp\(i)", .p, drain: bottom, gate: "sbb", source: "vin", bulk: "vdd", width: input.pmos, length: l))
            if i == n {
                e.append(t.transistor("mrn\(i)", .n, drain: bottom, gate: "cv", source: "vrefn", bulk: "vss", width: reference.nmos, length: l))
            } else {
                e.append(t.transistor("mrn\(i)", .n, drain: bottom, gate: "gn\(i)", source: "vrefn", bulk: "vss", width: reference.nmos, length: l))
                e.append(t.transistor("mrp\(i)", .p, drain: bottom, gate: "gp\(i)", source: "vrefp", bulk: "vdd", width: reference.pmos, length: l))
            }
        }
        e.append(t.transistor("mtn", .n, drain: "top", gate: "st", source: "vcm", bulk: "vss", width: topSwitch.nmos, length: l))
        e.append(t.transistor("mtp", .p, drain: "top", gate: "stb", source: "vcm", bulk: "vdd", width: topSwitch.pmos, length: l))

        // Comparator: cmp high when vcm > top (keep the bit).
        let cd = Dictionary(uniqueKeysWithValues: comparatorDevices.map { ($0.name, $0) })
        func m(_ name: String, _ drain: String, _ gate: String, _ source: String) -> Element {
            guard let x = cd[name] else { preconditionFailure("the comparator has no device \(name)") }
            let bulk = x.polarity == .n ? "vss" : "vdd"
            return t.transistor(name, x.polarity, drain: drain, gate: gate, source: source, bulk: bulk, width: x.width, length: x.length)
        }
        e += [
            .currentSource(IndependentSource(name: "Icmp", plus: "vdd", minus: "cb", dc: .expression("icmp"))),
            m("mcb", "cb", "cb", "vss"), m("mct", "ct", "cb", "vss"),
            m("mc1", "c1", "top", "ct"), m("mc2", "c2", "vcm", "ct"),
            m("mc3", "c1", "c1", "vdd"), m("mc4", "c2", "c1", "vdd"),
            m("meqn", "c1", "eq", "c2"), m("meqp", "c1", "eqb", "c2"),
            m("mc6", "c3", "c2", "vdd"), m("mc7", "c3", "cb", "vss"),
            m("mi1n", "c4", "c3", "vss"), m("mi1p", "c4", "c3", "vdd"),
            m("mi2n", "cmp", "c4", "vss"), m("mi2p", "cmp", "c4", "vdd"),
        ]
        return Subcircuit(
            name: name, ports: SARADC.ports(bits: n),
            parameters: [Parameter("cu", num(p.unitCapacitanceFarads)), Parameter("icmp", num(p.comparatorBiasAmperes))],
            comments: [
                "\(n)-bit SAR ADC on \(t.identifier): bottom-plate-sampled binary capacitor array (unit \(engineering(p.unitCapacitanceFarads, unit: "F"))),",
                "static three-stage comparator, XSPICE SAR logic; bit period \(engineering(p.bitPeriodSeconds, unit: "s")), \(p.sampleCycles) sampling periods",
                "code = floor((vin - vrefn) / LSB), LSB = (vrefp - vrefn) / 2^\(n); d0 (LSB) ... d\(n - 1) hold it after each conversion",
            ],
            models: models, elements: e)
    }

    /// The scale and references: what a designer's ADC in its place is driven with.
    public var scaleValues: [DesignValue] {
        let r = referenceVolts
        return [
            DesignValue("adc.bits", Double(parameters.bits), "bit", "resolution"),
            DesignValue("adc.fullScale", parameters.fullScaleVolts, "V", "full scale about mid-rail (mapping convention)"),
            DesignValue("adc.lsb", scale.lsbVolts, "V", "one LSB"),
            DesignValue("adc.vrefn", r.low, "V", "low reference (half an LSB below the DAC's: rounding)"),
            DesignValue("adc.vrefp", r.high, "V", "high reference"),
        ]
    }

    public var designValues: [DesignValue] {
        let p = parameters, timing = timing()
        var values = scaleValues + [
            DesignValue("adc.cu", p.unitCapacitanceFarads, "F", "unit capacitor"),
            DesignValue("adc.csample", samplingCapacitanceFarads, "F", "sampling capacitance (2^N units)"),
            DesignValue("adc.tbit", p.bitPeriodSeconds, "s", "bit period"),
            DesignValue("adc.sampleCycles", Double(p.sampleCycles), "", "sampling time in bit periods"),
            DesignValue("adc.conversion", timing.conversionSeconds, "s", "one conversion"),
            DesignValue("adc.icmp", p.comparatorBiasAmperes, "A", "comparator reference current (x5 in total)"),
            DesignValue("adc.logicDelay", p.logicDelaySeconds, "s", "XSPICE gate delay"),
            DesignValue("adc.switchEdge", p.switchEdgeSeconds, "s", "switch driver edge"),
            DesignValue("adc.switch.l", switchLength, "m", "switch length"),
            DesignValue("adc.msbRef.wp", referenceSwitches[p.bits - 1].pmos, "m", "MSB vrefp switch width"),
            DesignValue("adc.msbRef.wn", referenceSwitches[p.bits - 1].nmos, "m", "MSB vrefn switch width"),
            DesignValue("adc.msbIn.wn", inputSwitches[p.bits - 1].nmos, "m", "MSB input gate NMOS width"),
            DesignValue("adc.msbIn.wp", inputSwitches[p.bits - 1].pmos, "m", "MSB input gate PMOS width"),
            DesignValue("adc.top.wn", topSwitch.nmos, "m", "top-plate gate NMOS width"),
            DesignValue("adc.top.wp", topSwitch.pmos, "m", "top-plate gate PMOS width"),
        ]
        for d in comparatorDevices {
            values.append(DesignValue("adc.\(d.name).w", d.width, "m", "comparator \(d.name) width (L \(engineering(d.length, unit: "m")))"))
        }
        return values
    }
}
