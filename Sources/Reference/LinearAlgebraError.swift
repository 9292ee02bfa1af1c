/// The shape of a matrix or vector in an error message: `rows x columns` (a vector of n
/// entries is `n x 1`).
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var rows: Int
    public var columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    /// The shape of a column vector of `count` entries.
    public static func vector(_ count: Int) -> Shape { Shape(rows: count, columns: 1) }

    public var description: String { "\(rows)x\(columns)" }
}

/// What can go wrong in the dense linear algebra of `Reference`.
///
/// Every position in a message is 1-based, the way a user reads a matrix (row 1 is the first
/// row; pivot 1 is the first diagonal entry of U).
public enum LinearAlgebraError: Error, CustomStringConvertible, Hashable, Sendable {
    /// Nested arrays whose rows do not all have the same length.
    case raggedRows(row: Int, expected: Int, found: Int)
    /// Flat storage whose length is not `rows * columns`.
    case storageSize(rows: Int, columns: Int, found: Int)
    /// A matrix or vector with no entries where at least one is needed.
    case empty(operation: String)
    /// An operation that needs a square matrix got `rows x columns`.
    case notSquare(rows: Int, columns: Int)
    /// The operands of `operation` do not fit together.
    case dimensionMismatch(operation: String, left: Shape, right: Shape)
    /// LU with partial pivoting found an exactly zero pivot: U(pivot, pivot) = 0.
    case singular(pivot: Int)
    /// An entry is NaN or infinite.
    case nonFinite(row: Int, column: Int, value: Double)
    /// A LAPACK iteration (QR algorithm, divide and conquer SVD) did not converge.
    case noConvergence(routine: String, info: Int)
    /// LAPACK rejected an argument: a bug in `Reference`, never the user's input.
    case invalidArgument(routine: String, argument: Int)

    public var description: String {
        switch self {
        case let .raggedRows(row, expected, found):
            return "ragged rows: row \(row) has \(found) entries, expected \(expected) like row 1"
        case let .storageSize(rows, columns, found):
            return "storage has \(found) entries, a \(rows)x\(columns) matrix needs \(rows * columns)"
        case let .empty(operation):
            return "\(operation) needs at least one entry, got an empty matrix or vector"
        case let .notSquare(rows, columns):
            return "matrix is not square: \(rows)x\(columns)"
        case let .dimensionMismatch(operation, left, right):
            return "dimension mismatch in \(operation): \(left) and \(right) do not fit"
        case let .singular(pivot):
            return "matrix is singular: pivot \(pivot) of its LU factorisation is exactly zero"
        case let .nonFinite(row, column, value):
            return "non-finite entry \(value) at row \(row), column \(column)"
        case let .noConvergence(routine, info):
            return "LAPACK \(routine) did not converge (info = \(info))"
        case let .invalidArgument(routine, argument):
            return "internal error: LAPACK \(routine) rejected argument \(argument)"
        }
    }
}
