import Foundation
import CircuitTheory
import Reference
import Testing

/// |observed - expected| <= tolerance * max(|expected|, floor), with a message that prints
/// every number involved so a failure explains itself.
func expectClose(_ observed: Double, _ expected: Double, relative tolerance: Double, floor: Double = 0,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let error = abs(observed - expected)
    let scale = max(abs(expected), floor)
    #expect(error <= tolerance * scale,
            "\(what) observed \(observed), expected \(expected), error \(error), tolerance \(tolerance * scale)",
            sourceLocation: sourceLocation)
}

func expectClose(_ observed: [Double], _ expected: [Double], relative tolerance: Double,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(observed.count == expected.count, "\(what) lengths differ", sourceLocation: sourceLocation)
    guard observed.count == expected.count else { return }
    let error = observed.minus(expected).norm2
    #expect(error <= tolerance * expected.norm2,
            "\(what) observed \(observed), expected \(expected), |error| \(error), tolerance \(tolerance * expected.norm2)",
            sourceLocation: sourceLocation)
}

func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var rng = SeededGenerator(seed: seed)
    return Matrix(rows: rows, columns: columns) { _, _ in Double.random(in: -1...1, using: &rng) }
}

func tridiagonal(_ n: Int, sub: Double, diagonal: Double, sup: Double) -> Matrix {
    Matrix(rows: n, columns: n) { i, j in
        i == j ? diagonal : (i == j + 1 ? sub : (j == i + 1 ? sup : 0))
    }
}

func hilbert(_ n: Int) -> Matrix {
    Matrix(rows: n, columns: n) { i, j in 1 / Double(i + j + 1) }
}
