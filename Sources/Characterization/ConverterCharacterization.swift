import Reports
import Circuits
import Foundation
import Netlist
import Ngspice

/// Static linearity of a converter, in LSB, by the endpoint method.
public struct Linearity: Sendable, Hashable, Codable {
    public var bits: Int
    /// INL per binary code (DAC: every code; ADC: every transition k = 1 ... 2^N - 1, index k - 1), LSB.
    public var inl: [Double]
    /// DNL per binary code (DAC: codes 1 ... 2^N - 1, index c - 1; ADC: codes 1 ... 2^N - 2), LSB.
    public var dnl: [Double]
    public var maxAbsINL: Double
    public var maxAbsDNL: Double
    /// The measured LSB (endpoint fit), volts.
    public var lsbVolts: Double
    /// The design's LSB, volts.
    public var idealLsbVolts: Double
    /// lsbVolts / idealLsbVolts - 1.
    public var gainError: Double
    /// Offset of the first code (DAC) or first transition (ADC) from its ideal place, LSB.
    public var offsetLSB: Double
    /// Codes never produced (ADC), or codes whose step is not positive (DAC).
    public var missingCodes: [Int]
    public var monotonic: Bool { missingCodes.isEmpty && dnl.allSatisfy { $0 > -1 } }

    /// Endpoint INL/DNL from points that should be equally spaced: `levels[k]` for k = 0 ... m.
    static func endpoint(bits: Int, levels: [Double], idealLsb: Double, idealFirst: Double) -> Linearity {
        let m = levels.count - 1
        let lsb = m > 0 ? (levels[m] - levels[0]) / Double(m) : .nan
        let inl = levels.indices.map { (levels[$0] - levels[0]) / lsb - Double($0) }
        let dnl = (1..<levels.count).map { (levels[$0] - levels[$0 - 1]) / lsb - 1 }
        let missing = (1..<levels.count).filter { levels[$0] <= levels[$0 - 1] }
        return Linearity(bits: bits, inl: inl, dnl: dnl, maxAbsINL: inl.map(abs).max() ?? .nan,
                         maxAbsDNL: dnl.map(abs).max() ?? .nan, lsbVolts: lsb, idealLsbVolts: idealLsb,
                         gainError: lsb / idealLsb - 1, offsetLSB: (levels[0] - idealFirst) / idealLsb, missingCodes: missing)
    }
}

/// What the DAC did.
public struct DACMeasurement: Sendable, Hashable, Codable {
    public var linearity: Linearity
    /// V(out) for every binary code, volts.
    public var outputVolts: [Double]
    /// Time each code was held, seconds.
    public var codeSeconds: Double
    public var simulationSeconds: Double
}

/// What the ADC did.
public struct ADCMeasurement: Sendable, Hashable, Codable {
    public var linearity: Linearity
    /// Conversions per code of the ramp.
    public var hitsPerCode: Int
    public var conversions: Int
    /// Code histogram, per binary code.
    public var histogram: [Int]
    /// Transition levels T_1 ... T_{2^N-1}, volts (input at the first conversion of each code,
    /// midway to the previous sample).
    public var transitionVolts: [Double]
    /// Conversions whose code differs by more than one from the ideal converter's shifted by
    /// the measured offset (glitches of the logic or the comparator), out of all.
    public var grossErrors: Int
    /// Supply current averaged over the ramp, amperes (comparator, switches and drivers).
    public var averageSupplyAmperes: Double
    public var conversionSeconds: Double
    public var simulationSeconds: Double
}

/// An ADC on the bench: Crossloop's SAR, or a designer's ADC standing in its ports (driven at
/// the same references, read at the same output levels), with the clock it runs at.
public struct ADCUnderTest: Sendable {
    /// The converter of the design: its scale, references, ideal codes and output reading.
    public var reference: SARADC
    public var subcircuit: Subcircuit
    /// Its clock, with the first conversion at t = 0.
    public var timing: SARADC.Timing
    /// What the deck must include for it (a designer's file).
    public var includes: [Include]
    public var name: String

    public init(_ adc: SARADC) {
        reference = adc; subcircuit = adc.subcircuit(name: "adc"); timing = adc.timing(start: 0); includes = []
        name = "\(adc.parameters.bits)-bit SAR"
    }

    /// A designer's ADC (`design.adc`) in the place of `reference`.
    public init(_ block: UserBlock, reference: SARADC) throws(CharacterizationError) {
        guard let timing = block.adcTiming(start: 0) else { throw .block("\(block.reference): the description gives no timing") }
        self.reference = reference; self.timing = timing; includes = [block.include]
        subcircuit = block.adcSubcircuit(name: "user_adc", referenceVolts: reference.scale.midRailVolts)
        name = block.reference
    }
}

/// INL/DNL of the converters by a sweep on the real engine.
///
/// DAC: the bit inputs count through every code (each bit a square wave of twice the period of
/// the one below), one code per `codeSeconds`; V(out), unloaded, is read at 90 % of each
/// code's interval. INL and DNL by the endpoint fit.
///
/// ADC: a linear input ramp from 2 LSB below the first transition's ideal place to 2 LSB above
/// the last, converted back to back at `hitsPerCode` conversions per LSB; code density (the
/// histogram) gives DNL(k) = H(k) / H_avg - 1 for the inner codes, INL is its running sum
/// (endpoint). The resolution is 1 / hitsPerCode LSB. The ramp is split into as many pieces
/// as there are engines, simulated concurrently.
public enum ConverterCharacterization {
    public static func dac(_ dac: ResistorLadderDAC, codeSeconds: Double = 20e-9, engine: NgspiceEngine,
                           progress: (@Sendable (RunProgress) -> Void)? = nil) async throws(CharacterizationError)
        -> DACMeasurement
    {
        let t = dac.technology, n = dac.parameters.bits, vdd = t.supplyVolts
        let count = 1 << n
        let references = dac.referenceVolts
        var deck = Deck(title: "crossloop DAC characterisation: \(n)-bit R-2R code sweep, \(t.identifier)")
        t.prepare(&deck)
        deck.subcircuits = [dac.subcircuit(name: "dac")]
        let edge = codeSeconds / 50
        deck.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)),
            .dcVoltage("refp", "vrefp", "0", .number(references.high)),
            .dcVoltage("refn", "vrefn", "0", .number(references.low)),
        ]
        for i in 0..<n {
            let half = Double(1 << i) * codeSeconds
            deck.elements.append(.voltageSource(IndependentSource(
                name: "b\(i)", plus: "b\(i)", minus: "0", dc: 0,
                waveform: .pulse(Pulse(initial: 0, pulsed: vdd, delay: half - edge / 2, rise: edge, fall: edge,
                                       width: half - edge, period: 2 * half)))))
        }
        deck.elements.append(.instance(SubcircuitInstance(name: "dac", nodes: (0..<n).map { "b\($0)" } + ["vrefp", "vrefn", "out", "vdd", "0"],
                                                          subcircuit: "dac")))
        let stop = Double(count) * codeSeconds
        deck.analyses = [.transient(Transient(step: codeSeconds / 10, stop: stop, maxStep: codeSeconds / 4))]
        let result = try await simulate(engine, deck, t.request(vectors: ["v(out)"], timeLimit: 600, progress: progress))
        let time = try scale(result, "tran")
        let out = try values(result, "tran", "v(out)")
        guard time.count == out.count, time.count > count else { throw .measurement("the DAC sweep has too few points") }
        let levels = (0..<count).map { interpolate(time, out, at: (Double($0) + 0.9) * codeSeconds) }
        let linearity = Linearity.endpoint(bits: n, levels: levels, idealLsb: (references.high - references.low) / Double(count),
                                           idealFirst: references.low)
        return DACMeasurement(linearity: linearity, outputVolts: levels, codeSeconds: codeSeconds,
                              simulationSeconds: result.loadSeconds + result.runSeconds)
    }

    public static func adc(_ adc: SARADC, hitsPerCode: Int = 4, engines: [NgspiceEngine],
                           progress: (@Sendable (RunProgress) -> Void)? = nil) async throws(CharacterizationError)
        -> ADCMeasurement
    {
        try await self.adc(ADCUnderTest(adc), hitsPerCode: hitsPerCode, engines: engines, progress: progress)
    }

    public static func adc(_ unit: ADCUnderTest, hitsPerCode: Int = 4, engines: [NgspiceEngine],
                           progress: (@Sendable (RunProgress) -> Void)? = nil) async throws(CharacterizationError)
        -> ADCMeasurement
    {
        guard !engines.isEmpty else { throw .measurement("no engine to run the ADC ramp on") }
        guard (1...64).contains(hitsPerCode) else { throw .measurement("hitsPerCode must be 1 ... 64, not \(hitsPerCode)") }
        let adc = unit.reference
        let n = adc.parameters.bits, count = 1 << n
        let references = adc.referenceVolts
        let lsb = (references.high - references.low) / Double(count)
        // Ideal transitions at vrefn + k LSB, k = 1 ... 2^N - 1: ramp 2 LSB beyond both ends.
        let first = references.low + lsb * -1, last = references.high + lsb
        let conversions = Int(((last - first) / lsb).rounded(.up)) * hitsPerCode
        let step = (last - first) / Double(conversions)
        // Split into contiguous pieces, one per engine; each piece repeats one warm-up conversion.
        let pieces = min(engines.count, max(1, conversions / 32))
        let bounds = (0...pieces).map { $0 * conversions / pieces }
        let results = await withTaskGroup(of: (Int, Result<Piece, CharacterizationError>).self) { group in
            for k in 0..<pieces {
                let engine = engines[k]
                let range = bounds[k]..<bounds[k + 1]
                group.addTask {
                    do throws(CharacterizationError) {
                        return (k, .success(try await runPiece(unit, engine: engine, inputs: range.map { first + (Double($0) + 0.5) * step },
                                                               progress: k == 0 ? progress : nil)))
                    } catch {
                        return (k, .failure(error))
                    }
                }
            }
            var collected: [(Int, Result<Piece, CharacterizationError>)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var codes: [Int] = [], inputs: [Double] = [], seconds = 0.0, charge = 0.0, duration = 0.0
        for result in results {
            switch result {
            case .success(let piece):
                codes += piece.codes; inputs += piece.inputs; seconds += piece.seconds
                charge += piece.averageSupplyAmperes * piece.duration; duration += piece.duration
            case .failure(let error):
                throw error
            }
        }
        var histogram = [Int](repeating: 0, count: count)
        for c in codes { histogram[c] += 1 }

        // Transitions: where the code first reaches k, midway between the samples around it.
        var transitions: [Double] = []
        for k in 1..<count {
            if let j = codes.firstIndex(where: { $0 >= k }), j > 0 {
                transitions.append((inputs[j] + inputs[j - 1]) / 2)
            } else {
                transitions.append(.nan)
            }
        }
        // Code density on the inner codes 1 ... 2^N - 2.
        let inner = histogram[1..<(count - 1)]
        let average = Double(inner.reduce(0, +)) / Double(inner.count)
        let dnl = inner.map { Double($0) / average - 1 }
        var inl: [Double] = [0]
        for d in dnl { inl.append((inl.last ?? 0) + d) }
        let missing = (1..<(count - 1)).filter { histogram[$0] == 0 }
        let measuredLsb = average * step
        let offset = transitions.first.map { ($0 - (references.low + lsb)) / lsb } ?? .nan
        // Glitches, not offset: codes more than one away from the ideal converter shifted by the
        // measured offset.
        let shift = offset.isFinite ? Int(offset.rounded()) : 0
        let gross = zip(codes, inputs).filter { abs($0.0 - (adc.idealCode(volts: $0.1) - shift)) > 1 }.count
        let linearity = Linearity(bits: n, inl: inl, dnl: dnl, maxAbsINL: inl.map(abs).max() ?? .nan,
                                  maxAbsDNL: dnl.map(abs).max() ?? .nan, lsbVolts: measuredLsb, idealLsbVolts: lsb,
                                  gainError: measuredLsb / lsb - 1, offsetLSB: offset, missingCodes: missing)
        return ADCMeasurement(linearity: linearity, hitsPerCode: hitsPerCode, conversions: codes.count, histogram: histogram,
                              transitionVolts: transitions, grossErrors: gross,
                              averageSupplyAmperes: duration > 0 ? charge / duration : .nan,
                              conversionSeconds: unit.timing.conversionSeconds, simulationSeconds: seconds)
    }

    struct Piece: Sendable {
        var codes: [Int]
        var inputs: [Double]
        var seconds: Double
        var averageSupplyAmperes: Double
        var duration: Double
    }

    /// Converts `inputs` (one conversion each, after one warm-up) on one engine. The input is a
    /// staircase held through each sampling phase, so each conversion sees exactly its value.
    static func runPiece(_ unit: ADCUnderTest, engine: NgspiceEngine, inputs: [Double],
                         progress: (@Sendable (RunProgress) -> Void)?) async throws(CharacterizationError) -> Piece {
        let adc = unit.reference, t = adc.technology, n = adc.parameters.bits, vdd = t.supplyVolts
        let timing = unit.timing
        let references = adc.referenceVolts
        let values_ = [inputs.first ?? t.midRailVolts] + inputs
        let total = values_.count
        var deck = Deck(title: "crossloop ADC characterisation: \(unit.name), ramp of \(inputs.count) conversions, \(t.identifier)")
        t.prepare(&deck)
        for include in unit.includes where !deck.includes.contains(include) { deck.includes.append(include) }
        deck.subcircuits = [unit.subcircuit]
        // Staircase: each value from just after the previous sampling ends to after its own.
        let edge = timing.edgeSeconds
        var points = [PWLPoint(0, values_[0])]
        for j in 1..<total {
            let change = timing.sampleEnd(j - 1) + 2 * edge
            points.append(PWLPoint(change, values_[j - 1]))
            points.append(PWLPoint(change + edge, values_[j]))
        }
        deck.elements = [
            .dcVoltage("dd", "vdd", "0", .number(vdd)),
            .dcVoltage("refp", "vrefp", "0", .number(references.high)),
            .dcVoltage("refn", "vrefn", "0", .number(references.low)),
            .dcVoltage("cm", "vcm", "0", .number(t.midRailVolts)),
            .voltageSource(IndependentSource(name: "in", plus: "vin", minus: "0", dc: .number(values_[0]), waveform: .pwl(points))),
        ] + timing.sources(supply: vdd, conversions: total + 1)
        let outputs = (0..<n).map { "d\($0)" }
        deck.elements.append(.instance(SubcircuitInstance(
            name: "adc", nodes: ["vin", "vcm", "vrefp", "vrefn", "clk", "samp", "vdd", "0"] + outputs, subcircuit: unit.subcircuit.name)))
        let stop = timing.readTime(total - 1) + timing.bitPeriodSeconds
        deck.analyses = [.transient(Transient(step: timing.bitPeriodSeconds, stop: stop))]
        let result = try await simulate(engine, deck, t.request(vectors: outputs.map { "v(\($0))" } + ["i(Vdd)"],
                                                                timeLimit: 1800, progress: progress))
        let time = try scale(result, "tran")
        let levels = try outputs.map { (name: String) throws(CharacterizationError) -> [Double] in try values(result, "tran", "v(\(name))") }
        let supply = try values(result, "tran", "i(Vdd)")
        var codes: [Int] = []
        for j in 1..<total {
            let at = timing.readTime(j)
            guard let code = adc.code(fromOutputs: levels.map { interpolate(time, $0, at: at) }) else {
                throw .measurement("no code at t = \(at) s")
            }
            codes.append(code)
        }
        // Average supply current by the trapezoid rule.
        var charge = 0.0
        for i in 1..<min(time.count, supply.count) { charge += (supply[i] + supply[i - 1]) / 2 * (time[i] - time[i - 1]) }
        let duration = (time.last ?? 0) - (time.first ?? 0)
        return Piece(codes: codes, inputs: Array(values_.dropFirst()), seconds: result.loadSeconds + result.runSeconds,
                     averageSupplyAmperes: duration > 0 ? -charge / duration : .nan, duration: duration)
    }
}

/// Linear interpolation of a sampled waveform.
func interpolate(_ time: [Double], _ value: [Double], at t: Double) -> Double {
    guard let firstTime = time.first, let lastTime = time.last, time.count == value.count else { return .nan }
    if t <= firstTime { return value[0] }
    if t >= lastTime { return value[value.count - 1] }
    var lo = 0, hi = time.count - 1
    while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if time[mid] <= t { lo = mid } else { hi = mid }
    }
    let span = time[hi] - time[lo]
    return span > 0 ? value[lo] + (value[hi] - value[lo]) * (t - time[lo]) / span : value[lo]
}
