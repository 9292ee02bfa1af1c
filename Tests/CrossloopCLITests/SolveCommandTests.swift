import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// End-to-end tests of `crossloop solve` and `crossloop generate` on the built binary.
@Suite("crossloop solve and generate")
struct SolveCommandTests: CLISuite {
    static let counterExample = "%%MatrixMarket matrix array real general\n2 2\n-1\n-10\n2\n3\n"
    static let stable4 = """
        %%MatrixMarket matrix array real general
        4 4
        2
        0.3
        -0.2
        0.1
        -0.4
        1.8
        0.2
        0
        0.1
        -0.3
        2.2
        0.5
        0
        0.2
        -0.1
        1.9

        """

    @Test("--report writes a page that needs no network: the waveforms with the predicted settling, energy bars, checks, parameters")
    func reportPage() throws {
        let dir = try directory(["a.mtx": Self.stable4])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["solve", "--matrix", "a.mtx", "--fidelity", "transistor", "--converters", "ideal",
                                        "--report", "solve.html", "--json", "out.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)\n\(result.stdout)")
        let page = try String(contentsOf: dir.appendingPathComponent("solve.html"), encoding: .utf8)
        // The whole page is well-formed XML (XHTML with inline SVG), so every SVG in it parses.
        let parser = XMLParser(data: Data(page.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(page.components(separatedBy: "<svg").count - 1 == 2, "a waveform plot and the energy bars")
        #expect(!page.contains("src=") && !page.contains("<link") && !page.contains("<script"), "nothing is fetched or run")
        #expect(page.contains("predicted settling") && page.contains("Energy by block") && page.contains("penalty against a digital solver"))
        let items = try #require(value(try json(dir.appendingPathComponent("out.json")), "energy.items") as? [Any])
        let bars = page.components(separatedBy: "<rect").count - 1
        #expect(bars >= items.count, "a bar per energy item")
    }

    @Test("a stable problem passes: exit 0, a summary, JSON with the documented keys and JUnit")
    func passes() throws {
        let dir = try directory(["a.mtx": Self.stable4, "b.csv": "1\n-0.5\n0.25\n2\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["solve", "--matrix", "a.mtx", "--rhs", "b.csv", "--json", "out.json",
                                        "--junit", "out.xml", "--deck", "out.cir"], in: dir)
        #expect(result.status == 0, "\(result.stderr)\n\(result.stdout)")
        #expect(result.stdout.contains("PASS"))
        let object = try json(dir.appendingPathComponent("out.json"))
        for key in ["solution", "reference.ideal", "metrics.relativeError", "metrics.equivalentBits", "stability.stable",
                    "settling.predictedSeconds", "engine.ngspiceVersion", "engine.solver", "engine.seconds", "verdict.pass"] {
            #expect(value(object, key) != nil, "missing \(key)")
        }
        #expect(value(object, "settling.measuredSeconds") is NSNull)
        #expect(value(object, "verdict.pass") as? Bool == true)
        let junit = try String(contentsOf: dir.appendingPathComponent("out.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuite "))
        #expect(junit.components(separatedBy: "<testcase ").count - 1 >= 3)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.cir").path))
    }

    @Test("the counter-example is refused with exit 4 and the fix; forced, it fails verification with exit 1")
    func unstable() throws {
        let dir = try directory(["a.mtx": Self.counterExample])
        defer { try? FileManager.default.removeItem(at: dir) }
        let refused = try CLIRunner.run(["solve", "--matrix", "a.mtx", "--gin-ratio", "1"], in: dir)
        #expect(refused.status == 4)
        #expect(refused.stderrLines.count == 1)
        #expect(refused.stderr.contains("--gin-ratio 2.6"))
        let forced = try CLIRunner.run(["solve", "--matrix", "a.mtx", "--gin-ratio", "1", "--fidelity", "behavioral",
                                        "--analysis", "tran", "--force", "--json", "f.json"], in: dir)
        #expect(forced.status == 1, "\(forced.stdout)")
        #expect(forced.stdout.contains("diverged") || forced.stdout.contains("oscillating"))
        let object = try json(dir.appendingPathComponent("f.json"))
        #expect(value(object, "stability.stable") as? Bool == false)
        #expect(value(object, "verdict.pass") as? Bool == false)
        let solved = try CLIRunner.run(["solve", "--matrix", "a.mtx", "--gin-ratio", "5"], in: dir)
        #expect(solved.status == 0, "\(solved.stdout)\(solved.stderr)")
    }

    @Test("invalid input exits 2 with one line saying what is wrong")
    func invalidInput() throws {
        let dir = try directory(["a.mtx": Self.stable4, "rect.csv": "1,2,3\n4,5,6\n", "b3.csv": "1\n2\n3\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["solve", "--matrix", "missing.mtx"], "missing.mtx"),
            (["solve", "--matrix", "a.mtx", "--op", "invert"], "--op"),
            (["solve", "--matrix", "rect.csv"], "square"),
            (["solve", "--matrix", "a.mtx", "--rhs", "b3.csv"], "4 entries"),
            (["solve", "--matrix", "a.mtx", "--gbw", "-5"], "--gbw"),
            (["solve", "--matrix", "a.mtx", "--fidelity", "quantum"], "--fidelity"),
            (["solve", "--matrix", "a.mtx", "--op", "eig"], "behavioral"),
        ]
        for (arguments, needle) in cases {
            let result = try CLIRunner.run(arguments, in: dir)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)")
        }
    }

    @Test("a simulation stopped by its time limit exits 3")
    func simulationFailure() throws {
        let n = 48
        var text = "%%MatrixMarket matrix coordinate real general\n\(n) \(n) \(3 * n - 2)\n"
        for i in 1...n {
            text += "\(i) \(i) 2\n"
            if i > 1 { text += "\(i) \(i - 1) -1\n\(i - 1) \(i) -1\n" }
        }
        let dir = try directory(["p.mtx": text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["solve", "--matrix", "p.mtx", "--fidelity", "behavioral", "--analysis", "tran",
                                        "--timeout", "0.001", "--wire-r", "1", "--wire-c", "1f"], in: dir)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("time limit"))
    }

    @Test("generate writes a deck that plain ngspice -b runs, printing outputs within the stated tolerance")
    func generate() throws {
        let dir = try directory(["a.mtx": Self.stable4])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["generate", "--matrix", "a.mtx", "--deck", "a.cir"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let deck = try String(contentsOf: dir.appendingPathComponent("a.cir"), encoding: .utf8)
        let check = try GoldenCheck(deck: deck)
        let printed = try PlainNgspice.run(deck: dir.appendingPathComponent("a.cir"))
        try check.verify(printed)
    }
}
