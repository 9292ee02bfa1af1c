import Foundation
import CircuitTheory
@testable import Reference
import Testing

@Suite("Dense linear algebra on LAPACK")
struct LinearAlgebraTests {
    @Test("Matrix storage is row-major and nested arrays must not be ragged")
    func storageOrder() throws {
        let a = try Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(a.storage == [1, 2, 3, 4, 5, 6])
        #expect(a[1, 0] == 4)
        #expect(a.transposed.storage == [1, 4, 2, 5, 3, 6])
        #expect(throws: LinearAlgebraError.raggedRows(row: 2, expected: 2, found: 1)) {
            try Matrix([[1, 2], [3]])
        }
        #expect(LinearAlgebraError.notSquare(rows: 3, columns: 4).description == "matrix is not square: 3x4")
    }

    @Test("Products, blocks and norms")
    func productsBlocksNorms() throws {
        let a = try Matrix([[1, 2], [3, 4]])
        let b = try Matrix([[0, 1], [1, 0]])
        #expect(try a.multiplied(by: b) == Matrix([[2, 1], [4, 3]]))
        #expect(try a.multiplied(by: [1, 1]) == [3, 7])
        #expect(try a.transposedMultiplied(by: [1, 1]) == [4, 6])
        #expect(throws: LinearAlgebraError.dimensionMismatch(operation: "matrix-vector product",
                                                             left: Shape(rows: 2, columns: 2), right: .vector(3))) {
            try a.multiplied(by: [1, 2, 3])
        }
        let big = Matrix(rows: 4, columns: 4) { i, j in Double(10 * i + j) }
        let (tl, tr, bl, br) = big.partitioned(row: 1, column: 3)
        #expect(tl.shape == Shape(rows: 1, columns: 3) && br.shape == Shape(rows: 3, columns: 1))
        #expect(try Matrix(blocks: [[tl, tr], [bl, br]]) == big)
        #expect(a.infinityNorm == 7 && a.oneNorm == 6)
        expectClose(a.frobeniusNorm, 30.0.squareRoot(), relative: 1e-15)
        // |[[1,2],[3,4]]|_2 = sqrt((30 + sqrt(884)) / 2), from the eigenvalues of A^T A.
        expectClose(try a.norm2(), ((30 + 884.0.squareRoot()) / 2).squareRoot(), relative: 1e-14)
    }

    @Test("Solve: LU with partial pivoting, singular pivot and non-finite positions")
    func solve() throws {
        let a = try Matrix([[2, 1, 1], [4, -6, 0], [-2, 7, 2]])
        let x = try a.solve([5, -2, 9])
        // Hand-solved: x = (1, 1, 2).
        expectClose(x, [1, 1, 2], relative: 1e-14)
        let lu = try LUFactorization(a)
        expectClose(try lu.solve([5, -2, 9]), [1, 1, 2], relative: 1e-14)
        expectClose(lu.determinant, -16, relative: 1e-14)
        // The second column is twice the first: after one elimination step U(2,2) is exactly 0.
        let singular = try Matrix([[1, 2], [2, 4]])
        #expect(throws: LinearAlgebraError.singular(pivot: 2)) { try singular.solve([1, 1]) }
        let withNaN = try Matrix([[1, 0], [0, .nan]])
        #expect(throws: (any Error).self) { try withNaN.solve([1, 1]) }
        do {
            _ = try withNaN.solve([1, 1])
        } catch {
            #expect(error.description == "non-finite entry nan at row 2, column 2")
        }
        #expect(throws: LinearAlgebraError.notSquare(rows: 2, columns: 3)) {
            try Matrix(rows: 2, columns: 3).solve([1, 2])
        }
        #expect(throws: LinearAlgebraError.dimensionMismatch(operation: "solve",
                                                             left: Shape(rows: 3, columns: 3), right: .vector(2))) {
            try a.solve([1, 2])
        }
    }

    @Test("Random systems: the residual is at the level backward stability promises")
    func randomSolve() throws {
        for (n, seed) in [(5, 1), (16, 2), (64, 3)] as [(Int, UInt64)] {
            let a = randomMatrix(rows: n, columns: n, seed: seed)
            let b = randomMatrix(rows: n, columns: 1, seed: seed + 100).storage
            let x = try a.solve(b)
            // |b - A x| <= c n eps |A| |x| with a modest constant (c = 10 here).
            let residual = b.minus(a * x).norm2
            let bound = 10 * Double(n) * Double.ulpOfOne * (try a.norm2()) * x.norm2
            #expect(residual <= bound, "n \(n): residual \(residual) > bound \(bound)")
        }
    }

    @Test("Eigenvalues of tridiag(-1, 2, -1) are 2 - 2 cos(k pi / (N + 1)) to 1e-12")
    func tridiagonalEigenvalues() throws {
        for n in [2, 5, 16, 64] {
            let values = try tridiagonal(n, sub: -1, diagonal: 2, sup: -1).eigenvalues()
            let observed = values.map(\.real).sorted()
            let expected = (1...n).map { 2 - 2 * cos(Double($0) * Double.pi / Double(n + 1)) }.sorted()
            for (o, e) in zip(observed, expected) {
                #expect(abs(o - e) <= 1e-12, "n \(n): eigenvalue \(o), expected \(e), error \(abs(o - e))")
            }
            #expect(values.allSatisfy { abs($0.imaginary) <= 1e-12 })
        }
    }

    @Test("Eigenvectors satisfy A v = lambda v, complex pairs included")
    func eigenvectors() throws {
        let a = try Matrix([[-1, 2], [-10, 3]])
        let e = try a.eigenDecomposition()
        // eig([[-1, 2], [-10, 3]]) = 1 +- 4j: trace 2, determinant 17.
        let sorted = e.values.sorted { $0.imaginary > $1.imaginary }
        expectClose(sorted[0].real, 1, relative: 1e-14)
        expectClose(sorted[0].imaginary, 4, relative: 1e-14)
        for (lambda, v) in zip(e.values, e.vectors) {
            for i in 0..<2 {
                // (A v)_i - lambda v_i, real and imaginary parts.
                let avRe = a[i, 0] * v[0].real + a[i, 1] * v[1].real
                let avIm = a[i, 0] * v[0].imaginary + a[i, 1] * v[1].imaginary
                let lvRe = lambda.real * v[i].real - lambda.imaginary * v[i].imaginary
                let lvIm = lambda.real * v[i].imaginary + lambda.imaginary * v[i].real
                #expect(abs(avRe - lvRe) <= 1e-13 && abs(avIm - lvIm) <= 1e-13)
            }
        }
    }

    /// kappa_2 of the n x n Hilbert matrix H_ij = 1 / (i + j - 1). The leading digits are the
    /// published ones (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
    /// SIAM 2002, section 28.1: 1.55e4, 4.77e5, 1.50e7, 4.75e8, 1.53e10; also R. T. Gregory and
    /// D. L. Karney, "A Collection of Matrices for Testing Computational Algorithms", 1969);
    /// the full digits were computed from the eigenvalues of H_n in 50-digit arithmetic
    /// (mpmath `eigsy(hilbert(n))`), since H_n is symmetric positive definite and kappa_2 =
    /// lambda_max / lambda_min.
    static let hilbertConditionNumbers: [Int: Double] = [
        4: 15_513.738_738_932_588,
        5: 476_607.250_242_560_81,
        6: 14_951_058.640_131_217,
        7: 475_367_354.988_178_99,
        8: 15_257_575_741.646_943,
    ]

    @Test("Hilbert condition numbers n = 4..8 to 1e-6 relative", arguments: 4...8)
    func hilbertConditionNumber(n: Int) throws {
        let expected = try #require(Self.hilbertConditionNumbers[n])
        // The SVD's absolute error eps * s_1 costs about kappa * eps relative in s_min:
        // 1.5e10 * 2.2e-16 = 3.4e-6 at worst for n = 8; measured far below, and 1e-6 is asked.
        expectClose(try hilbert(n).conditionNumber(), expected, relative: 1e-6, "kappa_2(H_\(n))")
    }

    @Test("Least squares: a hand-solved line fit and a rank-deficient case")
    func leastSquares() throws {
        // Fit y = c0 + c1 t to (0, 1), (1, 3), (2, 4), (3, 4). Normal equations:
        // [[4, 6], [6, 14]] c = [12, 23]  =>  c = (1.5, 1.0); residual r = (-0.5, 0.5, 0.5, -0.5), |r| = 1.
        let x = try Matrix([[1, 0], [1, 1], [1, 2], [1, 3]])
        let fit = try x.leastSquares([1, 3, 4, 4])
        expectClose(fit.solution, [1.5, 1.0], relative: 1e-14)
        expectClose(fit.residualNorm, 1, relative: 1e-14)
        #expect(fit.rank == 2)
        // Rank 1: columns equal. Minimum-norm solution of [[1,1],[1,1],[1,1]] c = (1,2,3):
        // the fit is c0 + c1 = mean = 2, minimum norm splits it: c = (1, 1).
        let deficient = try Matrix([[1, 1], [1, 1], [1, 1]])
        let md = try deficient.leastSquares([1, 2, 3])
        #expect(md.rank == 1)
        expectClose(md.solution, [1, 1], relative: 1e-14)
        expectClose(md.residualNorm, 2.0.squareRoot(), relative: 1e-14)
    }
}

/// A matrix that a permutation makes block diagonal is analysed block by block: same
/// eigenvalues and singular values as its blocks, at a fraction of the cost (a sparse
/// identity of 4096 is 4096 scalars, not one 4096 x 4096 factorisation).
@Suite("Decoupled blocks")
struct DecoupledBlockTests {
    let blocks: [[[Double]]] = [[[2, 1], [-1, 3]], [[5]], [[1, 2, 0], [0, 1, 3], [4, 0, 1]], [[-0.5]]]

    /// The blocks on the diagonal, then rows and columns shuffled by one permutation.
    func shuffled() throws -> Matrix {
        let n = blocks.map(\.count).reduce(0, +)
        var dense = Matrix(rows: n, columns: n)
        var offset = 0
        for block in blocks {
            for (i, row) in block.enumerated() { for (k, value) in row.enumerated() { dense[offset + i, offset + k] = value } }
            offset += block.count
        }
        let order = [4, 0, 6, 2, 5, 1, 3]
        return Matrix(rows: n, columns: n) { dense[order[$0], order[$1]] }
    }

    @Test("eigenvalues are those of the blocks")
    func eigenvalues() throws {
        let a = try shuffled()
        #expect(a.decoupledBlocks()?.count == 4)
        let expected = try blocks.flatMap { try Matrix($0).eigenvalues() }.sorted { ($0.real, $0.imaginary) < ($1.real, $1.imaginary) }
        let actual = try a.eigenvalues().sorted { ($0.real, $0.imaginary) < ($1.real, $1.imaginary) }
        #expect(actual.count == expected.count)
        for (x, y) in zip(actual, expected) { #expect(abs(x.real - y.real) + abs(x.imaginary - y.imaginary) < 1e-12) }
        // The 2 x 2 block's pair: trace 5, determinant 7.
        #expect(actual.contains { abs($0.real - 2.5) < 1e-12 && abs(abs($0.imaginary) - (7 - 6.25).squareRoot()) < 1e-12 })
    }

    @Test("singular values are those of the blocks, largest first")
    func singularValues() throws {
        let a = try shuffled()
        let expected = try blocks.flatMap { try Matrix($0).singularValues() }.sorted(by: >)
        let actual = try a.singularValues()
        #expect(actual.count == 7)
        for (x, y) in zip(actual, expected) { #expect(abs(x - y) < 1e-12 * expected[0]) }
        // |A|_F^2 is the sum of squared singular values, whatever the permutation.
        let frobenius = a.storage.map { $0 * $0 }.reduce(0, +)
        #expect(abs(actual.map { $0 * $0 }.reduce(0, +) - frobenius) < 1e-10 * frobenius)
    }

    @Test("one non-zero coupling joins two blocks into one")
    func coupling() throws {
        var a = try shuffled()
        a[3, 2] = 1e-3  // rows 3 and 2 hold the two 1 x 1 blocks (5 and -0.5)
        #expect(a.decoupledBlocks()?.count == 3)
        #expect(Matrix(rows: 3, columns: 3) { $0 == $1 ? 1 : 1e-9 }.decoupledBlocks() == nil)
    }
}
