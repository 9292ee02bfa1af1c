import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
import Ngspice
import CircuitTheory
import Reference
import Testing
import Verification

enum TestMatrices {
    /// I + 0.5 R / sqrt(n) with R standard normal: mixed signs, every eigenvalue in a disc of
    /// radius about 0.5 around 1, so the loop is stable and kappa is small.
    static func wellConditioned(_ n: Int, seed: UInt64) -> Matrix {
        Matrix.wellConditioned(n, seed: seed)
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

extension SolveSpecification {
    /// Continuous cells and ideal converters: only the circuit's own errors remain.
    static func exactCells(fidelity: Fidelity = .ideal, analysis: AnalysisKind = .op) -> SolveSpecification {
        var mapping = MappingParameters()
        mapping.cell = CellFormat(magnitudeBits: nil)
        mapping.dac = ConverterParameters(bits: nil)
        mapping.adc = ConverterParameters(bits: nil)
        return SolveSpecification(mapping: mapping, circuit: DesignParameters(fidelity: fidelity), analysis: analysis)
    }
}

func cosine(_ a: [Double], _ b: [Double]) -> Double {
    abs(a.dot(b)) / (a.norm2 * b.norm2)
}

/// |observed - expected| <= tolerance |expected|, with both in the message.
func expectRelative(_ observed: Double, _ expected: Double, within tolerance: Double, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(observed - expected) <= tolerance * abs(expected), "\(what): \(observed), expected \(expected)",
            sourceLocation: sourceLocation)
}
