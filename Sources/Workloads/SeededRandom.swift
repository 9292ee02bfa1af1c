import Foundation
import Reference

/// A reproducible random number generator (SplitMix64): every workload that needs noise or a
/// random matrix takes a seed, so a run can be repeated exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable {
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

/// Test and demonstration matrices.
public enum WorkloadMatrices {
    /// R R^T / n + I with R standard normal (seeded): symmetric positive definite, condition
    /// number about (1 + (1 + 1)^2) = 5 for large n.
    public static func spd(_ n: Int, seed: UInt64) -> Matrix {
        var g = SeededRandom(seed: seed)
        let r = Matrix(rows: n, columns: n) { _, _ in g.normal() }
        var a = r * r.transposed
        a = (1 / Double(n)) * a
        for i in 0..<n { a[i, i] += 1 }
        return a
    }

    /// I + (s / sqrt(n)) R with R standard normal: non-symmetric, eigenvalues in a disc of
    /// radius about s around 1 (stable loops for s < 1).
    public static func wellConditioned(_ n: Int, seed: UInt64, spread: Double = 0.5) -> Matrix {
        var g = SeededRandom(seed: seed)
        let s = spread / Double(n).squareRoot()
        return Matrix(rows: n, columns: n) { i, j in (i == j ? 1 : 0) + s * g.normal() }
    }

    /// A standard normal vector.
    public static func vector(_ n: Int, seed: UInt64) -> [Double] {
        var g = SeededRandom(seed: seed)
        return (0..<n).map { _ in g.normal() }
    }
}
