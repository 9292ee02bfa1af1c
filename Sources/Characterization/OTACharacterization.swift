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
        try await measure(AmplifierUnderTest(ota), settings: settings, engine: engine)
    }

    public static func measure(_ amp: AmplifierUnderTest, settings: Settings = Settings(), engine: NgspiceEngine)
        async throws(CharacterizationError) -> OTAMeasurement
    {
        let t = amp.technology
        let vdd = t.supplyVolts
        let vcm = amp.commonModeVolts
        let load = settings.loadCapacitanceFarads ?? amp.loadCapacitanceFarads
        func deck(_ title: String) -> Deck {
            var d = Deck(title: "crossloop op-amp characterisation: \(title), \(amp.label) on \(t.identifier)")
            t.prepare(&d)
            for include in amp.includes where !d.includes.contains(include) { d.includes.append(include) }
            d.subcircuits = [amp.subcircuit]
            return d
        }
        let ports = amp.subcircuit.name

        // Open loop.
        var ac = deck("open loop")
        ac.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)),
            .voltageSource(IndependentSource(name: "in", plus: "inp", minus: "0", dc: .number(vcm),
                                             ac: ACStimulus(magnitude: 1))),
            .instance(SubcircuitInstance(name: "ota", nodes: ["inp", "inn", "out", "vdd", "0"], subcircuit: ports)),
            .capacitor("load", "out", "0", .number(load)),
            .resistor("fb", "out", "inn", 1e9),
            .capacitor("fb", "inn", "0", 1),
        ] + resistiveLoad(amp, vcm, output: "out")
        let stop = amp.expectedGainBandwidthHertz.map { max(100 * $0, 1e6) } ?? 1e10
        ac.analyses = [.operatingPoint, .ac(AC(sweep: .decade, points: amp.expectedGainBandwidthHertz == nil ? 20 : 40,
                                              start: settings.lowFrequencyHertz, stop: stop))]
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
        guard a0 > 1 else { throw .measurement("\(amp.label): open-loop gain at \(settings.lowFrequencyHertz) Hz is \(a0) V/V: the op-amp does not amplify (operating point V(out) = \(vOut) V)") }
        guard let pole = crossing(frequency, gain, level: a0 / 2.0.squareRoot()) else {
            throw .measurement("\(amp.label): the open-loop gain never falls 3 dB below A0 up to \(stop) Hz")
        }
        guard let unity = crossing(frequency, gain, level: 1) else {
            throw .measurement("\(amp.label): the open-loop gain never falls to 1 up to \(stop) Hz")
        }
        let phaseAtUnity = interpolateLog(frequency, phase, at: unity)
        // The phase starts at 0 (non-inverting input driven): margin = 180 + phase.
        let margin = 180 + phaseAtUnity - phase[0]
        let gbw = a0 * pole
        if margin <= 0 {
            throw .unstable("\(amp.label) is unstable as a unity-gain follower: measured A0 \(engineering(a0, unit: "V/V")), unity gain at \(engineering(unity, unit: "Hz")), phase margin \(formatSignificant(margin, 3)) deg into \(engineering(load, unit: "F")); a loop around it oscillates: compensate the op-amp (more Miller capacitance, a nulling resistor)")
        }

        // Output range and drive: open loop, overdriven either way, into the load and then
        // into a short to the common mode.
        var drive = deck("output range and drive")
        let overdrive = 0.1
        drive.elements = [.dcVoltage("dd", "vdd", "0", .number(vdd)), .dcVoltage("cm", "cm", "0", .number(vcm)),
                          .dcVoltage("hi", "hi", "0", .number(vcm + overdrive)), .dcVoltage("lo", "lo", "0", .number(vcm - overdrive))]
        for (name, plus, minus) in [("up", "hi", "cm"), ("down", "lo", "cm")] {
            drive.elements += [.instance(SubcircuitInstance(name: "r\(name)", nodes: [plus, minus, "o\(name)", "vdd", "0"], subcircuit: ports)),
                               .capacitor("r\(name)", "o\(name)", "0", .number(load))]
                + resistiveLoad(amp, vcm, output: "o\(name)", suffix: name)
            drive.elements += [.instance(SubcircuitInstance(name: "s\(name)", nodes: [plus, minus, "s\(name)", "vdd", "0"], subcircuit: ports)),
                               .dcVoltage("s\(name)", "s\(name)", "cm", .number(0))]
        }
        drive.analyses = [.operatingPoint]
        let driveResult = try await simulate(engine, drive, t.request(vectors: ["v(oup)", "v(odown)", "i(Vsup)", "i(Vsdown)"]))
        guard let high = try values(driveResult, "op", "v(oup)").first, let low = try values(driveResult, "op", "v(odown)").first,
              let source = try values(driveResult, "op", "i(Vsup)").first, let sink = try values(driveResult, "op", "i(Vsdown)").first else {
            throw .measurement("\(amp.label): the drive test has no output")
        }

        // Output resistance: open loop (inputs held at the common mode for AC), a 1 A AC
        // current into the output at the lowest frequency.
        var impedance = deck("output resistance")
        impedance.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)), .dcVoltage("cm", "cm", "0", .number(vcm)),
            .instance(SubcircuitInstance(name: "ota", nodes: ["cm", "inn", "out", "vdd", "0"], subcircuit: ports)),
            .resistor("fb", "out", "inn", 1e9), .capacitor("fb", "inn", "0", 1),
            .currentSource(IndependentSource(name: "z", plus: "0", minus: "out", dc: 0, ac: ACStimulus(magnitude: 1))),
        ]
        impedance.analyses = [.ac(AC(sweep: .decade, points: 1, start: settings.lowFrequencyHertz, stop: settings.lowFrequencyHertz))]
        let impedanceResult = try await simulate(engine, impedance, t.request(vectors: ["v(out)"]))
        guard let outputResistance = impedanceResult.plot("ac")?["v(out)"]?.complex.first?.magnitude else {
            throw .measurement("\(amp.label): the output-resistance test has no output")
        }

        // Linear range: open loop, the non-inverting input swept through the offset; the
        // incremental gain at each output level against its value at the common mode.
        var sweep = deck("linear output range")
        let window = max(4 * vdd / a0, 0.02) + 2 * abs(vOut - vIn)
        sweep.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)), .dcVoltage("cm", "cm", "0", .number(vcm)),
            .dcVoltage("sw", "sw", "0", .number(vcm)),
            .instance(SubcircuitInstance(name: "ota", nodes: ["sw", "cm", "out", "vdd", "0"], subcircuit: ports)),
            .capacitor("load", "out", "0", .number(load)),
        ] + resistiveLoad(amp, vcm, output: "out")
        sweep.analyses = [.dcSweep(source: "Vsw", start: vcm - window, stop: vcm + window, step: window / 1000)]
        let sweepResult = try await simulate(engine, sweep, t.request(vectors: ["v(out)"]))
        let linear = linearRange(input: try scale(sweepResult, "dc"), output: try values(sweepResult, "dc", "v(out)"), center: vcm,
                                 fraction: OTAMeasurement.linearGainFraction)

        // Step in unity gain.
        let step = settings.stepVolts ?? vdd / 3
        let rise = 0.01 / gbw
        // The slew is what the step measures; the window allows for a slow one.
        let slewGuess = max(amp.expectedSlewVoltsPerSecond ?? 0.1 * abs(iSupply) / load, 1e3)
        let half = 40 / gbw + 3 * step / slewGuess
        let t0 = 0.1 * half
        var tran = deck("unity-gain step")
        let stepLow = vcm - step / 2, stepHigh = vcm + step / 2
        tran.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)),
            .voltageSource(IndependentSource(name: "in", plus: "inp", minus: "0", dc: .number(stepLow), waveform: .pwl([
                PWLPoint(0, stepLow), PWLPoint(t0, stepLow), PWLPoint(t0 + rise, stepHigh),
                PWLPoint(t0 + half, stepHigh), PWLPoint(t0 + half + rise, stepLow),
            ]))),
            .instance(SubcircuitInstance(name: "ota", nodes: ["inp", "out", "out", "vdd", "0"], subcircuit: ports)),
            .capacitor("load", "out", "0", .number(load)),
        ] + resistiveLoad(amp, vcm, output: "out")
        let end = t0 + 2 * half
        tran.analyses = [.transient(Transient(step: half / 400, stop: end, maxStep: half / 400))]
        let tranResult = try await simulate(engine, tran, t.request(vectors: ["v(out)"]))
        let time = try scale(tranResult, "tran")
        let out = try values(tranResult, "tran", "v(out)")
        let upIndices = time.indices.filter { time[$0] >= t0 && time[$0] <= t0 + half }
        let downIndices = time.indices.filter { time[$0] >= t0 + half }
        guard upIndices.count > 20, downIndices.count > 20 else { throw .measurement("the step transient is too short") }
        let up = edge(time: upIndices.map { time[$0] }, value: upIndices.map { out[$0] }, start: t0,
                      from: stepLow, tolerance: settings.settlingTolerance * step)
        let down = edge(time: downIndices.map { time[$0] }, value: downIndices.map { out[$0] }, start: t0 + half,
                        from: stepHigh, tolerance: settings.settlingTolerance * step)
        guard let up, let down else {
            throw .measurement("\(amp.label): the follower output did not cross 10 % and 90 % of its step (does the op-amp slew or oscillate?)")
        }

        var measured = OTAMeasurement(
            dcGain: a0, dcGainDecibels: 20 * log10(a0), poleHertz: pole, gainBandwidthHertz: gbw,
            unityGainHertz: unity, phaseMarginDegrees: margin, slewRisingVoltsPerSecond: up.slew,
            slewFallingVoltsPerSecond: down.slew, settlingSeconds: max(up.settling, down.settling),
            settlingTolerance: settings.settlingTolerance, stepVolts: step, offsetVolts: vOut - vIn,
            supplyCurrentAmperes: -iSupply, powerWatts: -iSupply * vdd,
            simulationSeconds: [acResult, driveResult, impedanceResult, sweepResult, tranResult].reduce(0) { $0 + $1.loadSeconds + $1.runSeconds })
        measured.outputHighVolts = high
        measured.outputLowVolts = low
        // i(Vs...) flows from the output into the common mode source: positive when sourcing.
        measured.outputSourceAmperes = source
        measured.outputSinkAmperes = -sink
        measured.loadCapacitanceFarads = load
        measured.outputResistanceOhms = outputResistance
        measured.linearLowVolts = linear?.low
        measured.linearHighVolts = linear?.high
        return measured
    }

    /// The output interval about `center` over which dV_out/dV_in stays at least `fraction`
    /// of its value there (central differences of a DC sweep), or nil when the sweep never
    /// crosses `center`.
    static func linearRange(input: [Double], output: [Double], center: Double, fraction: Double) -> (low: Double, high: Double)? {
        let n = min(input.count, output.count)
        guard n >= 3 else { return nil }
        var gain = [Double](repeating: 0, count: n)
        for k in 1..<(n - 1) { gain[k] = abs((output[k + 1] - output[k - 1]) / (input[k + 1] - input[k - 1])) }
        gain[0] = gain[1]; gain[n - 1] = gain[n - 2]
        guard let mid = (0..<n).min(by: { abs(output[$0] - center) < abs(output[$1] - center) }),
              abs(output[mid] - center) < 0.05 * max(abs(output[n - 1] - output[0]), 1e-9) else { return nil }
        let floor = fraction * gain[mid]
        var a = mid, b = mid
        while a > 0, gain[a - 1] >= floor { a -= 1 }
        while b < n - 1, gain[b + 1] >= floor { b += 1 }
        return (min(output[a], output[b]), max(output[a], output[b]))
    }

    /// The resistive load to a mid-rail source, when the amplifier has one.
    static func resistiveLoad(_ amp: AmplifierUnderTest, _ vcm: Double, output: String, suffix: String = "") -> [Element] {
        guard let r = amp.loadResistanceOhms else { return [] }
        return [.dcVoltage("mid\(suffix)", "vmid\(suffix)", "0", .number(vcm)), .resistor("load\(suffix)", output, "vmid\(suffix)", .number(r))]
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

/// An op-amp on the bench: its subcircuit (ports `inp inn out vdd vss`), the files it needs,
/// its technology, load and common mode, and what is known of it beforehand.
public struct AmplifierUnderTest: Sendable {
    public var label: String
    public var technology: Technology
    public var subcircuit: Subcircuit
    public var includes: [Include]
    public var loadCapacitanceFarads: Double
    public var loadResistanceOhms: Double?
    public var commonModeVolts: Double
    /// Sets the frequency range and step window; nil: unknown (a designer's block), the
    /// `.ac` then runs to 10 GHz and the step window follows the measured GBW.
    public var expectedGainBandwidthHertz: Double?
    public var expectedSlewVoltsPerSecond: Double?

    public init(label: String, technology: Technology, subcircuit: Subcircuit, includes: [Include] = [],
                loadCapacitanceFarads: Double, loadResistanceOhms: Double? = nil, commonModeVolts: Double? = nil,
                expectedGainBandwidthHertz: Double? = nil, expectedSlewVoltsPerSecond: Double? = nil) {
        self.label = label; self.technology = technology; self.subcircuit = subcircuit; self.includes = includes
        self.loadCapacitanceFarads = loadCapacitanceFarads; self.loadResistanceOhms = loadResistanceOhms
        self.commonModeVolts = commonModeVolts ?? technology.midRailVolts
        self.expectedGainBandwidthHertz = expectedGainBandwidthHertz; self.expectedSlewVoltsPerSecond = expectedSlewVoltsPerSecond
    }

    /// Crossloop's own Miller OTA, as sized.
    public init(_ ota: MillerOTA) {
        let s = ota.specification
        self.init(label: "the Miller OTA", technology: ota.technology, subcircuit: ota.subcircuit(name: "ota"),
                  loadCapacitanceFarads: s.loadCapacitanceFarads, loadResistanceOhms: s.loadResistanceOhms,
                  commonModeVolts: s.inputCommonModeVolts, expectedGainBandwidthHertz: s.gainBandwidthHertz,
                  expectedSlewVoltsPerSecond: ota.prediction.slewRateVoltsPerSecond)
    }

    /// A designer's op-amp in the loop's load.
    public init(_ block: UserBlock, technology: Technology, loadCapacitanceFarads: Double, loadResistanceOhms: Double? = nil) {
        self.init(label: "the op-amp \(block.reference)", technology: technology,
                  subcircuit: block.opAmpSubcircuit(name: "ota", referenceVolts: technology.midRailVolts), includes: [block.include],
                  loadCapacitanceFarads: loadCapacitanceFarads, loadResistanceOhms: loadResistanceOhms)
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
