import Reports
import Specification
import Foundation
import CircuitTheory
import Reference

/// Test and demonstration matrices.
public enum WorkloadMatrices {
    /// R R^T / n + I with R standard normal (seeded): symmetric positive definite, condition
    /// number about (1 + (1 + 1)^2) = 5 for large n.
    public static func spd(_ n: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        let r = Matrix(rows: n, columns: n) { _, _ in g.normal() }
        var a = r * r.transposed
        a = (1 / Double(n)) * a
        for i in 0..<n { a[i, i] += 1 }
        return a
    }

    /// A standard normal vector.
    public static func vector(_ n: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in g.normal() }
    }
}
