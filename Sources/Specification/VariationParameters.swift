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
