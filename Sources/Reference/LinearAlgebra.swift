import CLapack

// Dense linear algebra on LAPACK (through LAPACKE). Nothing here factorises by hand: every
// factorisation, eigen-solver and SVD is a LAPACK driver, and this file only moves Swift
// values in and out, checks the input and translates `info` into `LinearAlgebraError`.

/// Translates a LAPACK `info` < 0 (argument `-info` was illegal; -1010 is LAPACKE's
/// out-of-memory code) into an error. `info` > 0 is routine specific and handled by callers.
private func checkArguments(_ info: Int32, _ routine: String) throws(LinearAlgebraError) {
    if info < 0 { throw .invalidArgument(routine: routine, argument: Int(-info)) }
}

private func lapackInt(_ n: Int) -> Int32 {
    _ = LAPACKThreads.singleThreaded
    return Int32(clamping: n)
}

private let jobNone = CChar(UInt8(ascii: "N"))
private let jobVectors = CChar(UInt8(ascii: "V"))
private let noTranspose = CChar(UInt8(ascii: "N"))

/// An LU factorisation with partial pivoting, P A = L U (LAPACK dgetrf), kept to solve many
/// right-hand sides with one factorisation (dgetrs).
public struct LUFactorization: Sendable {
    /// L (unit lower, below the diagonal) and U (on and above), row-major, as dgetrf leaves them.
    public let factors: Matrix
    /// 1-based LAPACK pivot indices: row i was interchanged with row `pivots[i]`.
    public let pivots: [Int32]

    /// Factorises the square matrix `a`.
    /// - Throws: `notSquare`, `empty`, `nonFinite` (1-based position), or `singular(pivot:)`
    ///   when U(p, p) is exactly zero (1-based p).
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        guard a.isSquare else { throw .notSquare(rows: a.rows, columns: a.columns) }
        guard !a.isEmpty else { throw .empty(operation: "LU factorisation") }
        try a.checkFinite()
        let n = lapackInt(a.rows)
        var storage = a.storage
        var ipiv = [Int32](repeating: 0, count: a.rows)
        let info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, &storage, n, &ipiv)
        try checkArguments(info, "dgetrf")
        if info > 0 { throw .singular(pivot: Int(info)) }
        factors = try Matrix(rows: a.rows, columns: a.columns, storage: storage)
        pivots = ipiv
    }

    /// x with A x = b.
    /// - Throws: `dimensionMismatch` unless `b.count` equals the order of A; `nonFinite` for b.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(column: b)).storage
    }

    /// X with A X = B (one right-hand side per column of B).
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == factors.rows else {
            throw .dimensionMismatch(operation: "solve", left: factors.shape, right: b.shape)
        }
        try b.checkFinite()
        if b.columns == 0 { return b }
        var x = b.storage
        let n = lapackInt(factors.rows)
        let nrhs = lapackInt(b.columns)
        let info = factors.storage.withUnsafeBufferPointer { lu in
            LAPACKE_dgetrs(LAPACK_ROW_MAJOR, noTranspose, n, nrhs, lu.baseAddress, n, pivots, &x, nrhs)
        }
        try checkArguments(info, "dgetrs")
        return try Matrix(rows: b.rows, columns: b.columns, storage: x)
    }

    /// det A = prod U_ii times the sign of the permutation.
    public var determinant: Double {
        var det = 1.0
        for i in 0..<factors.rows {
            det *= factors[i, i]
            if pivots[i] != Int32(i + 1) { det = -det }
        }
        return det
    }
}

/// The solution of a least-squares problem min_x |A x - b|_2 (LAPACK dgelsd).
public struct LeastSquaresSolution: Sendable, Hashable {
    /// The minimum-norm minimiser x (length = columns of A).
    public var solution: [Double]
    /// The effective rank: singular values s_i > rcond * s_1 are kept.
    public var rank: Int
    /// The singular values of A in decreasing order.
    public var singularValues: [Double]
    /// |A x - b|_2 at the solution.
    public var residualNorm: Double
}

/// The eigen-decomposition A v_k = lambda_k v_k of a general real square matrix (LAPACK dgeev).
public struct EigenDecomposition: Sendable, Hashable {
    /// The eigenvalues in LAPACK's order; complex ones come in conjugate pairs, positive
    /// imaginary part first.
    public var values: [Complex]
    /// Right eigenvectors, `vectors[k]` belonging to `values[k]`, each of unit 2-norm (dgeev's
    /// normalisation: largest component real for complex vectors).
    public var vectors: [[Complex]]
}

extension Matrix {
    /// x with A x = b, by LU with partial pivoting (LAPACK dgesv).
    ///
    /// Backward stable: the computed x solves (A + dA) x = b with |dA| ~ n eps |A| (for the
    /// usual modest pivot growth), so the forward error is about kappa(A) eps.
    /// - Throws: `notSquare`, `empty`, `dimensionMismatch`, `nonFinite` (1-based position,
    ///   A first, then b as column 1), `singular(pivot:)` with the 1-based zero pivot.
    public func solve(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        try solve(Matrix(column: b)).storage
    }

    /// X with A X = B, by LU with partial pivoting (LAPACK dgesv).
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard isSquare else { throw .notSquare(rows: rows, columns: columns) }
        guard !isEmpty else { throw .empty(operation: "solve") }
        guard b.rows == rows else { throw .dimensionMismatch(operation: "solve", left: shape, right: b.shape) }
        try checkFinite()
        try b.checkFinite()
        if b.columns == 0 { return b }
        var a = storage
        var x = b.storage
        var ipiv = [Int32](repeating: 0, count: rows)
        let n = lapackInt(rows)
        let nrhs = lapackInt(b.columns)
        let info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, nrhs, &a, n, &ipiv, &x, nrhs)
        try checkArguments(info, "dgesv")
        if info > 0 { throw .singular(pivot: Int(info)) }
        return try Matrix(rows: b.rows, columns: b.columns, storage: x)
    }

    /// A^-1, by LU (solving A X = I with dgesv).
    /// - Throws: as ``solve(_:)-(Matrix)``.
    public func inverse() throws(LinearAlgebraError) -> Matrix {
        guard isSquare else { throw .notSquare(rows: rows, columns: columns) }
        return try solve(Matrix.identity(rows))
    }

    /// The minimum-norm least-squares solution of min_x |A x - b|_2 for any m x n matrix A,
    /// full rank or not, by the SVD with divide and conquer (LAPACK dgelsd).
    ///
    /// Singular values s_i <= rcond * s_1 are treated as zero; rcond < 0 means machine
    /// precision. For full column rank this is x = (A^T A)^-1 A^T b, computed without forming A^T A.
    /// - Throws: `empty`, `dimensionMismatch` unless `b.count == rows`, `nonFinite`,
    ///   `noConvergence` when the SVD fails.
    public func leastSquares(_ b: [Double], rcond: Double = -1) throws(LinearAlgebraError) -> LeastSquaresSolution {
        guard !isEmpty else { throw .empty(operation: "least squares") }
        guard b.count == rows else {
            throw .dimensionMismatch(operation: "least squares", left: shape, right: .vector(b.count))
        }
        try checkFinite()
        if let k = b.firstNonFiniteIndex { throw .nonFinite(row: k + 1, column: 1, value: b[k]) }
        var a = storage
        // dgelsd overwrites b (length max(m, n)) with the solution in its first n entries.
        var x = b + Array(repeating: 0.0, count: Swift.max(0, columns - rows))
        var s = [Double](repeating: 0, count: Swift.min(rows, columns))
        var rank: Int32 = 0
        let info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, lapackInt(rows), lapackInt(columns), 1,
                                  &a, lapackInt(columns), &x, 1, &s, rcond, &rank)
        try checkArguments(info, "dgelsd")
        if info > 0 { throw .noConvergence(routine: "dgelsd", info: Int(info)) }
        let solution = Array(x.prefix(columns))
        let residual = applying(solution).minus(b).norm2
        return LeastSquaresSolution(solution: solution, rank: Int(rank), singularValues: s, residualNorm: residual)
    }

    /// The singular values s_1 >= ... >= s_min(m,n) >= 0 (LAPACK dgesdd, no vectors).
    ///
    /// Each is accurate to about eps * s_1 (absolute), so small ones lose relative accuracy
    /// as kappa grows.
    /// - Throws: `empty`, `nonFinite`, `noConvergence`.
    public func singularValues() throws(LinearAlgebraError) -> [Double] {
        guard !isEmpty else { throw .empty(operation: "singular values") }
        try checkFinite()
        // A square matrix that falls apart into blocks under one permutation of rows and
        // columns has the singular values of its blocks: a sparse or diagonal matrix of
        // thousands costs what its blocks cost, not n^3.
        if let blocks = decoupledBlocks() {
            var values: [Double] = []
            for block in blocks {
                values += block.count == 1 ? [abs(self[block[0], block[0]])] : try principal(block).singularValues()
            }
            return values.sorted(by: >)
        }
        // Row-major A is column-major A^T, which has the same singular values: no copy needed
        // beyond the one dgesdd overwrites.
        var a = storage
        var s = [Double](repeating: 0, count: Swift.min(rows, columns))
        var u = [Double](repeating: 0, count: 1)
        var vt = [Double](repeating: 0, count: 1)
        let info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, jobNone, lapackInt(columns), lapackInt(rows),
                                  &a, lapackInt(columns), &s, &u, 1, &vt, 1)
        try checkArguments(info, "dgesdd")
        if info > 0 { throw .noConvergence(routine: "dgesdd", info: Int(info)) }
        return s
    }

    /// The spectral norm |A|_2 = s_1, the largest singular value (0 for an empty matrix).
    public func norm2() throws(LinearAlgebraError) -> Double {
        if isEmpty { return 0 }
        return try singularValues().first ?? 0
    }

    /// The 2-norm condition number kappa_2(A) = s_1 / s_min(m,n) from the singular values;
    /// +infinity when s_min is zero. For a rectangular A it is the condition number of the
    /// least-squares problem's matrix.
    public func conditionNumber() throws(LinearAlgebraError) -> Double {
        Matrix.conditionNumber(singularValues: try singularValues())
    }

    /// kappa_2 from singular values already at hand (largest first), so that callers that
    /// also need |A|_2 factorise once.
    public static func conditionNumber(singularValues s: [Double]) -> Double {
        guard let largest = s.first, let smallest = s.last else { return .infinity }
        return smallest > 0 ? largest / smallest : .infinity
    }

    /// The eigenvalues of a general square matrix (LAPACK dgeev, no vectors), in no
    /// particular order. A matrix that falls apart into blocks under a symmetric permutation
    /// has the eigenvalues of its blocks, each computed on its own.
    ///
    /// Backward stable: they are exact for A + dA with |dA| ~ eps |A|; a simple eigenvalue's
    /// error is about eps |A| times its condition number (1 for symmetric A).
    /// - Throws: `notSquare`, `empty`, `nonFinite`, `noConvergence`.
    public func eigenvalues() throws(LinearAlgebraError) -> [Complex] {
        guard isSquare else { throw .notSquare(rows: rows, columns: columns) }
        guard !isEmpty else { throw .empty(operation: "eigenvalues") }
        try checkFinite()
        if let blocks = decoupledBlocks() {
            var values: [Complex] = []
            for block in blocks {
                values += block.count == 1 ? [Complex(self[block[0], block[0]])] : try principal(block).eigen(vectors: false).values
            }
            return values
        }
        return try eigen(vectors: false).values
    }

    /// The index sets of the diagonal blocks a symmetric permutation makes of this square
    /// matrix (the connected components of the graph with an edge i-j wherever a_ij or a_ji
    /// is non-zero), or nil when it is one block.
    public func decoupledBlocks() -> [[Int]]? {
        guard isSquare, rows > 1 else { return nil }
        let n = rows
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        storage.withUnsafeBufferPointer { a in
            for i in 0..<n {
                let row = i * n
                for k in 0..<n where k != i && a[row + k] != 0 {
                    let (x, y) = (root(i), root(k))
                    if x != y { parent[max(x, y)] = min(x, y) }
                }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in 0..<n { groups[root(i), default: []].append(i) }
        guard groups.count > 1 else { return nil }
        return groups.keys.sorted().map { groups[$0]! }
    }

    /// The principal submatrix on `indices` (rows and columns alike).
    public func principal(_ indices: [Int]) -> Matrix {
        Matrix(rows: indices.count, columns: indices.count) { self[indices[$0], indices[$1]] }
    }

    /// Eigenvalues and right eigenvectors of a general square matrix (LAPACK dgeev).
    /// - Throws: as ``eigenvalues()``.
    public func eigenDecomposition() throws(LinearAlgebraError) -> EigenDecomposition {
        try eigen(vectors: true)
    }

    fileprivate func eigen(vectors wantVectors: Bool) throws(LinearAlgebraError) -> EigenDecomposition {
        guard isSquare else { throw .notSquare(rows: rows, columns: columns) }
        guard !isEmpty else { throw .empty(operation: "eigenvalues") }
        try checkFinite()
        let n = rows
        var a = storage
        var wr = [Double](repeating: 0, count: n)
        var wi = [Double](repeating: 0, count: n)
        var vl = [Double](repeating: 0, count: 1)
        var vr = [Double](repeating: 0, count: wantVectors ? n * n : 1)
        let info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, jobNone, wantVectors ? jobVectors : jobNone,
                                 lapackInt(n), &a, lapackInt(n), &wr, &wi,
                                 &vl, 1, &vr, wantVectors ? lapackInt(n) : 1)
        try checkArguments(info, "dgeev")
        if info > 0 { throw .noConvergence(routine: "dgeev", info: Int(info)) }
        let values = (0..<n).map { Complex(wr[$0], wi[$0]) }
        guard wantVectors else { return EigenDecomposition(values: values, vectors: []) }
        // dgeev's packing: a real eigenvalue k has vector VR[:, k]; a pair (k, k+1) with
        // wi[k] > 0 has vectors VR[:, k] +- i VR[:, k+1].
        var vectors: [[Complex]] = []
        var k = 0
        while k < n {
            if wi[k] == 0 {
                vectors.append((0..<n).map { Complex(vr[$0 * n + k]) })
                k += 1
            } else {
                vectors.append((0..<n).map { Complex(vr[$0 * n + k], vr[$0 * n + k + 1]) })
                vectors.append((0..<n).map { Complex(vr[$0 * n + k], -vr[$0 * n + k + 1]) })
                k += 2
            }
        }
        return EigenDecomposition(values: values, vectors: vectors)
    }
}
