import Foundation

/// A reproducible random-number generator (SplitMix64): the same seed gives the same
/// sequence on every machine, so test matrices, Monte Carlo samples and synthetic workloads
/// can be re-created from a seed printed in a report.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box-Muller).
    public mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A uniform sample in [0, 1).
    public mutating func uniform() -> Double { Double.random(in: 0..<1, using: &self) }
}

extension Matrix {
    /// I + (spread / sqrt(n)) R with R standard normal: mixed signs and every eigenvalue in a
    /// disc of radius about `spread` around 1, so an INV loop on it is stable and kappa small.
    public static func wellConditioned(_ n: Int, seed: UInt64, spread: Double = 0.5) -> Matrix {
        var g = SeededGenerator(seed: seed)
        let scale = spread / Double(n).squareRoot()
        return Matrix(rows: n, columns: n) { i, j in (i == j ? 1 : 0) + scale * g.normal() }
    }
}
