import Reports
import Circuits
import Foundation
import Netlist
import Ngspice

/// One measured figure against its target.
public struct TargetCheck: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// |measured / target - 1| <= tolerance.
        case within
        /// measured >= target (1 - tolerance): more is never worse (phase margin).
        case atLeast
    }
    public var name: String
    public var unit: String
    public var target: Double
    public var measured: Double
    /// Allowed relative deviation.
    public var tolerance: Double
    public var kind: Kind
    public var passed: Bool {
        guard measured.isFinite else { return false }
        switch kind {
        case .within: return abs(measured / target - 1) <= tolerance
        case .atLeast: return measured >= target * (1 - tolerance)
        }
    }

    public init(name: String, unit: String, target: Double, measured: Double, tolerance: Double, kind: Kind = .within) {
        self.name = name; self.unit = unit; self.target = target; self.measured = measured; self.tolerance = tolerance
        self.kind = kind
    }
}

/// Runs a `MillerOTA` alone on the engine: `.op` and `.ac` open loop, then a large step in
/// unity gain.
///
/// Open loop: the OTA drives its load capacitance (and its resistive load to a mid-rail
/// source, when the specification has one); the output is fed back to the inverting
/// input through 1 GOhm with 1 F from that input to ground, so the DC operating point is the
/// unity-gain follower's (which also gives the offset) while every frequency above 1e-9 Hz
/// sees the open loop. The non-inverting input carries the common mode plus a 1 V AC
/// stimulus. A0 is |A| at 1 Hz, far below the dominant pole.
///
/// Step: the follower with the same load, its input stepping by `stepVolts` about the common
/// mode (up, then down), with rise and fall times of 1 % of 1/GBW.
public enum OTACharacterization {
    public struct Settings: Sendable, Hashable {
        /// Step of the follower test, volts; nil: a third of the supply.
        public var stepVolts: Double?
        /// Settling band, relative to the step. Default 0.1 %.
        public var settlingTolerance: Double
        /// Load capacitance, farads; nil: the specification's.
        public var loadCapacitanceFarads: Double?
        /// Frequency at which A0 is read, Hz.
        public var lowFrequencyHertz: Double
        /// The tolerance of `checks`, relative. Default 20 %.
        public var targetTolerance: Double

        public init(stepVolts: Double? = nil, settlingTolerance: Double = 1e-3, loadCapacitanceFarads: Double? = nil,
                    lowFrequencyHertz: Double = 1, targetTolerance: Double = 0.2) {
            self.stepVolts = stepVolts; self.settlingTolerance = settlingTolerance
            self.loadCapacitanceFarads = loadCapacitanceFarads; self.lowFrequencyHertz = lowFrequencyHertz
            self.targetTolerance = targetTolerance
        }
    }

    public static func measure(_ ota: MillerOTA, settings: Settings = Settings(), engine: NgspiceEngine)
        async throws(CharacterizationError) -> OTAMeasurement
    {
        let t = ota.technology
        let vdd = t.supplyVolts
        let vcm = ota.specification.inputCommonModeVolts ?? t.midRailVolts
        let load = settings.loadCapacitanceFarads ?? ota.specification.loadCapacitanceFarads
        let gbw = ota.specification.gainBandwidthHertz

        // Open loop.
        var ac = Deck(title: "crossloop OTA characterisation: open loop, \(t.identifier)")
        t.prepare(&ac)
        ac.subcircuits = [ota.subcircuit(name: "ota")]
        ac.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)),
            .voltageSource(IndependentSource(name: "in", plus: "inp", minus: "0", dc: .number(vcm),
                                             ac: ACStimulus(magnitude: 1))),
            .instance(SubcircuitInstance(name: "ota", nodes: ["inp", "inn", "out", "vdd", "0"], subcircuit: "ota")),
            .capacitor("load", "out", "0", .number(load)),
            .resistor("fb", "out", "inn", 1e9),
            .capacitor("fb", "inn", "0", 1),
        ] + resistiveLoad(ota, vcm)
        let stop = max(100 * gbw, 1e6)
        ac.analyses = [.operatingPoint, .ac(AC(sweep: .decade, points: 40, start: settings.lowFrequencyHertz, stop: stop))]
        let acResult = try await simulate(engine, ac, t.request(vectors: ["v(out)"]))
        let outOP = try values(acResult, "op", "v(out)")
        let inOP = try values(acResult, "op", "v(inp)")
        let supply = try values(acResult, "op", "i(Vdd)")
        guard let vOut = outOP.first, let vIn = inOP.first, let iSupply = supply.first else {
            throw .measurement("the operating point has no output, input or supply current")
        }
        guard let acPlot = acResult.plot("ac"), let frequency = acPlot.scale?.real, let response = acPlot["v(out)"]?.complex,
              frequency.count == response.count, frequency.count > 10 else {
            throw .measurement("the .ac plot has no output response")
        }
        let gain = response.map(\.magnitude)
        let phase = unwrappedDegrees(response.map(\.phase))
        let a0 = gain[0]
        guard a0 > 1 else { throw .measurement("open-loop gain at \(settings.lowFrequencyHertz) Hz is \(a0) V/V: the OTA does not amplify (operating point V(out) = \(vOut) V)") }
        guard let pole = crossing(frequency, gain, level: a0 / 2.0.squareRoot()) else {
            throw .measurement("the open-loop gain never falls 3 dB below A0 up to \(stop) Hz")
        }
        guard let unity = crossing(frequency, gain, level: 1) else {
            throw .measurement("the open-loop gain never falls to 1 up to \(stop) Hz")
        }
        let phaseAtUnity = interpolateLog(frequency, phase, at: unity)
        // The phase starts at 0 (non-inverting input driven): margin = 180 + phase.
        let margin = 180 + phaseAtUnity - phase[0]

        // Step in unity gain.
        let step = settings.stepVolts ?? vdd / 3
        let rise = 0.01 / gbw
        let slewGuess = max(ota.prediction.slewRateVoltsPerSecond, 1e3)
        let half = 40 / gbw + 3 * step / slewGuess
        let t0 = 0.1 * half
        var tran = Deck(title: "crossloop OTA characterisation: unity-gain step, \(t.identifier)")
        t.prepare(&tran)
        tran.subcircuits = [ota.subcircuit(name: "ota")]
        let low = vcm - step / 2, high = vcm + step / 2
        tran.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)),
            .voltageSource(IndependentSource(name: "in", plus: "inp", minus: "0", dc: .number(low), waveform: .pwl([
                PWLPoint(0, low), PWLPoint(t0, low), PWLPoint(t0 + rise, high),
                PWLPoint(t0 + half, high), PWLPoint(t0 + half + rise, low),
            ]))),
            .instance(SubcircuitInstance(name: "ota", nodes: ["inp", "out", "out", "vdd", "0"], subcircuit: "ota")),
            .capacitor("load", "out", "0", .number(load)),
        ] + resistiveLoad(ota, vcm)
        let end = t0 + 2 * half
        tran.analyses = [.transient(Transient(step: half / 400, stop: end, maxStep: half / 400))]
        let tranResult = try await simulate(engine, tran, t.request(vectors: ["v(out)"]))
        let time = try scale(tranResult, "tran")
        let out = try values(tranResult, "tran", "v(out)")
        let upIndices = time.indices.filter { time[$0] >= t0 && time[$0] <= t0 + half }
        let downIndices = time.indices.filter { time[$0] >= t0 + half }
        guard upIndices.count > 20, downIndices.count > 20 else { throw .measurement("the step transient is too short") }
        let up = edge(time: upIndices.map { time[$0] }, value: upIndices.map { out[$0] }, start: t0,
                      from: low, tolerance: settings.settlingTolerance * step)
        let down = edge(time: downIndices.map { time[$0] }, value: downIndices.map { out[$0] }, start: t0 + half,
                        from: high, tolerance: settings.settlingTolerance * step)
        guard let up, let down else {
            throw .measurement("the follower output did not cross 10 % and 90 % of its step (does the OTA slew or oscillate?)")
        }

        return OTAMeasurement(
            dcGain: a0, dcGainDecibels: 20 * log10(a0), poleHertz: pole, gainBandwidthHertz: a0 * pole,
            unityGainHertz: unity, phaseMarginDegrees: margin, slewRisingVoltsPerSecond: up.slew,
            slewFallingVoltsPerSecond: down.slew, settlingSeconds: max(up.settling, down.settling),
            settlingTolerance: settings.settlingTolerance, stepVolts: step, offsetVolts: vOut - vIn,
            supplyCurrentAmperes: -iSupply, powerWatts: -iSupply * vdd,
            simulationSeconds: acResult.loadSeconds + acResult.runSeconds + tranResult.loadSeconds + tranResult.runSeconds)
    }

    /// The specification's resistive load, to a mid-rail source.
    static func resistiveLoad(_ ota: MillerOTA, _ vcm: Double) -> [Element] {
        guard let r = ota.specification.loadResistanceOhms else { return [] }
        return [.dcVoltage("mid", "vmid", "0", .number(vcm)), .resistor("load", "out", "vmid", .number(r))]
    }

    /// DC gain and GBW against the specification within `tolerance`; the phase margin at least
    /// its target less `tolerance`, and within `tolerance` of the sizing's own prediction (a
    /// resistive load can force more margin than asked for, which is no defect).
    public static func checks(_ ota: MillerOTA, _ m: OTAMeasurement, tolerance: Double = 0.2) -> [TargetCheck] {
        let s = ota.specification
        return [
            TargetCheck(name: "DC gain", unit: "V/V", target: s.dcGain, measured: m.dcGain, tolerance: tolerance),
            TargetCheck(name: "GBW", unit: "Hz", target: s.gainBandwidthHertz, measured: m.gainBandwidthHertz, tolerance: tolerance),
            TargetCheck(name: "phase margin", unit: "deg", target: s.phaseMarginDegrees, measured: m.phaseMarginDegrees,
                        tolerance: tolerance, kind: .atLeast),
            TargetCheck(name: "PM vs design", unit: "deg", target: ota.prediction.phaseMarginDegrees, measured: m.phaseMarginDegrees,
                        tolerance: tolerance),
        ]
    }

    /// Slew (10-90 % slope) and settling of one edge.
    static func edge(time: [Double], value: [Double], start: Double, from: Double, tolerance: Double)
        -> (slew: Double, settling: Double)?
    {
        guard let final = value.last else { return nil }
        let swing = final - from
        guard abs(swing) > 0 else { return nil }
        func firstTime(_ fraction: Double) -> Double? {
            let level = from + fraction * swing
            for i in 1..<value.count where (value[i - 1] - level) * (value[i] - level) <= 0 && value[i] != value[i - 1] {
                let u = (level - value[i - 1]) / (value[i] - value[i - 1])
                return time[i - 1] + u * (time[i] - time[i - 1])
            }
            return nil
        }
        guard let t10 = firstTime(0.1), let t90 = firstTime(0.9), t90 > t10 else { return nil }
        var settled = time[0]
        for i in value.indices.reversed() where abs(value[i] - final) > tolerance {
            settled = i + 1 < time.count ? time[i + 1] : time[i]
            break
        }
        return (0.8 * abs(swing) / (t90 - t10), max(0, settled - start))
    }
}

/// Phase in degrees, unwrapped so it is continuous.
func unwrappedDegrees(_ radians: [Double]) -> [Double] {
    var out: [Double] = []
    var offset = 0.0
    var previous: Double?
    for r in radians {
        var d = r * 180 / Double.pi + offset
        if let p = previous {
            while d - p > 180 { d -= 360; offset -= 360 }
            while d - p < -180 { d += 360; offset += 360 }
        }
        out.append(d)
        previous = d
    }
    return out
}

/// First frequency where a falling magnitude crosses `level` (log-log interpolation).
public func crossing(_ frequency: [Double], _ magnitude: [Double], level: Double) -> Double? {
    for i in 1..<magnitude.count where magnitude[i - 1] >= level && magnitude[i] < level {
        let u = log(magnitude[i - 1] / level) / log(magnitude[i - 1] / magnitude[i])
        return exp(log(frequency[i - 1]) + u * log(frequency[i] / frequency[i - 1]))
    }
    return nil
}

/// `ys` at frequency `f`, interpolated linearly in log f.
func interpolateLog(_ frequency: [Double], _ ys: [Double], at f: Double) -> Double {
    for i in 1..<frequency.count where frequency[i] >= f {
        let u = log(f / frequency[i - 1]) / log(frequency[i] / frequency[i - 1])
        return ys[i - 1] + u * (ys[i] - ys[i - 1])
    }
    return ys.last ?? .nan
}
