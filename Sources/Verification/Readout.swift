import Characterization
import Reports
import Specification
import Foundation
import Circuits
import Ngspice
import CircuitTheory
import Reference

/// What the transient showed about the loop.
public enum TransientOutcome: String, Sendable, Hashable, Codable {
    /// Every output settled into its final band and stayed there.
    case settled
    /// An output ran into the op-amp's output limit and stayed away from the expected value.
    case diverged
    /// The outputs kept swinging with an amplitude above the band.
    case oscillating
    /// Still moving at the end of the window, without running away.
    case notSettled = "not settled"
    /// EIG: the outputs grew with a fixed direction, as one real mode does.
    case grew = "grew along one direction"
    /// EIG: the outputs turned while they grew: more than one mode, or a complex pair, grows.
    case turned = "grew while turning"

    /// What a stable loop does: settle, or for EIG grow one real mode (selective).
    public var isStable: Bool { self == .settled || self == .grew }
}

/// The codes of simulated SAR ADCs next to an ideal quantiser of the same sampled outputs.
public struct ADCReadout: Sendable, Hashable {
    /// Signed codes read from the converters (mid-tread: 0 is the reference).
    public var codes: [Int]
    /// Signed codes of an ideal quantiser of the outputs at the end of sampling.
    public var idealCodes: [Int]
    public var lsbVolts: Double
    /// When the conversion ends, seconds.
    public var conversionEnd: Double
    /// The largest difference between the two, LSBs.
    public var worstDifference: Int { zip(codes, idealCodes).map { abs($0 - $1) }.max() ?? 0 }
}

/// Reading answers out of simulated waveforms.
public enum Readout {
    /// A waveform's value at time `t`, linearly interpolated (the last value beyond the end).
    public static func value(time: [Double], wave: [Double], at t: Double) -> Double {
        guard let upper = time.firstIndex(where: { $0 >= t }) else { return wave.last ?? .nan }
        guard upper > 0 else { return wave[0] }
        let a = time[upper - 1], b = time[upper]
        return b > a ? wave[upper - 1] + (wave[upper] - wave[upper - 1]) * (t - a) / (b - a) : wave[upper]
    }

    /// The output ADC: quantises each volt value; reports the indices that clipped.
    public static func adc(_ volts: [Double], converter: ConverterParameters) -> (codes: [Double], clipped: [Int]) {
        let clipped = volts.indices.filter { abs(volts[$0]) > converter.fullScaleVolts }
        return (volts.map(converter.quantise), clipped)
    }

    /// The last time any waveform is outside `band` of its final value, measured from `start`;
    /// 0 when it never leaves after `start`. Linear interpolation between samples.
    public static func settlingTime(time: [Double], waveforms: [[Double]], band: Double, start: Double) -> Double {
        var last = start
        for wave in waveforms {
            guard let final = wave.last else { continue }
            for k in stride(from: wave.count - 1, through: 1, by: -1) where time[k - 1] >= start {
                if abs(wave[k - 1] - final) > band {
                    // Crossing between k-1 (out of band) and k (inside).
                    let a = abs(wave[k - 1] - final) - band, b = abs(wave[k] - final) - band
                    let fraction = b < 0 ? a / (a - b) : 1
                    last = max(last, time[k - 1] + fraction * (time[k] - time[k - 1]))
                    break
                }
            }
        }
        return last - start
    }

    /// Classifies a transient: runaway to the limits, oscillation, settled or still moving.
    /// EIG: whether the outputs kept their direction while they doubled up to the readout at
    /// index `k` (where the largest reached `threshold`). One growing real mode keeps it (the
    /// others decay); two growing modes or a complex pair turn it. |cos| >= 0.95 counts as kept.
    public static func classifyGrowth(waveforms: [[Double]], readoutIndex k: Int, threshold: Double) -> TransientOutcome {
        let start = (0...k).first { index in waveforms.contains { abs($0[index]) >= threshold / 2 } } ?? k
        let early = waveforms.map { $0[start] }, late = waveforms.map { $0[k] }
        let norms = early.norm2 * late.norm2
        guard norms > 0 else { return .turned }
        return abs(early.dot(late)) / norms >= 0.95 ? .grew : .turned
    }

    public static func classify(time: [Double], waveforms: [[Double]], band: Double, swing: Double,
                                expected: [Double]) -> TransientOutcome {
        guard let end = time.last, let begin = time.first, end > begin else { return .notSettled }
        let tail = time.firstIndex { $0 >= end - 0.1 * (end - begin) } ?? 0
        let half = time.firstIndex { $0 >= end - 0.5 * (end - begin) } ?? 0
        var settled = true
        var railed = false
        var swinging = false
        for (index, wave) in waveforms.enumerated() {
            guard let final = wave.last else { continue }
            if wave[tail...].contains(where: { abs($0 - final) > band }) { settled = false }
            let target = index < expected.count ? expected[index] : final
            if abs(final) >= 0.98 * swing, abs(final - target) > 0.05 * swing { railed = true }
            // Oscillation: many crossings of the mean in the second half, with a visible amplitude.
            let segment = Array(wave[half...])
            let mean = segment.reduce(0, +) / Double(max(segment.count, 1))
            let amplitude = (segment.max() ?? 0) - (segment.min() ?? 0)
            var crossings = 0
            for (a, b) in zip(segment, segment.dropFirst()) where (a - mean) * (b - mean) < 0 { crossings += 1 }
            if crossings >= 6, amplitude > 2 * band { swinging = true }
        }
        if settled && !railed { return .settled }
        if swinging { return .oscillating }
        if railed { return .diverged }
        return .notSettled
    }
}

/// The latches of `--sram full` read back after the write phase: each latch output sampled
/// just before the inputs step, a 1 above half the supply.
public struct SRAMReadback: Sendable, Hashable {
    /// Latches read.
    public var bits: Int
    /// Latch output nodes whose state differs from the bit written, in deck order.
    public var mismatches: [String]
    /// When they were read, seconds.
    public var readSeconds: Double
    /// Every latch's state as read (true: 1), in the order of `CircuitDesign.storedBits`.
    public var states: [Bool]

    init(_ design: CircuitDesign, plot: Plot, time: [Double], at read: Double) throws(VerificationError) {
        let threshold = design.referenceVolts  // mid-rail: half the supply
        var states: [Bool] = [], mismatches: [String] = []
        for bit in design.storedBits {
            guard let wave = plot[bit.node]?.real else { throw .readout("no vector for the latch output \(bit.node)") }
            let state = Readout.value(time: time, wave: wave, at: read) > threshold
            states.append(state)
            if state != bit.stored { mismatches.append(bit.node) }
        }
        self.bits = states.count
        self.mismatches = mismatches
        self.readSeconds = read
        self.states = states
    }
}
