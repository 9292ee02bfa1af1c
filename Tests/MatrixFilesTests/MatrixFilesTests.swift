import Foundation
import MatrixFiles
import Reference
import Testing

/// Parses `text` as a matrix and returns the error text ("" when it parsed).
private func errorText(_ text: String, file: String = "A.mtx", limits: MatrixFileLimits = MatrixFileLimits()) -> String {
    do {
        _ = try MatrixFiles.parseMatrix(text, file: file, limits: limits)
        return ""
    } catch {
        return error.description
    }
}

private let header = "%%MatrixMarket matrix coordinate real general\n"

@Suite("Matrix Market and CSV readers")
struct ReaderTests {
    @Test("Coordinate general, with comments and blank lines")
    func coordinate() throws {
        let text = header + "% a comment\n\n3 2 3\n1 1 1.5\n3 2 -2\n2 1 4e-3\n"
        let m = try MatrixFiles.parseMatrix(text, file: "A.mtx")
        #expect(m == (try Matrix([[1.5, 0], [0.004, 0], [0, -2]])))
    }

    @Test("Symmetric and skew-symmetric coordinate files mirror the lower triangle")
    func symmetry() throws {
        let sym = "%%MatrixMarket matrix coordinate real symmetric\n2 2 3\n1 1 2\n2 1 -1\n2 2 3\n"
        #expect(try MatrixFiles.parseMatrix(sym, file: "S.mtx") == Matrix([[2, -1], [-1, 3]]))
        let skew = "%%MatrixMarket matrix coordinate integer skew-symmetric\n3 3 2\n2 1 5\n3 2 -7\n"
        #expect(try MatrixFiles.parseMatrix(skew, file: "K.mtx") == Matrix([[0, -5, 0], [5, 0, 7], [0, -7, 0]]))
    }

    @Test("Array files: column-major, general, symmetric and skew-symmetric")
    func array() throws {
        let general = "%%MatrixMarket matrix array real general\n2 3\n1\n4\n2\n5\n3\n6\n"
        #expect(try MatrixFiles.parseMatrix(general, file: "A.mtx") == Matrix([[1, 2, 3], [4, 5, 6]]))
        let sym = "%%MatrixMarket matrix array integer symmetric\n2 2\n1\n2\n3\n"
        #expect(try MatrixFiles.parseMatrix(sym, file: "A.mtx") == Matrix([[1, 2], [2, 3]]))
        let skew = "%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n"
        #expect(try MatrixFiles.parseMatrix(skew, file: "A.mtx") == Matrix([[0, -1, -2], [1, 0, -3], [2, 3, 0]]))
    }

    @Test("CSV with commas, with whitespace, CRLF, a BOM and # comments")
    func csv() throws {
        #expect(try MatrixFiles.parseMatrix("1, 2\n3,4\n", file: "A.csv") == Matrix([[1, 2], [3, 4]]))
        #expect(try MatrixFiles.parseMatrix("# A\n1  2\t3\n\n4 5 6\n", file: "A.txt") == Matrix([[1, 2, 3], [4, 5, 6]]))
        #expect(try MatrixFiles.parseMatrix("\u{FEFF}1,2\r\n3,4\r\n", file: "A.csv") == Matrix([[1, 2], [3, 4]]))
    }

    @Test("Vectors: N x 1, 1 x N, one number per line; a matrix is refused")
    func vectors() throws {
        #expect(try MatrixFiles.parseVector("1\n2\n3\n", file: "b.csv") == [1, 2, 3])
        #expect(try MatrixFiles.parseVector("1, 2, 3\n", file: "b.csv") == [1, 2, 3])
        #expect(try MatrixFiles.parseVector("%%MatrixMarket matrix array real general\n2 1\n5\n6\n", file: "b.mtx") == [5, 6])
        do {
            _ = try MatrixFiles.parseVector("1,2\n3,4\n", file: "b.csv")
            Issue.record("a 2x2 matrix was read as a vector")
        } catch {
            #expect(error.description == "b.csv: not a vector: the file holds a 2x2 matrix; a vector is N x 1, 1 x N or one number per line")
        }
    }

    /// Each malformed input and the exact error it must produce: file, line, problem.
    static let malformed: [(name: String, text: String, file: String, error: String)] = [
        ("empty file", "", "A.csv",
         "A.csv: empty file: no matrix entries found"),
        ("only comments", "# nothing\n\n", "A.csv",
         "A.csv: empty file: no matrix entries found"),
        ("bad header", "%%MatrixMarket matrix coordinate real\n2 2 1\n1 1 1\n", "A.mtx",
         "A.mtx:1: bad Matrix Market header '%%MatrixMarket matrix coordinate real': expected '%%MatrixMarket matrix <coordinate|array> <real|integer> <general|symmetric|skew-symmetric>'"),
        ("complex field", "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", "A.mtx",
         "A.mtx:1: unsupported Matrix Market field 'complex': use 'real' or 'integer'"),
        ("hermitian symmetry", "%%MatrixMarket matrix array real hermitian\n1 1\n1\n", "A.mtx",
         "A.mtx:1: unsupported Matrix Market symmetry 'hermitian': use 'general', 'symmetric' or 'skew-symmetric'"),
        ("bad size line", header + "% size next\n2 x 1\n", "A.mtx",
         "A.mtx:3: bad size line '2 x 1': expected 'rows columns entries' as positive integers"),
        ("size line token count", header + "2 2\n", "A.mtx",
         "A.mtx:2: bad size line '2 2': expected 'rows columns entries'"),
        ("header without size line", header + "% only comments\n", "A.mtx",
         "A.mtx: empty file: no matrix entries found"),
        ("index out of range", header + "2 2 1\n3 1 1.0\n", "A.mtx",
         "A.mtx:3: index out of range: (3, 1) in a 2x2 matrix (indices are 1-based)"),
        ("zero index", header + "2 2 1\n0 1 1.0\n", "A.mtx",
         "A.mtx:3: index out of range: (0, 1) in a 2x2 matrix (indices are 1-based)"),
        ("non-number", header + "2 2 2\n1 1 1.0\n2 2 abc\n", "A.mtx",
         "A.mtx:4: not a number: 'abc'"),
        ("NaN", header + "2 2 1\n1 2 NaN\n", "A.mtx",
         "A.mtx:3: NaN or infinite value 'NaN': every entry must be finite"),
        ("infinity in CSV", "1,2\n3,inf\n", "A.csv",
         "A.csv:2: NaN or infinite value 'inf': every entry must be finite"),
        ("duplicate entry", header + "2 2 3\n1 1 1\n2 2 1\n1 1 5\n", "A.mtx",
         "A.mtx:5: duplicate entry (1, 1), first given on line 3"),
        ("too few entries", header + "2 2 3\n1 1 1\n2 2 1\n", "A.mtx",
         "A.mtx:2: wrong count: the size line declares 3 entries, the file has 2"),
        ("too many entries", header + "2 2 1\n1 1 1\n2 2 1\n", "A.mtx",
         "A.mtx:4: wrong count: more entries than the 1 declared on the size line"),
        ("entry line token count", header + "2 2 1\n1 1\n", "A.mtx",
         "A.mtx:3: wrong count: expected 3 values 'row column value', found 2"),
        ("symmetric upper triangle", "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 5\n", "S.mtx",
         "S.mtx:3: symmetric file has entry (1, 2) above the diagonal: store the lower triangle only"),
        ("skew-symmetric diagonal", "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 2 5\n", "K.mtx",
         "K.mtx:3: skew-symmetric file has diagonal entry (2, 2): the diagonal is zero and must not be stored"),
        ("symmetric but not square", "%%MatrixMarket matrix array real symmetric\n2 3\n1\n", "S.mtx",
         "S.mtx:2: a symmetric matrix must be square, the size line says 2x3"),
        ("integer file with a real", "%%MatrixMarket matrix array integer general\n1 2\n1\n2.5\n", "I.mtx",
         "I.mtx:4: not an integer in an integer file: '2.5'"),
        ("array too few values", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", "A.mtx",
         "A.mtx:2: wrong count: the size line declares 4 entries, the file has 3"),
        ("array two values on a line", "%%MatrixMarket matrix array real general\n1 2\n1 2\n", "A.mtx",
         "A.mtx:3: wrong count: expected 1 value per line in an array file, found 2"),
        ("ragged CSV", "1,2,3\n4,5\n", "A.csv",
         "A.csv:2: wrong count: row has 2 values, expected 3 like line 1"),
        ("CSV empty field", "1,,3\n", "A.csv",
         "A.csv:1: empty field in column 2"),
        ("CSV header row", "a,b\n1,2\n", "A.csv",
         "A.csv:1: not a number: 'a'"),
        ("too large (size line)", header + "5000 5000 1\n1 1 1\n", "A.mtx",
         "A.mtx:2: matrix too large: 5000x5000 exceeds the limit of 4096x4096"),
    ]

    @Test("Malformed files: the error names file, line and problem", arguments: ReaderTests.malformed.indices)
    func malformedFile(index: Int) {
        let c = Self.malformed[index]
        #expect(errorText(c.text, file: c.file) == c.error, "case '\(c.name)'")
    }

    @Test("The size limit is configurable and applies to CSV rows as they arrive")
    func configurableLimit() {
        let limits = MatrixFileLimits(maxRows: 2, maxColumns: 3)
        #expect(errorText("1,2\n3,4\n5,6\n", file: "A.csv", limits: limits)
            == "A.csv:3: matrix too large: 3x2 exceeds the limit of 2x3")
        #expect(errorText("1 2 3 4\n", file: "A.csv", limits: limits)
            == "A.csv:1: matrix too large: 1x4 exceeds the limit of 2x3")
    }

    @Test("A missing file is named")
    func missingFile() {
        do {
            _ = try MatrixFiles.readMatrix(at: "/nonexistent/A.mtx")
            Issue.record("read a missing file")
        } catch {
            #expect(error.description == "/nonexistent/A.mtx: cannot read the file: no such file")
        }
    }
}

@Suite("Matrix Market and CSV writers")
struct WriterTests {
    /// Random values spanning many magnitudes, signs, exact zeros and -0.0, which a lossy
    /// format ("%.6g") would break.
    static func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        return Matrix(rows: rows, columns: columns) { _, _ in
            switch rng.next() % 8 {
            case 0: return 0
            case 1: return -0.0
            default:
                let mantissa = Double.random(in: -1...1, using: &rng)
                return mantissa * pow(10, Double(Int.random(in: -300...300, using: &rng)))
            }
        }
    }

    @Test("Write and read back random matrices exactly, bit for bit", arguments: [UInt64(1), 2, 3, 4])
    func roundTrip(seed: UInt64) throws {
        let m = Self.randomMatrix(rows: Int(seed) * 3 + 1, columns: Int(seed) * 2 + 2, seed: seed)
        for text in [MatrixFiles.matrixMarket(m, comment: "seed \(seed)\nsecond line"),
                     MatrixFiles.matrixMarket(m, layout: .coordinate),
                     MatrixFiles.csv(m)] {
            let back = try MatrixFiles.parseMatrix(text, file: "round-trip")
            #expect(back.shape == m.shape)
            // Bit patterns, so -0.0 versus 0.0 counts (coordinate files drop zeros of both signs).
            let isCoordinate = text.contains("coordinate")
            for (x, y) in zip(m.storage, back.storage) {
                if isCoordinate && x == 0 { #expect(y == 0) } else { #expect(x.bitPattern == y.bitPattern, "\(x) read back as \(y)") }
            }
        }
    }

    @Test("Files on disk: .mtx and .csv by extension, vectors as N x 1")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("matrixfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = Self.randomMatrix(rows: 4, columns: 4, seed: 9)
        for name in ["A.mtx", "A.csv"] {
            let path = dir.appendingPathComponent(name).path
            try MatrixFiles.writeMatrix(m, to: path)
            #expect(try MatrixFiles.readMatrix(at: path).storage.map(\.bitPattern) == m.storage.map(\.bitPattern))
        }
        let b: [Double] = [0.1, -2.5e-17, 3]
        let path = dir.appendingPathComponent("b.csv").path
        try MatrixFiles.writeVector(b, to: path)
        #expect(try MatrixFiles.readVector(at: path) == b)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "0.1\n-2.5e-17\n3.0\n")
    }
}
