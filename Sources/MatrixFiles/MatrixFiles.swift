import Foundation
import Reference

/// The file formats `MatrixFiles` reads and writes.
public enum MatrixFileFormat: String, Sendable, Hashable, CaseIterable {
    /// NIST Matrix Market exchange format: `coordinate` or `array`, `real` or `integer`,
    /// `general`, `symmetric` or `skew-symmetric` (https://math.nist.gov/MatrixMarket/formats.html).
    case matrixMarket
    /// One matrix row per line, values separated by commas or by whitespace; blank lines and
    /// lines starting with `#` are skipped; no header row.
    case csv

    /// The format a file's content declares: Matrix Market if its first line starts with
    /// `%%MatrixMarket` (any case), otherwise CSV.
    public static func detect(_ text: Substring) -> MatrixFileFormat {
        text.prefix(14).lowercased() == "%%matrixmarket" ? .matrixMarket : .csv
    }
}

/// How large a matrix the readers accept, so a wrong file cannot exhaust memory.
public struct MatrixFileLimits: Sendable, Hashable {
    /// The largest number of rows. Default 4096.
    public var maxRows: Int
    /// The largest number of columns. Default 4096.
    public var maxColumns: Int

    public init(maxRows: Int = 4096, maxColumns: Int = 4096) {
        self.maxRows = maxRows
        self.maxColumns = maxColumns
    }
}

/// Reading and writing matrices and vectors in Matrix Market and CSV.
///
/// Every malformed input throws a ``MatrixFileError`` naming the file, the 1-based line and
/// the problem. Writers produce text the readers take back exactly: values are printed with
/// Swift's shortest round-trip representation.
public enum MatrixFiles {
    // MARK: Reading

    /// Reads a matrix from `path`, in the format its content declares (see
    /// ``MatrixFileFormat/detect(_:)``).
    public static func readMatrix(at path: String, limits: MatrixFileLimits = MatrixFileLimits()) throws(MatrixFileError) -> Matrix {
        let text = try readText(at: path)
        return try parseMatrix(text, file: path, limits: limits)
    }

    /// Reads a vector from `path`: a file holding an N x 1 or 1 x N matrix, or one number per line.
    public static func readVector(at path: String, limits: MatrixFileLimits = MatrixFileLimits()) throws(MatrixFileError) -> [Double] {
        let text = try readText(at: path)
        return try parseVector(text, file: path, limits: limits)
    }

    /// Parses matrix text; `file` names it in errors.
    public static func parseMatrix(_ text: String, file: String, format: MatrixFileFormat? = nil,
                                   limits: MatrixFileLimits = MatrixFileLimits()) throws(MatrixFileError) -> Matrix {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // Split on bytes, not Characters (grapheme breaking is the slow part of parsing a
        // large file); a trailing CR makes CRLF files read like LF files.
        let lines: [Substring] = body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            Substring(bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes)
        }
        var reader = LineReader(file: file, lines: lines, limits: limits)
        switch format ?? MatrixFileFormat.detect(body) {
        case .matrixMarket: return try reader.matrixMarket()
        case .csv: return try reader.csv()
        }
    }

    /// Parses vector text: an N x 1 or 1 x N matrix in either format (one number per line is N x 1 CSV).
    public static func parseVector(_ text: String, file: String, format: MatrixFileFormat? = nil,
                                   limits: MatrixFileLimits = MatrixFileLimits()) throws(MatrixFileError) -> [Double] {
        let m = try parseMatrix(text, file: file, format: format, limits: limits)
        guard m.columns == 1 || m.rows == 1 else {
            throw MatrixFileError(file: file, line: nil, problem: .notAVector(rows: m.rows, columns: m.columns))
        }
        return m.storage
    }

    private static func readText(at path: String) throws(MatrixFileError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it is unreadable or a directory" : "no such file"
            throw MatrixFileError(file: path, line: nil, problem: .unreadable(reason: reason))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MatrixFileError(file: path, line: nil, problem: .unreadable(reason: "it is not UTF-8 text"))
        }
        return text
    }

    // MARK: Writing

    /// How ``matrixMarket(_:layout:comment:)`` lays out the entries.
    public enum MatrixMarketLayout: Sendable {
        /// `array real general`: every entry, column by column.
        case array
        /// `coordinate real general`: only the non-zero entries, as `row column value` (1-based).
        case coordinate
    }

    /// Matrix Market text for `matrix`, `real general`, with optional comment lines.
    public static func matrixMarket(_ matrix: Matrix, layout: MatrixMarketLayout = .array, comment: String? = nil) -> String {
        var out = "%%MatrixMarket matrix \(layout == .array ? "array" : "coordinate") real general\n"
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) { out += "% \(line)\n" }
        }
        switch layout {
        case .array:
            out += "\(matrix.rows) \(matrix.columns)\n"
            for j in 0..<matrix.columns {
                for i in 0..<matrix.rows { out += format(matrix[i, j]) + "\n" }
            }
        case .coordinate:
            let nonZeros = matrix.storage.filter { $0 != 0 }.count
            out += "\(matrix.rows) \(matrix.columns) \(nonZeros)\n"
            for i in 0..<matrix.rows {
                for j in 0..<matrix.columns where matrix[i, j] != 0 {
                    out += "\(i + 1) \(j + 1) \(format(matrix[i, j]))\n"
                }
            }
        }
        return out
    }

    /// CSV text for `matrix`: one row per line, comma separated.
    public static func csv(_ matrix: Matrix) -> String {
        matrix.rowArrays.map { $0.map(format).joined(separator: ",") + "\n" }.joined()
    }

    /// Writes `matrix` to `path` as Matrix Market (`.mtx`) or CSV (anything else).
    public static func writeMatrix(_ matrix: Matrix, to path: String, layout: MatrixMarketLayout = .array,
                                   comment: String? = nil) throws(MatrixFileError) {
        let text = path.lowercased().hasSuffix(".mtx") ? matrixMarket(matrix, layout: layout, comment: comment) : csv(matrix)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw MatrixFileError(file: path, line: nil, problem: .unreadable(reason: "cannot write it: \(error.localizedDescription)"))
        }
    }

    /// Writes a vector as an N x 1 matrix (one number per line in CSV).
    public static func writeVector(_ vector: [Double], to path: String, comment: String? = nil) throws(MatrixFileError) {
        try writeMatrix(Matrix(column: vector), to: path, comment: comment)
    }

    /// Shortest text that reads back as exactly `value` (Swift's `description`, e.g. `0.1`, `-0.0`, `1e-300`).
    static func format(_ value: Double) -> String { "\(value)" }
}

/// A cursor over the lines of one file that knows how to report errors on them.
struct LineReader {
    let file: String
    let lines: [Substring]
    let limits: MatrixFileLimits
    /// Index of the next line to read (0-based); line numbers in errors are index + 1.
    var next = 0

    init(file: String, lines: [Substring], limits: MatrixFileLimits) {
        self.file = file
        self.lines = lines
        self.limits = limits
    }

    func error(_ problem: MatrixFileProblem, line index: Int?) -> MatrixFileError {
        MatrixFileError(file: file, line: index.map { $0 + 1 }, problem: problem)
    }

    static func tokens(_ line: Substring) -> [Substring] {
        line.utf8.split(whereSeparator: isBlank).map { Substring($0) }
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// The line without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> Substring {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return text[text.endIndex...]
        }
        return Substring(bytes[first...last])
    }

    func number(_ token: Substring, line: Int, integer: Bool = false) throws(MatrixFileError) -> Double {
        guard let value = Double(token) else { throw error(.notANumber(token: String(token)), line: line) }
        guard value.isFinite else { throw error(.nonFinite(token: String(token)), line: line) }
        if integer, Int(token) == nil { throw error(.notAnInteger(token: String(token)), line: line) }
        return value
    }

    func checkLimits(rows: Int, columns: Int, line: Int) throws(MatrixFileError) {
        if rows > limits.maxRows || columns > limits.maxColumns {
            throw error(.tooLarge(rows: rows, columns: columns, maxRows: limits.maxRows, maxColumns: limits.maxColumns), line: line)
        }
    }

    // MARK: Matrix Market

    enum Symmetry: String { case general, symmetric, skewSymmetric = "skew-symmetric" }

    mutating func matrixMarket() throws(MatrixFileError) -> Matrix {
        let header = Self.tokens(lines[0])
        guard header.count == 5, header[0].lowercased() == "%%matrixmarket" else {
            throw error(.badHeader(found: String(lines[0])), line: 0)
        }
        guard header[1].lowercased() == "matrix" else {
            throw error(.unsupportedHeader(word: String(header[1]), kind: "object", allowed: "'matrix'"), line: 0)
        }
        let layout = header[2].lowercased()
        guard layout == "coordinate" || layout == "array" else {
            throw error(.unsupportedHeader(word: String(header[2]), kind: "format", allowed: "'coordinate' or 'array'"), line: 0)
        }
        let field = header[3].lowercased()
        guard field == "real" || field == "integer" else {
            throw error(.unsupportedHeader(word: String(header[3]), kind: "field", allowed: "'real' or 'integer'"), line: 0)
        }
        guard let symmetry = Symmetry(rawValue: header[4].lowercased()) else {
            throw error(.unsupportedHeader(word: String(header[4]), kind: "symmetry",
                                           allowed: "'general', 'symmetric' or 'skew-symmetric'"), line: 0)
        }
        next = 1
        // The size line: the first line that is neither a comment nor blank.
        guard let sizeIndex = nextDataLine() else { throw error(.emptyFile, line: nil) }
        let sizeTokens = Self.tokens(lines[sizeIndex])
        let coordinate = layout == "coordinate"
        let expected = coordinate ? "'rows columns entries'" : "'rows columns'"
        guard sizeTokens.count == (coordinate ? 3 : 2) else {
            throw error(.badSizeLine(found: String(lines[sizeIndex]), expected: expected), line: sizeIndex)
        }
        let sizes = sizeTokens.map { Int($0) }
        guard sizes.allSatisfy({ $0 != nil }), let rows = sizes[0], let columns = sizes[1], rows > 0, columns > 0 else {
            throw error(.badSizeLine(found: String(lines[sizeIndex]), expected: expected + " as positive integers"), line: sizeIndex)
        }
        try checkLimits(rows: rows, columns: columns, line: sizeIndex)
        if symmetry != .general, rows != columns {
            throw error(.notSquare(rows: rows, columns: columns, symmetry: symmetry.rawValue), line: sizeIndex)
        }
        var matrix = Matrix(rows: rows, columns: columns)
        let integer = field == "integer"
        if coordinate {
            guard let declared = sizes[2], declared >= 0, declared <= rows * columns else {
                throw error(.badSizeLine(found: String(lines[sizeIndex]),
                                         expected: expected + " with 0 <= entries <= rows * columns"), line: sizeIndex)
            }
            var firstLine: [Int: Int] = [:]
            var count = 0
            while let index = nextDataLine() {
                guard count < declared else { throw error(.tooManyEntries(declared: declared), line: index) }
                let t = Self.tokens(lines[index])
                guard t.count == 3 else { throw error(.wrongTokenCount(expected: 3, found: t.count, what: "values 'row column value'"), line: index) }
                guard let i = Int(t[0]), let j = Int(t[1]) else {
                    throw error(.notAnInteger(token: String(Int(t[0]) == nil ? t[0] : t[1])), line: index)
                }
                guard (1...rows).contains(i), (1...columns).contains(j) else {
                    throw error(.indexOutOfRange(row: i, column: j, rows: rows, columns: columns), line: index)
                }
                let value = try number(t[2], line: index, integer: integer)
                switch symmetry {
                case .general: break
                case .symmetric where i < j, .skewSymmetric where i < j:
                    throw error(.upperTriangle(row: i, column: j, symmetry: symmetry.rawValue), line: index)
                case .skewSymmetric where i == j:
                    throw error(.diagonalInSkewSymmetric(row: i), line: index)
                default: break
                }
                let key = (i - 1) * columns + (j - 1)
                if let first = firstLine[key] { throw error(.duplicateEntry(row: i, column: j, firstLine: first), line: index) }
                firstLine[key] = index + 1
                matrix.set(i - 1, j - 1, value, symmetry: symmetry)
                count += 1
            }
            guard count == declared else {
                throw error(.tooFewEntries(declared: declared, found: count), line: sizeIndex)
            }
        } else {
            // Column-major; symmetric stores the lower triangle with the diagonal, skew-symmetric
            // the strictly lower triangle.
            var positions: [(Int, Int)] = []
            for j in 0..<columns {
                let start: Int = switch symmetry {
                case .general: 0
                case .symmetric: j
                case .skewSymmetric: j + 1
                }
                for i in start..<rows { positions.append((i, j)) }
            }
            var count = 0
            while let index = nextDataLine() {
                let t = Self.tokens(lines[index])
                guard t.count == 1 else { throw error(.wrongTokenCount(expected: 1, found: t.count, what: "value per line in an array file"), line: index) }
                guard count < positions.count else { throw error(.tooManyEntries(declared: positions.count), line: index) }
                let value = try number(t[0], line: index, integer: integer)
                let (i, j) = positions[count]
                matrix.set(i, j, value, symmetry: symmetry)
                count += 1
            }
            guard count == positions.count else {
                throw error(.tooFewEntries(declared: positions.count, found: count), line: sizeIndex)
            }
        }
        return matrix
    }

    /// The index of the next line that is not blank and not a `%` comment, advancing past it.
    mutating func nextDataLine() -> Int? {
        while next < lines.count {
            let index = next
            next += 1
            let trimmed = lines[index].drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("%") { continue }
            return index
        }
        return nil
    }

    // MARK: CSV

    mutating func csv() throws(MatrixFileError) -> Matrix {
        var storage: [Double] = []
        var columns = 0
        var firstRowLine = 0
        var rows = 0
        var commaSeparated: Bool?
        for (index, raw) in lines.enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let comma = commaSeparated ?? line.contains(",")
            commaSeparated = comma
            let fields: [Substring] = comma
                ? line.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { Self.trimmed(Substring($0)) }
                : Self.tokens(line)
            if rows == 0 {
                columns = fields.count
                firstRowLine = index + 1
            } else if fields.count != columns {
                throw error(.raggedRow(expected: columns, found: fields.count, firstLine: firstRowLine), line: index)
            }
            try checkLimits(rows: rows + 1, columns: fields.count, line: index)
            for (k, field) in fields.enumerated() {
                if field.isEmpty { throw error(.emptyField(column: k + 1), line: index) }
                storage.append(try number(field, line: index))
            }
            rows += 1
        }
        guard rows > 0 else { throw error(.emptyFile, line: nil) }
        // Every row was checked against `columns`, so the storage fits.
        return (try? Matrix(rows: rows, columns: columns, storage: storage))!
    }
}

extension Matrix {
    /// Sets (i, j) and its mirror for symmetric (a_ji = a_ij) and skew-symmetric (a_ji = -a_ij) files.
    fileprivate mutating func set(_ i: Int, _ j: Int, _ value: Double, symmetry: LineReader.Symmetry) {
        self[i, j] = value
        guard i != j else { return }
        switch symmetry {
        case .general: break
        case .symmetric: self[j, i] = value
        case .skewSymmetric: self[j, i] = -value
        }
    }
}
