import Foundation
import Testing

/// End-to-end tests of `crossloop simulate` and `crossloop version` on the built binary.
@Suite("crossloop simulate and version")
struct SimulateCommandTests {
    static let divider = """
        divider with a behavioural doubler
        V1 in 0 dc 2
        R1 in mid 1k
        R2 mid 0 3k
        B1 dbl 0 V=2*v(mid)
        Rload dbl 0 1meg
        .options reltol=1e-9
        .op
        .control
        run
        print v(mid) v(dbl)
        .endc
        .end
        """

    static let rc = """
        rc step
        V1 in 0 pulse(0 1 0 1n 1n 1 2)
        R1 in out 1k
        C1 out 0 1n
        .tran 10n 3u
        .control
        run
        print v(out)[length(v(out))-1]
        .endc
        .end
        """

    func write(_ text: String, _ name: String = "deck.cir") throws -> (URL, URL) {
        let directory = try CLIRunner.makeTemporaryDirectory()
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    @Test("an operating point matches plain ngspice -b on the same deck, its control block run as ngspice runs it")
    func operatingPointMatchesBatch() throws {
        let (directory, file) = try write(Self.divider)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["simulate", file.path], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let ours = scalars(result.stdout)
        let batch = try PlainNgspice.run(deck: file).scalars
        for name in ["v(mid)", "v(dbl)"] {
            let mine = try #require(ours[name], "\(result.stdout)")
            let theirs = try #require(batch[name], "\(batch)")
            #expect(mine == theirs, "\(name): crossloop \(mine), ngspice -b \(theirs)")
        }
        #expect(ours["v(mid)"] == 1.5)
        // With --vector the last plot's values are printed at full precision as well.
        let table = try CLIRunner.run(["simulate", file.path, "--vector", "mid"], in: directory)
        #expect(scalars(table.stdout)["mid"] == 1.5, "\(table.stdout)")
    }

    @Test("a transient ends where plain ngspice -b ends, and writes JSON and a raw file")
    func transientMatchesBatch() throws {
        let (directory, file) = try write(Self.rc)
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("out.json"), raw = directory.appendingPathComponent("out.raw")
        let result = try CLIRunner.run(["simulate", file.path, "--vector", "out", "--json", json.path, "--raw", raw.path],
                                       in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").compactMap { Double($0) } }
        let last = try #require(rows.last)
        #expect(last.count == 2)
        #expect(abs(last[0] - 3e-6) < 1e-12)
        let batch = try PlainNgspice.run(deck: file).scalars
        let theirs = try #require(batch.first { $0.key.hasPrefix("v(out)") }?.value, "\(batch)")
        #expect(abs(last[1] - theirs) <= 1e-5, "crossloop \(last[1]), ngspice -b \(theirs)")
        #expect(abs(last[1] - (1 - exp(-3.0))) < 2e-3)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let plots = try #require(object["plots"] as? [[String: Any]])
        #expect(plots.first?["analysis"] as? String == "tran")
        let vectors = try #require(plots.first?["vectors"] as? [String: [Double]])
        #expect(vectors["time"]?.count == vectors["out"]?.count)
        let header = String(decoding: try Data(contentsOf: raw).prefix(200), as: UTF8.self)
        #expect(header.hasPrefix("Title: rc step"))
        #expect(header.contains("Plotname: Transient Analysis"))
    }

    @Test("a broken deck exits 3 with one line in ngspice's words")
    func brokenDeck() throws {
        let (directory, file) = try write("broken\nV1 1 0 dc 1\nR1 1 0 abc\n.op\n.end\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["simulate", file.path], in: directory)
        #expect(result.status == 3)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("parse error"))
        #expect(result.stderr.lowercased().contains("r1 1 0 abc"))
    }

    @Test("a deck ngspice cannot read exits 3 in ngspice's words; a missing include is refused before, exit 2")
    func fatalDeck() throws {
        let (directory, file) = try write("fatal\nV1 1 0 1\nE1 1 0 1\nR1 1 0 1k\n.op\n.end\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["simulate", file.path], in: directory)
        #expect(result.status == 3)
        #expect(result.stderr.contains("not enough parameters"), "\(result.stderr)")
        let missing = directory.appendingPathComponent("missing.cir")
        try "fatal\n.include nowhere/missing.lib\nV1 1 0 1\nR1 1 0 1k\n.op\n.end\n".write(to: missing, atomically: true, encoding: .utf8)
        let refused = try CLIRunner.run(["simulate", missing.path], in: directory)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("missing.cir:2: cannot read nowhere/missing.lib"), "\(refused.stderr)")
    }

    @Test("a time limit stops a long run with exit 3")
    func timeout() throws {
        let (directory, file) = try write("slow\nV1 in 0 sin(0 1 1meg)\nR1 in out 1k\nC1 out 0 1n\n.options interp\n.tran 10u 1 0 1n\n.end\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLIRunner.run(["simulate", file.path, "--timeout", "0.5", "--max-points", "2e9"], in: directory)
        #expect(result.status == 3)
        #expect(result.stderr.contains("time limit"))
    }

    @Test("a missing deck or a bad flag is invalid input")
    func invalidInput() throws {
        let missing = try CLIRunner.run(["simulate", "/nonexistent/deck.cir"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read deck"))
        let (directory, file) = try write(Self.divider)
        defer { try? FileManager.default.removeItem(at: directory) }
        let badTimeout = try CLIRunner.run(["simulate", file.path, "--timeout", "-1"], in: directory)
        #expect(badTimeout.status == 2)
        let unknownVector = try CLIRunner.run(["simulate", file.path, "--vector", "nosuch"], in: directory)
        #expect(unknownVector.status == 3)
        #expect(unknownVector.stderr.contains("nosuch"))
    }

    @Test("version prints Crossloop's and ngspice's versions and the solver")
    func version() throws {
        let result = try CLIRunner.run(["version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("crossloop ") == true)
        #expect(lines.contains { $0.hasPrefix("ngspice ") })
        #expect(lines.contains { $0.hasPrefix("solver: ") && ($0.contains("KLU") || $0.contains("Sparse")) })
    }

    /// `name = value` lines of `crossloop simulate`.
    func scalars(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let value = Double(parts[1]) { out[parts[0]] = value }
        }
        return out
    }

}
