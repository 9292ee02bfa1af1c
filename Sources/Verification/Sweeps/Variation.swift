import Circuits
import Foundation
import CircuitTheory
import Reference

/// The statistical models of a Monte Carlo run, each with its unit and a default of zero
/// (no variation). Applied to the generated circuit (`CircuitVariation`) while the
/// verdict is judged against the nominal design's references, so a sweep shows how far
/// variation moves the answer away from what the nominal circuit computes.
///
/// - Programming error: each programmed cell conducts G (1 + sigma_p z), z standard normal,
///   drawn once per sample (a programmed chip); clipped at 0.
/// - Stuck cells: every cell site (programmed or not, in every physical array) is stuck off
///   (open) with probability `stuckOffRate` and stuck on (the full-scale conductance
///   (2^k - 1) G0, or G0 for continuous cells) with probability `stuckOnRate`, per sample.
/// - Read noise: every conducting cell conducts G (1 + sigma_r z) with a fresh z for each
///   read (run) of the same sample.
/// - Op-amp input offset: each op-amp and inverter instance gets Vos = sigma_os z, per
///   sample, in series with its non-inverting input, on top of the design's own offset.
public struct VariationParameters: Sendable, Hashable {
    /// Relative sigma of the programming error, dimensionless. Default 0.
    public var programmingSigma: Double
    /// Probability that a cell site is stuck on, per site. Default 0.
    public var stuckOnRate: Double
    /// Probability that a cell site is stuck off, per site. Default 0.
    public var stuckOffRate: Double
    /// Relative sigma of the read noise, dimensionless, per read. Default 0.
    public var readNoiseSigma: Double
    /// Sigma of each amplifier's input offset, volts. Default 0.
    public var offsetSigmaVolts: Double

    public init(programmingSigma: Double = 0, stuckOnRate: Double = 0, stuckOffRate: Double = 0,
                readNoiseSigma: Double = 0, offsetSigmaVolts: Double = 0) {
        self.programmingSigma = programmingSigma; self.stuckOnRate = stuckOnRate; self.stuckOffRate = stuckOffRate
        self.readNoiseSigma = readNoiseSigma; self.offsetSigmaVolts = offsetSigmaVolts
    }

    /// No variation at all: the nominal circuit.
    public var isNominal: Bool {
        programmingSigma == 0 && stuckOnRate == 0 && stuckOffRate == 0 && readNoiseSigma == 0 && offsetSigmaVolts == 0
    }

    /// Throws ``SweepError/invalidSpec(_:)`` for the first value out of range.
    public func validate() throws(SweepError) {
        func check(_ name: String, _ value: Double, _ ok: Bool, _ requirement: String) throws(SweepError) {
            guard value.isFinite, ok else { throw .invalidSpec("\(name) = \(value): it must be \(requirement)") }
        }
        try check("programming-sigma", programmingSigma, programmingSigma >= 0 && programmingSigma <= 1, "in [0, 1] (relative)")
        try check("read-noise-sigma", readNoiseSigma, readNoiseSigma >= 0 && readNoiseSigma <= 1, "in [0, 1] (relative)")
        try check("stuck-on-rate", stuckOnRate, stuckOnRate >= 0 && stuckOnRate <= 1, "a probability in [0, 1]")
        try check("stuck-off-rate", stuckOffRate, stuckOffRate >= 0 && stuckOffRate <= 1, "a probability in [0, 1]")
        try check("stuck-on-rate + stuck-off-rate", stuckOnRate + stuckOffRate, stuckOnRate + stuckOffRate <= 1, "at most 1")
        try check("offset-sigma", offsetSigmaVolts, offsetSigmaVolts >= 0 && offsetSigmaVolts <= 1, "in [0, 1] V")
    }

    /// The values for reports.
    public var designValues: [DesignValue] {
        [
            DesignValue("variation.programmingSigma", programmingSigma, "", "relative sigma of the cell programming error, per sample"),
            DesignValue("variation.stuckOnRate", stuckOnRate, "", "probability of a cell site stuck on (full scale)"),
            DesignValue("variation.stuckOffRate", stuckOffRate, "", "probability of a cell site stuck off (open)"),
            DesignValue("variation.readNoiseSigma", readNoiseSigma, "", "relative sigma of the read noise, per read"),
            DesignValue("variation.offsetSigma", offsetSigmaVolts, "V", "sigma of each amplifier's input offset, per sample"),
        ]
    }
}

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
