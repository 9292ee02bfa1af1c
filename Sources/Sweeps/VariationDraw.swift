import Characterization
import Reports
import Verification
import Circuits
import Foundation
import Reference
import Specification

/// Seeds derived from one seed: SplitMix64's finaliser of a combination, so streams of
/// different purposes (programming, stuck cells, offsets, each read) never overlap and each
/// depends only on the seed and its purpose. Seeds are kept below 2^49 so that a JSON number
/// holds them exactly and reports print them as integers.
public enum SeedStream {
    public static let maximum: UInt64 = (1 << 49) - 1

    public static func derive(_ seed: UInt64, _ purpose: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (purpose &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) & maximum
    }

    /// A stable 64-bit hash of a name (FNV-1a), so a purpose can be named.
    public static func purpose(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// `seed` folded into ngspice's seed range (`RunRequest.randomSeed`, sent as `setseed`):
    /// 1...Int32.max - 1.
    public static func ngspiceSeed(_ seed: UInt64) -> UInt32 {
        UInt32(seed % UInt64(Int32.max - 1)) + 1
    }

    static let programming: UInt64 = 1
    static let stuck: UInt64 = 2
    static let offsets: UInt64 = 3
    static let reads: UInt64 = 4
}

/// One draw of the variation for one run: the conductances and offsets to apply.
public struct VariationDraw: Sendable {
    /// New conductances of the sites that change, siemens (0: open).
    public var conductances: [CellSite: Double]
    /// Input offsets per amplifier instance, volts.
    public var offsets: [String: Double]
    public var stuckOn: Int
    public var stuckOff: Int

    /// Draws the variation of `design` for the chip `sampleSeed` and its read `read`.
    ///
    /// Every site draws its numbers whether or not its model is switched on, in a fixed site
    /// order, so the same sample sees the same random numbers at every grid point (common
    /// random numbers: a sweep of sigma scales one set of errors instead of drawing new ones).
    /// - Parameters:
    ///   - parameters: the variation models and their sizes.
    ///   - design: the generated circuit whose cell sites and amplifiers are varied.
    ///   - fullScaleSiemens: what a stuck-on cell conducts.
    ///   - sampleSeed: the chip: the same seed gives the same programming errors and stuck cells.
    ///   - read: which read of that chip (read noise is drawn per read).
    public static func draw(_ parameters: VariationParameters, design: CircuitDesign, fullScaleSiemens: Double,
                            sampleSeed: UInt64, read: Int) -> VariationDraw {
        var draw = VariationDraw(conductances: [:], offsets: [:], stuckOn: 0, stuckOff: 0)
        guard !parameters.isNominal else { return draw }
        var programming = SeededGenerator(seed: SeedStream.derive(sampleSeed, SeedStream.programming))
        var stuck = SeededGenerator(seed: SeedStream.derive(sampleSeed, SeedStream.stuck))
        var noise = SeededGenerator(seed: SeedStream.derive(SeedStream.derive(sampleSeed, SeedStream.reads), UInt64(read)))
        for (site, nominal) in CircuitVariation.sites(of: design) {
            let u = Double.random(in: 0..<1, using: &stuck)
            let zp = programming.normal()
            let zr = noise.normal()
            var g = nominal
            if u < parameters.stuckOffRate {
                g = 0
                if nominal > 0 { draw.stuckOff += 1 }
            } else if u >= 1 - parameters.stuckOnRate {
                g = fullScaleSiemens
                if nominal < fullScaleSiemens { draw.stuckOn += 1 }
            } else if g > 0 {
                g = max(0, g * (1 + parameters.programmingSigma * zp))
            }
            if g > 0 { g = max(0, g * (1 + parameters.readNoiseSigma * zr)) }
            if g != nominal { draw.conductances[site] = g }
        }
        if parameters.offsetSigmaVolts > 0 {
            var offsets = SeededGenerator(seed: SeedStream.derive(sampleSeed, SeedStream.offsets))
            for name in CircuitVariation.amplifiers(of: design) {
                draw.offsets[name] = parameters.offsetSigmaVolts * offsets.normal()
            }
        }
        return draw
    }
}
