import Reports
import Foundation
import Netlist

/// A two-stage Miller-compensated OTA, sized for a technology from a specification.
///
/// Topology (NMOS input, ports `inp inn out vdd vss`):
///
/// ```
///            vdd ──┬────────────┬──────────────┬─────────┐
///               Ibias        m3 ⊐─┬─⊏ m4        m6 ⊐       │
///                 │     n1 ───┘   │   └─── n2 ───┘ │       │
///   nb ──┬────────┘      │        │        │       ├── out  │
///   m8 ⊐─┘(diode)   inn ─⊏ m1   m2 ⊐─ inp  rz─nz─cc┘       │
///        │              └── tail ──┘               m7 ⊐    │
///        │                   m5 ⊐ (gate nb)           │     │
///            vss ────────────┴────────────────────────┴─────┘
/// ```
///
/// m1/m2 NMOS input pair, m3/m4 PMOS mirror load, m5 tail, m6 PMOS common-source second
/// stage, m7 its current-source load, m8 the diode of the bias mirror fed by an ideal
/// reference current `biasCurrent` from vdd (so its power is in the supply current), Cc in
/// series with the nulling resistor Rz from n2 to out. The inputs must sit near
/// `inputCommonModeVolts` (default mid-rail): the circuits Crossloop builds keep every
/// non-inverting input at the mid-rail reference.
///
/// ## Sizing procedure (gm/Id method on the technology's nominal tables)
/// 1. Cc = `compensationRatio` CL. gm1 = 2 pi GBW Cc sets the unity-gain frequency;
///    I1 = gm1 / (gm/Id)_in per input device, I5 = 2 I1 (slew rate I5 / Cc).
/// 2. The DC gain target is split between the stages, A0 = A1 A2 with A1 = A0^s for
///    s = 0.30 ... 0.70 (... 0.85 with a resistive load, whose second stage needs twice its
///    share as intrinsic gain): A1 = (gm/Id)_in / (1/VA_m2 + 1/VA_m4) sets the first-stage length L1
///    (m1-m4), A2 = (gm/Id)_m6 / (1/VA_m6 + 1/VA_m7) the second-stage length L2 (m5-m8),
///    each the shortest length that reaches its share (bisection in log L on the tables),
///    with every Early voltage read at that device's own V_DS.
/// 3. m6 runs at the |V_GS| of m4 (gm/Id from the table at L2), which cancels the systematic
///    offset: the first stage's output then sits where m6 conducts exactly I6.
/// 4. gm6 is the smallest value for which the predicted phase margin reaches the target,
///    with the poles: dominant GBW/A0; second gm6 Cc / (C1 C2 + Cc (C1 + C2)) with C1 the
///    gate capacitance of m6 plus the drain overlaps of m2/m4 and C2 = CL plus those of
///    m6/m7; the nulling pole 1 / (Rz C1); the mirror pole gm3 / (Cgg3 + Cgg4) with its
///    zero at twice its frequency; Rz = `nullingResistorFactor` / gm6 (1 places the Miller
///    zero at infinity). I6 = gm6 / (gm/Id)_m6. With a resistive load RL, gm6 is also at
///    least what keeps A2 = gm6 / (gds6 + gds7 + 1/RL) at its share.
/// 5. Of the splits, the one with the least supply current wins. Widths follow as I / (Id/W)
///    from the tables at each device's own V_DS (so the mirrors m8 -> m5, m7 copy the
///    currents they should); widths below the minimum are raised to it, and every W and L is
///    rounded to the technology's drawing grid (`Technology.snapped`).
/// Errors say which target cannot be met and what to relax.
///
/// Sizing always uses the nominal tables (`Technology.sizing`): a design is made at the
/// typical corner and room temperature; characterise it at other corners to see it move.
public struct MillerOTA: Sendable, Hashable {
    /// What the amplifier must do, and the design choices of the procedure. Every value has a
    /// unit and a default; `designValues` lists them.
    public struct Specification: Sendable, Hashable, Codable {
        /// DC open-loop gain A0, V/V. Default 3000 (69.5 dB).
        public var dcGain: Double
        /// Gain-bandwidth product GBW = A0 f_-3dB, Hz. Default 30 MHz.
        public var gainBandwidthHertz: Double
        /// Phase margin at the unity-gain frequency, degrees. Default 60.
        public var phaseMarginDegrees: Double
        /// Load capacitance the margin is designed for, farads. Default 2 pF.
        public var loadCapacitanceFarads: Double
        /// Resistive load from the output to the mid-rail reference, ohms (what a crossbar row or
        /// column presents); nil: none. The second stage's current rises until its gain holds.
        public var loadResistanceOhms: Double?
        /// Reference current into the bias diode m8, amperes. Default 10 uA.
        public var biasCurrentAmperes: Double
        /// Input common-mode voltage, volts; nil: mid-rail.
        public var inputCommonModeVolts: Double?
        /// gm/Id of the input pair, S/A. Default 18 (moderate inversion: gm per ampere and headroom).
        public var inputGmOverId: Double
        /// gm/Id of the PMOS mirror m3/m4, S/A. Default 12.
        public var loadGmOverId: Double
        /// gm/Id of the NMOS current sources m5, m7, m8, S/A. Default 14.
        public var sinkGmOverId: Double
        /// Cc / CL, dimensionless. Default 0.3.
        public var compensationRatio: Double
        /// Rz gm6, dimensionless. Default 1 (Miller zero at infinity).
        public var nullingResistorFactor: Double

        public init(dcGain: Double = 3000, gainBandwidthHertz: Double = 30e6, phaseMarginDegrees: Double = 60,
                    loadCapacitanceFarads: Double = 2e-12, biasCurrentAmperes: Double = 10e-6,
                    inputCommonModeVolts: Double? = nil, inputGmOverId: Double = 18, loadGmOverId: Double = 12,
                    sinkGmOverId: Double = 14, compensationRatio: Double = 0.3, nullingResistorFactor: Double = 1,
                    loadResistanceOhms: Double? = nil) {
            self.dcGain = dcGain; self.gainBandwidthHertz = gainBandwidthHertz
            self.phaseMarginDegrees = phaseMarginDegrees; self.loadCapacitanceFarads = loadCapacitanceFarads
            self.biasCurrentAmperes = biasCurrentAmperes; self.inputCommonModeVolts = inputCommonModeVolts
            self.inputGmOverId = inputGmOverId; self.loadGmOverId = loadGmOverId; self.sinkGmOverId = sinkGmOverId
            self.compensationRatio = compensationRatio; self.nullingResistorFactor = nullingResistorFactor
            self.loadResistanceOhms = loadResistanceOhms
        }

        public var designValues: [DesignValue] {
            var values = [
                DesignValue("ota.target.dcGain", dcGain, "V/V", "target DC open-loop gain A0 (\(formatSignificant(20 * log10(dcGain), 3)) dB)"),
                DesignValue("ota.target.gbw", gainBandwidthHertz, "Hz", "target gain-bandwidth product"),
                DesignValue("ota.target.phaseMargin", phaseMarginDegrees, "deg", "target phase margin"),
                DesignValue("ota.load", loadCapacitanceFarads, "F", "load capacitance designed for"),
                DesignValue("ota.ibias", biasCurrentAmperes, "A", "reference current into the bias diode m8"),
                DesignValue("ota.gmid.input", inputGmOverId, "S/A", "gm/Id of the input pair m1/m2"),
                DesignValue("ota.gmid.load", loadGmOverId, "S/A", "gm/Id of the mirror load m3/m4"),
                DesignValue("ota.gmid.sink", sinkGmOverId, "S/A", "gm/Id of the current sources m5/m7/m8"),
                DesignValue("ota.ccRatio", compensationRatio, "", "Cc / CL"),
                DesignValue("ota.rzFactor", nullingResistorFactor, "", "Rz gm6"),
            ]
            if let vcm = inputCommonModeVolts { values.append(DesignValue("ota.vcm", vcm, "V", "input common mode")) }
            if let r = loadResistanceOhms { values.append(DesignValue("ota.loadR", r, "Ohm", "resistive load to mid-rail designed for")) }
            return values
        }

        func validate(supply: Double) throws(AmplifierDesignError) {
            func check(_ name: String, _ value: Double, _ ok: Bool, _ requirement: String) throws(AmplifierDesignError) {
                if !(value.isFinite && ok) { throw .invalidSpecification(name: name, value: value, requirement: requirement) }
            }
            try check("dcGain", dcGain, dcGain >= 10 && dcGain <= 1e6, "between 10 and 1e6 V/V")
            try check("gainBandwidthHertz", gainBandwidthHertz, gainBandwidthHertz > 0 && gainBandwidthHertz <= 5e9, "in (0, 5 GHz]")
            try check("phaseMarginDegrees", phaseMarginDegrees, phaseMarginDegrees >= 20 && phaseMarginDegrees <= 85, "between 20 and 85 degrees")
            try check("loadCapacitanceFarads", loadCapacitanceFarads, loadCapacitanceFarads > 0 && loadCapacitanceFarads <= 1e-6, "in (0, 1 uF]")
            try check("biasCurrentAmperes", biasCurrentAmperes, biasCurrentAmperes > 0 && biasCurrentAmperes <= 1e-2, "in (0, 10 mA]")
            try check("compensationRatio", compensationRatio, compensationRatio > 0 && compensationRatio <= 10, "in (0, 10]")
            try check("nullingResistorFactor", nullingResistorFactor, nullingResistorFactor >= 0 && nullingResistorFactor <= 10, "in [0, 10]")
            for (name, g) in [("inputGmOverId", inputGmOverId), ("loadGmOverId", loadGmOverId), ("sinkGmOverId", sinkGmOverId)] {
                try check(name, g, g >= 3 && g <= 30, "between 3 and 30 S/A")
            }
            if let vcm = inputCommonModeVolts {
                try check("inputCommonModeVolts", vcm, vcm > 0 && vcm < supply, "inside the supply (0, \(supply)) V")
            }
            if let r = loadResistanceOhms {
                try check("loadResistanceOhms", r, r >= 10 && r <= 1e12, "between 10 Ohm and 1 TOhm")
            }
        }
    }

    /// One sized transistor.
    public struct Device: Sendable, Hashable, Codable {
        /// `m1` ... `m8`.
        public var name: String
        /// What it does, for reports.
        public var role: String
        public var polarity: MOSPolarity
        /// Metres.
        public var width: Double
        /// Metres.
        public var length: Double
        /// Designed drain current, amperes.
        public var drainCurrent: Double
        /// Designed gm/Id, S/A.
        public var gmOverId: Double
    }

    /// What the sizing procedure predicts (small-signal, nominal corner).
    public struct Prediction: Sendable, Hashable, Codable {
        public var dcGain: Double
        public var firstStageGain: Double
        public var secondStageGain: Double
        /// gm1 / (2 pi Cc), Hz.
        public var gainBandwidthHertz: Double
        /// Where |A| = 1 in the pole model, Hz.
        public var unityGainHertz: Double
        public var phaseMarginDegrees: Double
        public var secondPoleHertz: Double
        public var mirrorPoleHertz: Double
        public var nullingPoleHertz: Double
        /// min(I5 / Cc, (I7 - I5) / CL), V/s.
        public var slewRateVoltsPerSecond: Double
        /// Iref + I5 + I7, amperes.
        public var supplyCurrentAmperes: Double
        public var powerWatts: Double
        /// Tail node voltage, volts (the input pair's headroom).
        public var tailVolts: Double
        /// Output range where every device stays saturated, volts.
        public var outputLowVolts: Double
        public var outputHighVolts: Double
    }

    public let specification: Specification
    public let technology: Technology
    /// m1 ... m8 in order.
    public let devices: [Device]
    /// Miller capacitance, farads.
    public let compensationCapacitance: Double
    /// Nulling resistor, ohms.
    public let nullingResistance: Double
    /// Fraction of the gain (log) given to the first stage.
    public let gainSplit: Double
    public let prediction: Prediction

    /// Subcircuit ports, in order.
    public static let ports = ["inp", "inn", "out", "vdd", "vss"]

    public init(_ specification: Specification = Specification(), technology: Technology) throws(AmplifierDesignError) {
        let sizing = try MillerSizing(specification, technology)
        self.specification = specification
        self.technology = technology
        devices = sizing.devices
        compensationCapacitance = sizing.cc
        nullingResistance = sizing.rz
        gainSplit = sizing.split
        prediction = sizing.prediction
    }

    public func device(_ name: String) -> Device? { devices.first { $0.name == name } }

    /// `.subckt <name> inp inn out vdd vss params: cc=... rz=... ibias=...`: the sized OTA.
    /// Cc, Rz and the bias current are subcircuit parameters, so an instance can override them.
    /// The technology's models must be in the deck (`technology.prepare(&deck)`).
    public func subcircuit(name: String = "miller_ota") -> Subcircuit {
        let t = technology
        func m(_ d: Device, _ drain: String, _ gate: String, _ source: String, _ bulk: String) -> Element {
            t.transistor(d.name, d.polarity, drain: drain, gate: gate, source: source, bulk: bulk, width: d.width,
                         length: d.length)
        }
        let byName = Dictionary(uniqueKeysWithValues: devices.map { ($0.name, $0) })
        func d(_ name: String) -> Device {
            guard let device = byName[name] else { preconditionFailure("the OTA has no device \(name)") }
            return device
        }
        let p = prediction
        let spec = specification
        return Subcircuit(
            name: name, ports: MillerOTA.ports,
            parameters: [Parameter("cc", .number(compensationCapacitance)), Parameter("rz", .number(nullingResistance)),
                         Parameter("ibias", .number(spec.biasCurrentAmperes))],
            comments: [
                "two-stage Miller OTA on \(t.identifier), sized by the gm/Id procedure of MillerOTA",
                "targets: A0 \(engineering(spec.dcGain, unit: "V/V")), GBW \(engineering(spec.gainBandwidthHertz, unit: "Hz")), PM \(formatSignificant(spec.phaseMarginDegrees, 3)) deg into \(engineering(spec.loadCapacitanceFarads, unit: "F"))",
                "predicted: A0 \(engineering(p.dcGain, unit: "V/V")), GBW \(engineering(p.gainBandwidthHertz, unit: "Hz")), PM \(formatSignificant(p.phaseMarginDegrees, 3)) deg, supply current \(engineering(p.supplyCurrentAmperes, unit: "A"))",
            ],
            elements: [
                .currentSource(IndependentSource(name: "Ibias", plus: "vdd", minus: "nb", dc: .expression("ibias"))),
                m(d("m8"), "nb", "nb", "vss", "vss"),
                m(d("m5"), "tail", "nb", "vss", "vss"),
                m(d("m1"), "n1", "inn", "tail", "vss"),
                m(d("m2"), "n2", "inp", "tail", "vss"),
                m(d("m3"), "n1", "n1", "vdd", "vdd"),
                m(d("m4"), "n2", "n1", "vdd", "vdd"),
                m(d("m6"), "out", "n2", "vdd", "vdd"),
                m(d("m7"), "out", "nb", "vss", "vss"),
                .resistor("Rz", "n2", "nz", .expression("rz")),
                .capacitor("Cc", "nz", "out", .expression("cc")),
            ]
        )
    }

    /// The specification, the sizing results and the predictions, for reports.
    public var designValues: [DesignValue] {
        var values = specification.designValues
        values.append(DesignValue("ota.vdd", technology.supplyVolts, "V", "supply (\(technology.identifier))"))
        values.append(DesignValue("ota.cc", compensationCapacitance, "F", "Miller capacitance Cc"))
        values.append(DesignValue("ota.rz", nullingResistance, "Ohm", "nulling resistor Rz"))
        values.append(DesignValue("ota.split", gainSplit, "", "share of log(A0) given to the first stage"))
        for d in devices {
            values.append(DesignValue("ota.\(d.name).w", d.width, "m", "\(d.role): width"))
            values.append(DesignValue("ota.\(d.name).l", d.length, "m", "\(d.role): length"))
            values.append(DesignValue("ota.\(d.name).id", d.drainCurrent, "A", "\(d.role): drain current, gm/Id \(formatSignificant(d.gmOverId, 3)) S/A"))
        }
        let p = prediction
        values += [
            DesignValue("ota.predicted.dcGain", p.dcGain, "V/V", "predicted A0 (stages \(formatSignificant(p.firstStageGain, 3)) x \(formatSignificant(p.secondStageGain, 3)))"),
            DesignValue("ota.predicted.gbw", p.gainBandwidthHertz, "Hz", "predicted GBW = gm1 / (2 pi Cc)"),
            DesignValue("ota.predicted.unityGain", p.unityGainHertz, "Hz", "predicted unity-gain frequency"),
            DesignValue("ota.predicted.phaseMargin", p.phaseMarginDegrees, "deg", "predicted phase margin"),
            DesignValue("ota.predicted.p2", p.secondPoleHertz, "Hz", "predicted second pole"),
            DesignValue("ota.predicted.mirrorPole", p.mirrorPoleHertz, "Hz", "predicted mirror pole"),
            DesignValue("ota.predicted.slew", p.slewRateVoltsPerSecond, "V/s", "predicted slew rate"),
            DesignValue("ota.predicted.current", p.supplyCurrentAmperes, "A", "predicted supply current"),
            DesignValue("ota.predicted.power", p.powerWatts, "W", "predicted power"),
            DesignValue("ota.predicted.tail", p.tailVolts, "V", "tail node voltage"),
            DesignValue("ota.predicted.outLow", p.outputLowVolts, "V", "lowest output with m7 saturated"),
            DesignValue("ota.predicted.outHigh", p.outputHighVolts, "V", "highest output with m6 saturated"),
        ]
        return values
    }
}

/// Why an OTA cannot be designed.
public enum AmplifierDesignError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSpecification(name: String, value: Double, requirement: String)
    /// The targets cannot be met together; the text says which and what to relax.
    case unreachable(String)
    /// A sizing-table lookup failed.
    case table(TechnologyError)

    public var description: String {
        switch self {
        case let .invalidSpecification(name, value, requirement):
            return "OTA \(name) = \(formatSignificant(value, 6)) is invalid: it must be \(requirement)"
        case .unreachable(let reason): return "OTA targets unreachable: \(reason)"
        case .table(let error): return "OTA sizing: \(error)"
        }
    }
}

/// The procedure of `MillerOTA`, step by step.
struct MillerSizing {
    let devices: [MillerOTA.Device]
    let cc: Double
    let rz: Double
    let split: Double
    let prediction: MillerOTA.Prediction

    /// One candidate design for one gain split.
    private struct Candidate {
        var split: Double
        var l1: Double, l2: Double
        var a1: Double, a2: Double
        var g6: Double
        var gm6: Double
        var pole: PoleModel.Result
        var current: Double
    }

    init(_ spec: MillerOTA.Specification, _ t: Technology) throws(AmplifierDesignError) {
        try spec.validate(supply: t.supplyVolts)
        let n = t.sizing.nmos, p = t.sizing.pmos
        let vdd = t.supplyVolts, vcm = spec.inputCommonModeVolts ?? vdd / 2, vout = vdd / 2
        let lMin = max(n.shortestLength, p.shortestLength, t.nmos.minimumLength, t.pmos.minimumLength)
        let lMax = min(n.longestLength, p.longestLength)
        let gIn = spec.inputGmOverId, gLoad = spec.loadGmOverId, gSink = spec.sinkGmOverId
        for (name, table, g) in [("inputGmOverId", n, gIn), ("loadGmOverId", p, gLoad), ("sinkGmOverId", n, gSink)]
            where !table.gmOverIdRange.contains(g) {
            throw .invalidSpecification(name: name, value: g,
                                        requirement: "inside the \(table.polarity.rawValue)MOS table of \(t.identifier), \(table.gmOverIdRange) S/A")
        }

        let cc = spec.compensationRatio * spec.loadCapacitanceFarads
        let gm1 = 2 * Double.pi * spec.gainBandwidthHertz * cc
        let i1 = gm1 / gIn, i5 = 2 * i1

        func look(_ table: GmIdTable, _ l: Double, _ g: Double, vds: Double? = nil) throws(AmplifierDesignError) -> DevicePoint {
            do { return try table.point(length: l, gmOverId: g, drainSourceVolts: vds) } catch { throw .table(error) }
        }
        // Each device's own |V_DS| (no body effect): m4 is a diode; m2 sits between the mirror
        // node and the tail; m6 and m7 share the output at mid-rail.
        func vsg4(_ l1: Double) throws(AmplifierDesignError) -> Double { try look(p, l1, gLoad).gateSourceVolts }
        func tailVolts(_ l1: Double) throws(AmplifierDesignError) -> Double { vcm - (try look(n, l1, gIn)).gateSourceVolts }
        func stage1(_ l: Double) throws(AmplifierDesignError) -> Double {
            let v4 = try vsg4(l)
            let vds2 = vdd - v4 - (try tailVolts(l))
            return gIn / (1 / (try look(n, l, gIn, vds: vds2)).earlyVoltage + 1 / (try look(p, l, gLoad, vds: v4)).earlyVoltage)
        }
        /// gm/Id of m6 at L2 for the |V_GS| of m4 at L1 (zero systematic offset).
        func g6(_ l1: Double, _ l2: Double) throws(AmplifierDesignError) -> Double {
            (try? p.gmOverId(forGateSourceVolts: try vsg4(l1), length: l2)) ?? gLoad
        }
        func stage2(_ l1: Double, _ l2: Double) throws(AmplifierDesignError) -> Double {
            let g = try g6(l1, l2)
            return g / (1 / (try look(p, l2, g, vds: vdd - vout)).earlyVoltage + 1 / (try look(n, l2, gSink, vds: vout)).earlyVoltage)
        }
        /// Shortest L in [lMin, lMax] with gain(L) >= target, nil when lMax does not reach it.
        func shortest(_ target: Double, _ gain: (Double) throws(AmplifierDesignError) -> Double) throws(AmplifierDesignError) -> Double? {
            if try gain(lMin) >= target { return lMin }
            guard try gain(lMax) >= target else { return nil }
            var lo = log(lMin), hi = log(lMax)
            for _ in 0..<50 {
                let mid = (lo + hi) / 2
                if try gain(exp(mid)) >= target { hi = mid } else { lo = mid }
            }
            return exp(hi)
        }

        // Headroom of the input pair.
        let vgs1Nominal = try look(n, lMin, gIn).gateSourceVolts
        let vtail = vcm - vgs1Nominal
        let vdsat5 = 2 / gSink
        guard vtail >= vdsat5 else {
            throw .unreachable("the input common mode \(formatSignificant(vcm, 3)) V leaves the tail at \(formatSignificant(vtail, 3)) V, below the \(formatSignificant(vdsat5, 3)) V the tail source needs: raise inputGmOverId or the common mode")
        }

        var best: Candidate?
        var bestPhase = -Double.infinity
        var maximumGain = 0.0
        // With a resistive load the second stage is given twice its share as intrinsic gain (the
        // load takes the other half), and the first stage may carry more of the total.
        let loaded = spec.loadResistanceOhms != nil
        for step in 0...(loaded ? 11 : 8) {
            let s = 0.3 + 0.05 * Double(step)
            let a1Target = pow(spec.dcGain, s), a2Target = pow(spec.dcGain, 1 - s)
            guard let l1 = try shortest(a1Target, stage1) else {
                maximumGain = max(maximumGain, try stage1(lMax) * stage2(lMax, lMax))
                continue
            }
            let intrinsicTarget = loaded ? 2 * a2Target : a2Target
            guard let l2 = try shortest(intrinsicTarget, { (l: Double) throws(AmplifierDesignError) in try stage2(l1, l) }) else {
                maximumGain = max(maximumGain, try stage1(lMax) * stage2(lMax, lMax))
                continue
            }
            let g = try g6(l1, l2)
            let a1 = try stage1(l1)
            var a2 = try stage2(l1, l2)
            // A resistive load: the stage gain is gm6 / (gds6 + gds7 + 1/RL) with gds = I6 / VA, so
            // gm6 must be at least (A2 / RL) / (1 - A2 (1/VA6 + 1/VA7) / (gm/Id)_6).
            var minimumGm6 = 0.0
            var outputConductancePerGm6 = 0.0
            if let rl = spec.loadResistanceOhms {
                let va6 = try look(p, l2, g, vds: vdd - vout).earlyVoltage, va7 = try look(n, l2, gSink, vds: vout).earlyVoltage
                outputConductancePerGm6 = (1 / va6 + 1 / va7) / g
                let margin = 1 - a2Target * outputConductancePerGm6
                guard margin > 0.05 else {
                    maximumGain = max(maximumGain, try stage1(lMax) * stage2(lMax, lMax))
                    continue
                }
                minimumGm6 = a2Target / rl / margin
            }
            let pm = PoleModel(spec: spec, technology: t, l1: l1, l2: l2, i1: i1, gm1: gm1, cc: cc, g6: g,
                               dcGain: a1 * a2)
            guard let (gm6, result) = try pm.smallestGm6(reaching: spec.phaseMarginDegrees, atLeast: minimumGm6) else {
                bestPhase = max(bestPhase, try pm.bestPhase())
                continue
            }
            if let rl = spec.loadResistanceOhms { a2 = gm6 / (gm6 * outputConductancePerGm6 + 1 / rl) }
            let current = spec.biasCurrentAmperes + i5 + gm6 / g
            let candidate = Candidate(split: s, l1: l1, l2: l2, a1: a1, a2: a2, g6: g, gm6: gm6, pole: result,
                                      current: current)
            if let b = best, b.current <= current { continue }
            best = candidate
        }
        guard let c = best else {
            if bestPhase > -Double.infinity {
                throw .unreachable("no gain split reaches \(formatSignificant(spec.phaseMarginDegrees, 3)) deg of phase margin (best \(formatSignificant(bestPhase, 3)) deg): lower the DC gain or the GBW, or raise compensationRatio")
            }
            throw .unreachable("A0 = \(formatSignificant(spec.dcGain, 4)) V/V needs channels longer than the \(engineering(lMax, unit: "m")) of the sizing tables (about \(formatSignificant(maximumGain, 3)) V/V at most): lower the DC gain")
        }

        // Widths from the current density at each device's own |V_DS| (so the mirrors m8 -> m5,
        // m7 copy the currents they should).
        func width(_ table: GmIdTable, _ l: Double, _ g: Double, current: Double, vds: Double, minimum: Double)
            throws(AmplifierDesignError) -> Double
        {
            max(minimum, current / (try look(table, l, g, vds: vds)).currentDensity)
        }
        let i6 = c.gm6 / c.g6
        let v4 = try vsg4(c.l1)
        let vgs8 = try look(n, c.l2, gSink).gateSourceVolts
        let tail = try tailVolts(c.l1)
        let wMinN = t.nmos.minimumWidth, wMinP = t.pmos.minimumWidth
        let snap = { (x: Double) in t.snapped(x) }
        let w1 = try width(n, c.l1, gIn, current: i1, vds: vdd - v4 - tail, minimum: wMinN)
        let w4 = try width(p, c.l1, gLoad, current: i1, vds: v4, minimum: wMinP)
        let w6 = try width(p, c.l2, c.g6, current: i6, vds: vdd - vout, minimum: wMinP)
        let w8 = try width(n, c.l2, gSink, current: spec.biasCurrentAmperes, vds: vgs8, minimum: wMinN)
        let w5 = try width(n, c.l2, gSink, current: i5, vds: tail, minimum: wMinN)
        let w7 = try width(n, c.l2, gSink, current: i6, vds: vout, minimum: wMinN)

        devices = [
            .init(name: "m1", role: "input (inverting side)", polarity: .n, width: snap(w1), length: snap(c.l1), drainCurrent: i1, gmOverId: gIn),
            .init(name: "m2", role: "input (non-inverting side)", polarity: .n, width: snap(w1), length: snap(c.l1), drainCurrent: i1, gmOverId: gIn),
            .init(name: "m3", role: "mirror diode", polarity: .p, width: snap(w4), length: snap(c.l1), drainCurrent: i1, gmOverId: gLoad),
            .init(name: "m4", role: "mirror output", polarity: .p, width: snap(w4), length: snap(c.l1), drainCurrent: i1, gmOverId: gLoad),
            .init(name: "m5", role: "tail source", polarity: .n, width: snap(w5), length: snap(c.l2), drainCurrent: i5, gmOverId: gSink),
            .init(name: "m6", role: "second stage", polarity: .p, width: snap(w6), length: snap(c.l2), drainCurrent: i6, gmOverId: c.g6),
            .init(name: "m7", role: "second-stage load", polarity: .n, width: snap(w7), length: snap(c.l2), drainCurrent: i6, gmOverId: gSink),
            .init(name: "m8", role: "bias diode", polarity: .n, width: snap(w8), length: snap(c.l2), drainCurrent: spec.biasCurrentAmperes, gmOverId: gSink),
        ]
        self.cc = cc
        rz = spec.nullingResistorFactor / c.gm6
        split = c.split
        let supplyCurrent = spec.biasCurrentAmperes + i5 + i6
        prediction = MillerOTA.Prediction(
            dcGain: c.a1 * c.a2, firstStageGain: c.a1, secondStageGain: c.a2,
            gainBandwidthHertz: gm1 / (2 * Double.pi * cc), unityGainHertz: c.pole.unityGainHertz,
            phaseMarginDegrees: c.pole.phaseMarginDegrees, secondPoleHertz: c.pole.secondPoleHertz,
            mirrorPoleHertz: c.pole.mirrorPoleHertz, nullingPoleHertz: c.pole.nullingPoleHertz,
            slewRateVoltsPerSecond: min(i5 / cc, max(i6 - i5, 0) / spec.loadCapacitanceFarads),
            supplyCurrentAmperes: supplyCurrent, powerWatts: supplyCurrent * vdd, tailVolts: tail,
            outputLowVolts: 2 / gSink, outputHighVolts: vdd - 2 / c.g6)
    }
}

/// The small-signal pole model of the sizing procedure (step 4).
struct PoleModel {
    let spec: MillerOTA.Specification
    let technology: Technology
    let l1: Double, l2: Double
    let i1: Double, gm1: Double, cc: Double, g6: Double
    let dcGain: Double

    struct Result {
        var phaseMarginDegrees: Double
        var unityGainHertz: Double
        var secondPoleHertz: Double
        var mirrorPoleHertz: Double
        var nullingPoleHertz: Double
    }

    func evaluate(gm6: Double) throws(AmplifierDesignError) -> Result {
        let n = technology.sizing.nmos, p = technology.sizing.pmos
        func point(_ t: GmIdTable, _ l: Double, _ g: Double) throws(AmplifierDesignError) -> DevicePoint {
            do { return try t.point(length: l, gmOverId: g) } catch { throw .table(error) }
        }
        let i6 = gm6 / g6
        let w6 = i6 / (try point(p, l2, g6)).currentDensity
        let w7 = i6 / (try point(n, l2, spec.sinkGmOverId)).currentDensity
        let w4 = i1 / (try point(p, l1, spec.loadGmOverId)).currentDensity
        let w2 = i1 / (try point(n, l1, spec.inputGmOverId)).currentDensity
        let c1 = p.gateCapacitance(width: w6, length: l2) + 0.5 * (p.gateCapacitancePerWidth * w4 + n.gateCapacitancePerWidth * w2)
        let c2 = spec.loadCapacitanceFarads + 0.5 * (p.gateCapacitancePerWidth * w6 + n.gateCapacitancePerWidth * w7)
        let cm = 2 * p.gateCapacitance(width: w4, length: l1) + 0.5 * n.gateCapacitancePerWidth * w2
        let gm3 = i1 * spec.loadGmOverId
        let twoPi = 2 * Double.pi
        let gbw = gm1 / (twoPi * cc)
        let f1 = gbw / dcGain
        let f2 = gm6 * cc / (twoPi * (c1 * c2 + cc * (c1 + c2)))
        let rz = spec.nullingResistorFactor / gm6
        let f3 = rz > 0 ? 1 / (twoPi * rz * c1) : Double.infinity
        let fm = gm3 / (twoPi * cm)
        // Miller zero: 1 / (2 pi Cc (1/gm6 - Rz)); positive (right half-plane) when Rz < 1/gm6.
        let zeroTime = cc * (1 / gm6 - rz)  // s/rad
        func magnitude(_ f: Double) -> Double {
            let w = twoPi * f
            let poles = (1 + pow(f / f1, 2)) * (1 + pow(f / f2, 2)) * (f3.isFinite ? 1 + pow(f / f3, 2) : 1)
                * (1 + pow(f / fm, 2))
            let zeros = (1 + pow(f / (2 * fm), 2)) * (1 + pow(w * zeroTime, 2))
            return dcGain * (zeros / poles).squareRoot()
        }
        func phase(_ f: Double) -> Double {
            let w = twoPi * f
            var phi = -atan(f / f1) - atan(f / f2) - atan(f / fm) + atan(f / (2 * fm)) - atan(w * zeroTime)
            if f3.isFinite { phi -= atan(f / f3) }
            return phi * 180 / Double.pi
        }
        var lo = f1, hi = 1000 * gbw
        guard magnitude(lo) > 1, magnitude(hi) < 1 else {
            // No crossing in range: treat as no margin at all.
            return Result(phaseMarginDegrees: -.infinity, unityGainHertz: .nan, secondPoleHertz: f2,
                          mirrorPoleHertz: fm, nullingPoleHertz: f3)
        }
        for _ in 0..<100 {
            let mid = (lo * hi).squareRoot()
            if magnitude(mid) > 1 { lo = mid } else { hi = mid }
        }
        let fu = (lo * hi).squareRoot()
        return Result(phaseMarginDegrees: 180 + phase(fu), unityGainHertz: fu, secondPoleHertz: f2,
                      mirrorPoleHertz: fm, nullingPoleHertz: f3)
    }

    /// The candidate gm6 values: a log grid from gm1/10 to 1000 gm1.
    private var grid: [Double] { (0...160).map { gm1 * 0.1 * pow(10, Double($0) / 40) } }

    /// The smallest gm6 of at least `minimum` whose phase margin reaches `target`, refined by
    /// bisection; nil if none.
    func smallestGm6(reaching target: Double, atLeast minimum: Double = 0) throws(AmplifierDesignError) -> (Double, Result)? {
        var previous: Double?
        let candidates = minimum > 0 ? [minimum] + grid.filter { $0 > minimum } : grid
        for gm6 in candidates {
            let result = try evaluate(gm6: gm6)
            if result.phaseMarginDegrees >= target {
                guard var lo = previous else { return (gm6, result) }
                var hi = gm6
                for _ in 0..<40 {
                    let mid = (lo * hi).squareRoot()
                    if try evaluate(gm6: mid).phaseMarginDegrees >= target { hi = mid } else { lo = mid }
                }
                return (hi, try evaluate(gm6: hi))
            }
            previous = gm6
        }
        return nil
    }

    func bestPhase() throws(AmplifierDesignError) -> Double {
        var best = -Double.infinity
        for gm6 in grid { best = max(best, try evaluate(gm6: gm6).phaseMarginDegrees) }
        return best
    }
}
