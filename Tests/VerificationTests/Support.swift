import Circuits
import Foundation
import Ngspice
import Reference
import Verification

/// A reproducible generator (SplitMix64), so every test matrix is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A standard normal sample (Box-Muller).
    mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

enum TestMatrices {
    /// I + 0.5 R / sqrt(n) with R standard normal: mixed signs, every eigenvalue in a disc of
    /// radius about 0.5 around 1, so the loop is stable and kappa is small.
    static func wellConditioned(_ n: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        let scale = 0.5 / Double(n).squareRoot()
        return Matrix(rows: n, columns: n) { i, j in (i == j ? 1 : 0) + scale * g.normal() }
    }

    /// R R^T / n + I: symmetric positive definite.
    static func spd(_ n: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        let r = Matrix(rows: n, columns: n) { _, _ in g.normal() }
        return Matrix(rows: n, columns: n) { i, j in
            (0..<n).reduce(0.0) { $0 + r[i, $1] * r[j, $1] } / Double(n) + (i == j ? 1 : 0)
        }
    }

    /// tridiag(-1, 2, -1): the 1-D Poisson matrix (slow: lambda_min ~ pi^2 / N^2).
    static func poisson(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in i == j ? 2 : abs(i - j) == 1 ? -1 : 0 }
    }

    /// I + 0.5 tridiag(-1, 2, -1): one implicit heat step (fast at any N).
    static func heatStep(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in i == j ? 2 : abs(i - j) == 1 ? -0.5 : 0 }
    }

    static func random(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        return Matrix(rows: rows, columns: columns) { _, _ in g.normal() }
    }

    static func vector(_ n: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in g.normal() }
    }
}

/// One engine for the whole test bundle's verification suites.
enum SharedEngine {
    static let engine: NgspiceEngine = {
        do { return try NgspiceEngine() } catch { fatalError("libngspice is required for these tests: \(error)") }
    }()
}

extension SolveOptions {
    /// Continuous cells and ideal converters: only the circuit's own errors remain.
    static func exactCells(fidelity: Fidelity = .ideal, analysis: AnalysisKind = .op) -> SolveOptions {
        var mapping = MappingParameters()
        mapping.cell = CellFormat(magnitudeBits: nil)
        mapping.dac = ConverterParameters(bits: nil)
        mapping.adc = ConverterParameters(bits: nil)
        return SolveOptions(mapping: mapping, design: DesignParameters(fidelity: fidelity), analysis: analysis)
    }
}

func cosine(_ a: [Double], _ b: [Double]) -> Double {
    abs(a.dot(b)) / (a.norm2 * b.norm2)
}
