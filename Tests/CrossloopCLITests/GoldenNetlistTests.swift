import Foundation
import Testing

/// The decks in Netlists/ are what the generator writes today (each records its command) and
/// plain `ngspice -b` runs each one to the answer its header states.
@Suite("Golden decks in Netlists/")
struct GoldenNetlistTests {
    static let root = CLIRunner.packageRoot()!
    static let decks: [String] = {
        let directory = root.appendingPathComponent("Netlists")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".cir") }.sorted()
    }()

    @Test("the reference configurations are all there")
    func catalogue() {
        for name in ["inv-4x4-ideal", "inv-8x8-behavioral-wires", "mvm-8x8-ideal", "ginv-6x3-ideal",
                     "eig-4x4-behavioral", "block-6x6-ideal"] {
            #expect(Self.decks.contains("\(name).cir"), "Netlists/\(name).cir is missing")
        }
    }

    /// Compared as decks (DeckComparison), not as bytes: card by card, token by token, names
    /// and nodes exactly, numbers within 1e-9 relative, since another CPU's OpenBLAS kernels
    /// write other last digits (OPENBLAS_CORETYPE=Prescott or Sandybridge shows it here).
    @Test("regenerating each deck from its recorded command gives the same deck", arguments: decks)
    func regenerate(name: String) throws {
        let url = Self.root.appendingPathComponent("Netlists/\(name)")
        let golden = try String(contentsOf: url, encoding: .utf8)
        let command = try #require(golden.split(separator: "\n").first { $0.hasPrefix("* Command: crossloop ") })
        let arguments = command.dropFirst("* Command: crossloop ".count).split(separator: " ").map(String.init)
        let result = try CLIRunner.run(arguments, in: Self.root)
        #expect(result.status == 0, "\(result.stderr)")
        let comparison = DeckComparison(expected: golden, actual: result.stdout)
        #expect(comparison.expectedCards.count > 10 && comparison.numbersCompared > 10, "Netlists/\(name) has too little to compare")
        #expect(comparison.matches, """
            Netlists/\(name) differs from what `crossloop \(arguments.joined(separator: " "))` writes now; \
            run Scripts/regenerate-netlists.sh and review the diff
            \(comparison.report(expectedName: "Netlists/\(name)", actualName: "regenerated"))
            """)
        // The figure to watch across machines (OpenBLAS kernels), printed with the test output.
        print("Netlists/\(name): \(comparison.expectedCards.count) cards, \(comparison.numbersCompared) numbers, largest relative difference \(comparison.largestRelativeDifference)")
    }

    @Test("plain ngspice -b runs each deck to its stated answer", arguments: decks)
    func runsInBatch(name: String) throws {
        let url = Self.root.appendingPathComponent("Netlists/\(name)")
        let check = try GoldenCheck(deck: try String(contentsOf: url, encoding: .utf8))
        let output = try PlainNgspice.run(deck: url)
        // ngspice recovers from a singular matrix by gmin stepping, so the answer alone would
        // not show a node left without a DC path (an undriven wire did, once).
        #expect(!output.diagnostics.lowercased().contains("singular matrix"), "\(name): \(output.diagnostics.prefix(300))")
        try check.verify(output)
    }
}

/// What a generated deck's header promises: expected outputs and a tolerance.
struct GoldenCheck {
    var expected: [(node: String, volts: Double)]
    var tolerance: Double
    var isDirection: Bool
    /// Subtracted from printed node voltages (mid-rail at transistor level).
    var reference = 0.0

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(deck: String) throws {
        let lines = deck.split(separator: "\n").map(String.init)
        guard let line = lines.first(where: { $0.hasPrefix("* Expected ") }) else { throw Failure(description: "no expected outputs in the header") }
        isDirection = line.hasPrefix("* Expected direction")
        if let text = lines.first(where: { $0.hasPrefix("* Reference: ") }),
           let value = Double(text.dropFirst("* Reference: ".count).split(separator: " ")[0]) {
            reference = value
        }
        let pairs = line.split(separator: ":", maxSplits: 1)[1].split(separator: " ")
        expected = pairs.compactMap { pair in
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = Double(parts[1]) else { return nil }
            return (String(parts[0]), value)
        }
        if isDirection {
            guard let read = lines.first(where: { $0.contains("expected |cos| >= ") }),
                  let value = Double(read.components(separatedBy: "expected |cos| >= ")[1]) else { throw Failure(description: "no cosine bound") }
            tolerance = value
        } else {
            guard let text = lines.first(where: { $0.hasPrefix("* Tolerance: relative 2-norm difference <= ") }) else {
                throw Failure(description: "no tolerance in the header")
            }
            let bound = text.dropFirst("* Tolerance: relative 2-norm difference <= ".count).split(separator: " ")[0]
            if bound.hasPrefix("2^-"), let bits = Double(bound.dropFirst(3)) {
                tolerance = pow(2, -bits)
            } else if let value = Double(bound) {
                tolerance = value
            } else {
                throw Failure(description: "unreadable tolerance \(bound)")
            }
        }
    }

    func verify(_ printed: PlainNgspice.Output) throws {
        let want = expected.map(\.volts)
        if isDirection {
            // EIG: read when the largest output first reaches half the swing (0.25 V).
            let rows = printed.rows
            let columns = expected.map { printed.column("v(\($0.node))") }
            guard columns.allSatisfy({ $0 != nil }) else { throw Failure(description: "missing columns in \(printed.header)") }
            guard let row = rows.indices.first(where: { r in columns.contains { abs(rows[r][$0!]) >= 0.25 } }) else {
                throw Failure(description: "the outputs never reached half the swing")
            }
            let got = columns.map { rows[row][$0!] - reference }
            let dot = zip(got, want).reduce(0) { $0 + $1.0 * $1.1 }
            let cosine = abs(dot) / (norm(got) * norm(want))
            #expect(cosine >= tolerance, "|cos| = \(cosine) < \(tolerance)")
        } else {
            let got = try expected.map { pair -> Double in
                if let value = printed.scalars["v(\(pair.node))"] { return value - reference }
                if let column = printed.column("v(\(pair.node))"), let last = printed.rows.last { return last[column] - reference }
                throw Failure(description: "ngspice printed no v(\(pair.node))")
            }
            let error = norm(zip(got, want).map { $0 - $1 }) / norm(want)
            // ngspice -b prints 7 significant digits: up to 5e-7 per entry before any circuit error.
            #expect(error <= max(tolerance, 5e-6), "relative difference \(error) > \(tolerance)")
        }
    }

    func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}

/// Runs the plain ngspice binary and reads what it prints.
enum PlainNgspice {
    struct Output {
        var scalars: [String: Double] = [:]
        var header: [String] = []
        var rows: [[Double]] = []
        /// What ngspice wrote on standard error (its warnings).
        var diagnostics = ""
        func column(_ name: String) -> Int? { header.firstIndex { $0.lowercased() == name.lowercased() } }
    }

    static func run(deck: URL) throws -> Output {
        let directory = try CLIRunner.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ngspice", "-b", deck.path]
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: out)
        let err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        var output = parse(try String(contentsOf: out, encoding: .utf8))
        output.diagnostics = try String(contentsOf: err, encoding: .utf8)
        return output
    }

    /// `name = value` lines, and `.print` tables (a header line starting with "Index", then
    /// rows of numbers; a wide table comes in sections with the same Index column).
    static func parse(_ text: String) -> Output {
        var output = Output()
        var sectionHeader: [String] = []
        var sectionRows: [Int: [Double]] = [:]
        var merged: [Int: [Double]] = [:]
        var mergedHeader: [String] = []
        func flush() {
            guard !sectionHeader.isEmpty else { return }
            let extra = Array(sectionHeader.dropFirst(mergedHeader.isEmpty ? 1 : 2))
            if mergedHeader.isEmpty { mergedHeader = Array(sectionHeader.dropFirst()) } else { mergedHeader += extra }
            for (index, values) in sectionRows {
                let skip = merged[index] == nil ? 0 : 1
                merged[index, default: []] += values.dropFirst(skip)
            }
            sectionHeader = []
            sectionRows = [:]
        }
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if fields.first == "Index" {
                if fields != sectionHeader { flush(); sectionHeader = fields }
                continue
            }
            if fields.count == 3, fields[1] == "=", let value = Double(fields[2]) {
                output.scalars[fields[0].lowercased()] = value
                continue
            }
            if !sectionHeader.isEmpty, fields.count == sectionHeader.count, let index = Int(fields[0]) {
                sectionRows[index] = fields.dropFirst().compactMap(Double.init)
            }
        }
        flush()
        output.header = mergedHeader
        output.rows = merged.keys.sorted().map { merged[$0]! }
        return output
    }
}
