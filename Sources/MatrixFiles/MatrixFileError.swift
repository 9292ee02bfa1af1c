/// A matrix or vector file that could not be read, with where and why.
///
/// Prints like a compiler diagnostic, `A.mtx:3: index out of range: row 5 of a 4x4 matrix`,
/// or `A.mtx: empty file` when no line is to blame.
public struct MatrixFileError: Error, CustomStringConvertible, Hashable, Sendable {
    /// The file as the user named it.
    public var file: String
    /// The 1-based line, or nil for a problem of the whole file.
    public var line: Int?
    public var problem: MatrixFileProblem

    public init(file: String, line: Int?, problem: MatrixFileProblem) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    public var description: String {
        if let line { return "\(file):\(line): \(problem)" }
        return "\(file): \(problem)"
    }
}

/// What is wrong in a matrix file; each description is the user's sentence.
public enum MatrixFileProblem: Hashable, Sendable, CustomStringConvertible {
    case unreadable(reason: String)
    case emptyFile
    case badHeader(found: String)
    case unsupportedHeader(word: String, kind: String, allowed: String)
    case badSizeLine(found: String, expected: String)
    case wrongTokenCount(expected: Int, found: Int, what: String)
    case notANumber(token: String)
    case notAnInteger(token: String)
    case nonFinite(token: String)
    case indexOutOfRange(row: Int, column: Int, rows: Int, columns: Int)
    case duplicateEntry(row: Int, column: Int, firstLine: Int)
    case upperTriangle(row: Int, column: Int, symmetry: String)
    case diagonalInSkewSymmetric(row: Int)
    case tooManyEntries(declared: Int)
    case tooFewEntries(declared: Int, found: Int)
    case tooLarge(rows: Int, columns: Int, maxRows: Int, maxColumns: Int)
    case notSquare(rows: Int, columns: Int, symmetry: String)
    case raggedRow(expected: Int, found: Int, firstLine: Int)
    case emptyField(column: Int)
    case notAVector(rows: Int, columns: Int)

    public var description: String {
        switch self {
        case let .unreadable(reason):
            return "cannot read the file: \(reason)"
        case .emptyFile:
            return "empty file: no matrix entries found"
        case let .badHeader(found):
            return "bad Matrix Market header '\(found)': expected '%%MatrixMarket matrix <coordinate|array> <real|integer> <general|symmetric|skew-symmetric>'"
        case let .unsupportedHeader(word, kind, allowed):
            return "unsupported Matrix Market \(kind) '\(echo(word))': use \(allowed)"
        case let .badSizeLine(found, expected):
            return "bad size line '\(echo(found))': expected \(expected)"
        case let .wrongTokenCount(expected, found, what):
            return "wrong count: expected \(expected) \(what), found \(found)"
        case let .notANumber(token):
            return "not a number: '\(echo(token))'"
        case let .notAnInteger(token):
            return "not an integer in an integer file: '\(echo(token))'"
        case let .nonFinite(token):
            return "NaN or infinite value '\(echo(token))': every entry must be finite"
        case let .indexOutOfRange(row, column, rows, columns):
            return "index out of range: (\(row), \(column)) in a \(rows)x\(columns) matrix (indices are 1-based)"
        case let .duplicateEntry(row, column, firstLine):
            return "duplicate entry (\(row), \(column)), first given on line \(firstLine)"
        case let .upperTriangle(row, column, symmetry):
            return "\(symmetry) file has entry (\(row), \(column)) above the diagonal: store the lower triangle only"
        case let .diagonalInSkewSymmetric(row):
            return "skew-symmetric file has diagonal entry (\(row), \(row)): the diagonal is zero and must not be stored"
        case let .tooManyEntries(declared):
            return "wrong count: more entries than the \(declared) declared on the size line"
        case let .tooFewEntries(declared, found):
            return "wrong count: the size line declares \(declared) entries, the file has \(found)"
        case let .tooLarge(rows, columns, maxRows, maxColumns):
            return "matrix too large: \(rows)x\(columns) exceeds the limit of \(maxRows)x\(maxColumns)"
        case let .notSquare(rows, columns, symmetry):
            return "a \(symmetry) matrix must be square, the size line says \(rows)x\(columns)"
        case let .raggedRow(expected, found, firstLine):
            return "wrong count: row has \(found) values, expected \(expected) like line \(firstLine)"
        case let .emptyField(column):
            return "empty field in column \(column)"
        case let .notAVector(rows, columns):
            return "not a vector: the file holds a \(rows)x\(columns) matrix; a vector is N x 1, 1 x N or one number per line"
        }
    }
}

/// A token from a file as a message shows it: a stray megabyte-long token is not echoed whole.
func echo(_ token: String) -> String {
    token.count <= 40 ? token : token.prefix(40) + "... (\(token.count) characters)"
}
