import Foundation
import Testing

/// Sweep files written to hurt: each is refused with exit 2 and a reason, quickly, before
/// anything the size of its claim is built.
@Suite("Hostile sweep files")
struct HostileSweepTests: CLISuite {
    static let problem = "\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}"

    /// Nine levels of nine aliases each: 387 million strings if expanded.
    static let billionLaughs = (["a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        + zip("bcdefghi", "abcdefgh").map { name, previous in
            "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]"
        }).joined(separator: "\n") + "\n"

    static let cases: [(String, String, String)] = [
        ("laughs.yaml", billionLaughs, "YAML aliases repeat what they name"),
        ("grid.json", "{\(problem), \"variables\": {\"gbw\": {\"from\": 1e6, \"to\": 1e7, \"steps\": 100000}, \"swing\": {\"from\": 0.1, \"to\": 0.5, \"steps\": 100000}, \"offset\": {\"from\": 0, \"to\": 0.001, \"steps\": 100000}}, \"samples\": 1000000}",
         "more than 10 million runs"),
        ("tiny-step.json", "{\(problem), \"variables\": {\"gbw\": {\"from\": 1e6, \"to\": 1e7, \"step\": 1e-30}}}", "a range takes at most 100000"),
        ("billion.json", "{\(problem), \"variables\": {\"gbw\": {\"from\": 1, \"to\": 1e9, \"step\": 1}}}", "a range takes at most 100000"),
        ("huge.json", "{\(problem), \"name\": \"" + String(repeating: "x", count: 2 << 20) + "\"}", "a sweep file is at most"),
    ]

    @Test("refused with exit 2, a reason and no crash, in well under a second of work", arguments: cases)
    func refused(name: String, text: String, reason: String) throws {
        let dir = try directory([name: text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        let result = try CLIRunner.run(["sweep", name, "--out", "out"], in: dir)
        let seconds = Date().timeIntervalSince(start)
        #expect(result.status == 2, "\(name): exit \(result.status): \(result.stderr.prefix(300))")
        #expect(result.stderr.contains(reason), "\(name): \(result.stderr.prefix(300))")
        #expect(result.stderr.count < 1000, "\(name): \(result.stderr.count) characters of stderr")
        // Generous for a loaded CI machine: the refusal itself takes milliseconds.
        #expect(seconds < 10, "\(name): \(seconds) s")
        let deck = try CLIRunner.run(["sweep", "deck", name, "0"], in: dir)
        #expect(deck.status == 2, "sweep deck \(name): exit \(deck.status)")
    }

    @Test("a distribution no run could use is refused before any run, with exit 2")
    func everyRunInvalid() throws {
        // A gain drawn per sample below 1 V/V: no run's design could be built.
        let dir = try directory(["bad.json": "{\(Self.problem), \"design\": {\"fidelity\": \"behavioral\"}, \"variables\": {\"gain\": {\"distribution\": \"uniform\", \"min\": 0.1, \"max\": 0.5}}, \"samples\": 3}"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["sweep", "bad.json", "--out", "out", "--jobs", "1"], in: dir)
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("design.gain = 0.1: it must be above 1"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/rows.jsonl").path))
    }

    @Test("a run that does not finish within its time limit is stopped, tried again with Sparse, and reported, not hung on")
    func stalledRun() throws {
        // A one-second transient at nanosecond steps cannot finish in 0.3 s with either solver.
        let dir = try directory(["slow.json": "{\(Self.problem), \"design\": {\"fidelity\": \"behavioral\", \"analysis\": \"tran\", \"stop-time\": 1}, \"time-limit\": 0.3, \"samples\": 1}"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["sweep", "slow.json", "--out", "out", "--jobs", "1"], in: dir)
        #expect(result.seconds < 30, "\(result.seconds) s")
        #expect(result.status == 3, "exit \(result.status): \(result.stderr)")
        let rows = try String(contentsOf: dir.appendingPathComponent("out/results.jsonl"), encoding: .utf8)
        #expect(rows.contains("\"status\":\"failed\"") && rows.contains("with KLU and again with Sparse"), "\(rows.prefix(400))")
    }
}
