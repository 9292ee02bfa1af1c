import Foundation
import Testing

/// The benchmark runs and reports; its figures are never asserted here (performance claims
/// live in the benchmark's output, not in timed tests).
@Suite("crossloop bench")
struct BenchCommandTests {
    @Test("a section runs and writes its measurements as JSON")
    func overheadSection() throws {
        let dir = try CLIRunner.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["bench", "--only", "overhead", "--json", "bench.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ngspice -b"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("bench.json"))) as? [String: Any])
        let overhead = try #require(object["overhead"] as? [String: Any])
        #expect(overhead["ratio"] is Double)
        #expect((overhead["inProcess"] as? [String: Any])?["median"] is Double)
    }

    @Test("a thousand runs in one engine grow resident memory by less than 5 MB")
    func memory() throws {
        // In a process of its own: resident memory is per process, and the test bundle runs
        // other suites in parallel.
        let dir = try CLIRunner.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["bench", "--only", "memory", "--json", "bench.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("bench.json"))) as? [String: Any])
        let memory = try #require(object["memory"] as? [String: Any])
        let growth = try #require(memory["growthMB"] as? Double)
        #expect(growth < 5, "RSS grew by \(growth) MB over \(memory["runs"] ?? "?") runs")
    }

    @Test("the tile section runs a whole transistor-level tile and re-programs a loaded array to the fresh answers")
    func arraySection() throws {
        let dir = try CLIRunner.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["bench", "--only", "array", "--json", "bench.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("bench.json"))) as? [String: Any])
        let array = try #require(object["array"] as? [String: Any])
        let tile = try #require(array["tile"] as? [String: Any])
        // The quick suite's 16x16 tile: two planes of 256 sites, 4 bits each, one switch per branch at least.
        #expect((tile["switchDevices"] as? Double ?? 0) >= 2 * 256 * 4)
        let reprogramming = try #require(array["reprogramming"] as? [String: Any])
        #expect((reprogramming["maxRelativeDifference"] as? Double ?? 1) <= 1e-9)
        #expect((reprogramming["alterations"] as? Double ?? 0) > 0)
    }

    @Test("an unknown section is invalid input")
    func unknownSection() throws {
        let result = try CLIRunner.run(["bench", "--only", "warp"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("warp"))
    }
}
