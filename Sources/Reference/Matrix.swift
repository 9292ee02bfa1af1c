/// A dense matrix of `Double`, stored **row-major**: entry (i, j), 0-based, lives at
/// `storage[i * columns + j]`.
///
/// A value type: copies are independent (copy-on-write through the array). Every operation
/// that can fail on the user's data throws ``LinearAlgebraError``; the arithmetic operators
/// (`*`, `+`, `-`) trap on mismatched dimensions, like array subscripts, because a mismatch
/// there is a programming error, not an input error.
public struct Matrix: Hashable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Entries in row-major order; `storage.count == rows * columns`.
    public private(set) var storage: [Double]

    /// A matrix from its row-major storage.
    /// - Throws: ``LinearAlgebraError/storageSize(rows:columns:found:)`` when
    ///   `storage.count != rows * columns` or a dimension is negative.
    public init(rows: Int, columns: Int, storage: [Double]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0, storage.count == rows * columns else {
            throw .storageSize(rows: rows, columns: columns, found: storage.count)
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A `rows x columns` matrix with every entry equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "negative matrix dimension")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from its rows, e.g. `try Matrix([[1, 2], [3, 4]])`.
    /// - Throws: ``LinearAlgebraError/raggedRows(row:expected:found:)`` (1-based row) when the
    ///   rows differ in length.
    public init(_ rowArrays: [[Double]]) throws(LinearAlgebraError) {
        let columns = rowArrays.first?.count ?? 0
        var storage: [Double] = []
        storage.reserveCapacity(rowArrays.count * columns)
        for (i, row) in rowArrays.enumerated() {
            guard row.count == columns else {
                throw .raggedRows(row: i + 1, expected: columns, found: row.count)
            }
            storage.append(contentsOf: row)
        }
        self.rows = rowArrays.count
        self.columns = columns
        self.storage = storage
    }

    /// A matrix whose entry (i, j) is `entry(i, j)` (0-based).
    public init(rows: Int, columns: Int, entry: (Int, Int) -> Double) {
        self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns { storage[i * columns + j] = entry(i, j) }
        }
    }

    /// A column vector (`count x 1`).
    public init(column: [Double]) {
        self.rows = column.count
        self.columns = 1
        self.storage = column
    }

    /// The `n x n` identity.
    public static func identity(_ n: Int) -> Matrix {
        diagonal(Array(repeating: 1, count: n))
    }

    /// The square matrix with `entries` on its diagonal and zeros elsewhere.
    public static func diagonal(_ entries: [Double]) -> Matrix {
        var m = Matrix(rows: entries.count, columns: entries.count)
        for (i, d) in entries.enumerated() { m.storage[i * entries.count + i] = d }
        return m
    }

    /// Entry (i, j), 0-based.
    public subscript(i: Int, j: Int) -> Double {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "index (\(i), \(j)) outside \(shape)")
            return storage[i * columns + j]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "index (\(i), \(j)) outside \(shape)")
            storage[i * columns + j] = newValue
        }
    }

    public var shape: Shape { Shape(rows: rows, columns: columns) }
    public var isSquare: Bool { rows == columns }
    public var isEmpty: Bool { rows == 0 || columns == 0 }

    /// Row `i` (0-based) as a vector.
    public func row(_ i: Int) -> [Double] { Array(storage[(i * columns)..<((i + 1) * columns)]) }

    /// Column `j` (0-based) as a vector.
    public func column(_ j: Int) -> [Double] { (0..<rows).map { storage[$0 * columns + j] } }

    /// The rows as nested arrays.
    public var rowArrays: [[Double]] { (0..<rows).map(row) }

    /// The diagonal entries (i, i) for i < min(rows, columns).
    public var diagonalEntries: [Double] { (0..<min(rows, columns)).map { self[$0, $0] } }

    /// A^T.
    public var transposed: Matrix {
        Matrix(rows: columns, columns: rows) { i, j in self.storage[j * self.columns + i] }
    }

    /// Applies `transform` to every entry.
    public func map(_ transform: (Double) -> Double) -> Matrix {
        var m = self
        m.storage = storage.map(transform)
        return m
    }

    /// Combines two matrices of equal shape entry by entry.
    /// - Precondition: equal shapes.
    public func combined(with other: Matrix, _ combine: (Double, Double) -> Double) -> Matrix {
        precondition(shape == other.shape, "shapes \(shape) and \(other.shape) differ")
        var m = self
        for k in storage.indices { m.storage[k] = combine(storage[k], other.storage[k]) }
        return m
    }

    /// The first entry that is NaN or infinite, 1-based, or nil when all are finite.
    public var firstNonFinite: (row: Int, column: Int, value: Double)? {
        guard let k = storage.firstIndex(where: { !$0.isFinite }) else { return nil }
        return (k / columns + 1, k % columns + 1, storage[k])
    }

    /// Throws ``LinearAlgebraError/nonFinite(row:column:value:)`` for the first NaN or infinite entry.
    public func checkFinite() throws(LinearAlgebraError) {
        if let bad = firstNonFinite { throw .nonFinite(row: bad.row, column: bad.column, value: bad.value) }
    }

    // MARK: Blocks

    /// The block of rows `rowRange` and columns `columnRange` (0-based, half-open).
    /// - Precondition: both ranges lie inside the matrix.
    public func submatrix(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> Matrix {
        precondition(rowRange.lowerBound >= 0 && rowRange.upperBound <= rows
            && columnRange.lowerBound >= 0 && columnRange.upperBound <= columns,
            "block \(rowRange) x \(columnRange) outside \(shape)")
        return Matrix(rows: rowRange.count, columns: columnRange.count) { i, j in
            self.storage[(rowRange.lowerBound + i) * self.columns + columnRange.lowerBound + j]
        }
    }

    /// Overwrites the block whose top-left corner is (`row`, `column`) with `block`.
    /// - Precondition: the block fits.
    public mutating func setBlock(_ block: Matrix, row: Int, column: Int) {
        precondition(row >= 0 && column >= 0 && row + block.rows <= rows && column + block.columns <= columns,
            "block \(block.shape) at (\(row), \(column)) outside \(shape)")
        for i in 0..<block.rows {
            for j in 0..<block.columns {
                storage[(row + i) * columns + column + j] = block.storage[i * block.columns + j]
            }
        }
    }

    /// The four blocks [[A11, A12], [A21, A22]] of a split after `row` rows and `column`
    /// columns: the partition of recursive block inversion.
    public func partitioned(row: Int, column: Int)
        -> (topLeft: Matrix, topRight: Matrix, bottomLeft: Matrix, bottomRight: Matrix)
    {
        (submatrix(rows: 0..<row, columns: 0..<column),
         submatrix(rows: 0..<row, columns: column..<columns),
         submatrix(rows: row..<rows, columns: 0..<column),
         submatrix(rows: row..<rows, columns: column..<columns))
    }

    /// Assembles a matrix from a grid of blocks whose heights agree along each block row and
    /// widths along each block column.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:left:right:)`` when they don't.
    public init(blocks: [[Matrix]]) throws(LinearAlgebraError) {
        guard let firstRow = blocks.first else {
            self.init(rows: 0, columns: 0)
            return
        }
        let widths = firstRow.map(\.columns)
        let heights = blocks.map { $0.first?.rows ?? 0 }
        for blockRow in blocks {
            guard blockRow.count == widths.count else {
                throw .dimensionMismatch(operation: "block assembly",
                    left: Shape(rows: blocks.count, columns: widths.count),
                    right: Shape(rows: blocks.count, columns: blockRow.count))
            }
        }
        for (bi, blockRow) in blocks.enumerated() {
            for (bj, block) in blockRow.enumerated() where block.rows != heights[bi] || block.columns != widths[bj] {
                throw .dimensionMismatch(operation: "block assembly",
                    left: Shape(rows: heights[bi], columns: widths[bj]), right: block.shape)
            }
        }
        self.init(rows: heights.reduce(0, +), columns: widths.reduce(0, +))
        var r = 0
        for (bi, blockRow) in blocks.enumerated() {
            var c = 0
            for (bj, block) in blockRow.enumerated() {
                setBlock(block, row: r, column: c)
                c += widths[bj]
            }
            r += heights[bi]
        }
    }

    // MARK: Products

    /// The matrix-vector product A x.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:left:right:)`` unless
    ///   `x.count == columns`.
    public func multiplied(by x: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard x.count == columns else {
            throw .dimensionMismatch(operation: "matrix-vector product", left: shape, right: .vector(x.count))
        }
        return applying(x)
    }

    /// The matrix-matrix product A B.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:left:right:)`` unless
    ///   `b.rows == columns`.
    public func multiplied(by b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == columns else {
            throw .dimensionMismatch(operation: "matrix product", left: shape, right: b.shape)
        }
        var c = Matrix(rows: rows, columns: b.columns)
        // i-k-j order: the inner loop runs along contiguous rows of B and C.
        for i in 0..<rows {
            for k in 0..<columns {
                let aik = storage[i * columns + k]
                if aik == 0 { continue }
                let bBase = k * b.columns
                let cBase = i * b.columns
                for j in 0..<b.columns { c.storage[cBase + j] += aik * b.storage[bBase + j] }
            }
        }
        return c
    }

    /// A x without a dimension check (callers have checked).
    public func applying(_ x: [Double]) -> [Double] {
        var y = Array(repeating: 0.0, count: rows)
        for i in 0..<rows {
            var sum = 0.0
            let base = i * columns
            for j in 0..<columns { sum += storage[base + j] * x[j] }
            y[i] = sum
        }
        return y
    }

    /// A^T x.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(operation:left:right:)`` unless `x.count == rows`.
    public func transposedMultiplied(by x: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard x.count == rows else {
            throw .dimensionMismatch(operation: "transposed matrix-vector product", left: shape.transposedShape, right: .vector(x.count))
        }
        var y = Array(repeating: 0.0, count: columns)
        for i in 0..<rows {
            let xi = x[i]
            let base = i * columns
            for j in 0..<columns { y[j] += storage[base + j] * xi }
        }
        return y
    }

    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.columns == rhs.rows, "matrix product of \(lhs.shape) and \(rhs.shape)")
        return (try? lhs.multiplied(by: rhs))!
    }

    public static func * (lhs: Matrix, rhs: [Double]) -> [Double] {
        precondition(lhs.columns == rhs.count, "matrix-vector product of \(lhs.shape) and \(rhs.count) entries")
        return lhs.applying(rhs)
    }

    public static func * (lhs: Double, rhs: Matrix) -> Matrix { rhs.map { lhs * $0 } }

    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.combined(with: rhs, +) }

    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.combined(with: rhs, -) }

    public static prefix func - (operand: Matrix) -> Matrix { operand.map { -$0 } }

    // MARK: Norms that need no factorisation

    /// The Frobenius norm sqrt(sum of squared entries), computed with scaling against overflow.
    public var frobeniusNorm: Double { storage.norm2 }

    /// The infinity norm: the largest row sum of absolute values.
    public var infinityNorm: Double { absoluteRowSums.max() ?? 0 }

    /// The 1-norm: the largest column sum of absolute values.
    public var oneNorm: Double { absoluteColumnSums.max() ?? 0 }

    /// The largest absolute entry (0 for an empty matrix).
    public var maxAbsEntry: Double { storage.normInfinity }

    /// Entry-wise max(A, 0): the part that array P holds.
    public var positivePart: Matrix { map { max($0, 0) } }

    /// Entry-wise max(-A, 0): the part that array N holds.
    public var negativePart: Matrix { map { max(-$0, 0) } }

    /// Row sums of absolute values, sum_j |A_ij|.
    public var absoluteRowSums: [Double] {
        (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + abs(storage[i * columns + $1]) } }
    }

    /// Column sums of absolute values, sum_i |A_ij|.
    public var absoluteColumnSums: [Double] {
        (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + abs(storage[$1 * columns + j]) } }
    }

    /// Whether A equals its transpose exactly.
    public var isSymmetric: Bool {
        guard isSquare else { return false }
        for i in 0..<rows {
            for j in (i + 1)..<max(i + 1, columns) where storage[i * columns + j] != storage[j * columns + i] {
                return false
            }
        }
        return true
    }
}

extension Shape {
    var transposedShape: Shape { Shape(rows: columns, columns: rows) }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        "Matrix \(rows)x\(columns) " + rowArrays.map { "[" + $0.map { "\($0)" }.joined(separator: ", ") + "]" }.joined(separator: " ")
    }
}
