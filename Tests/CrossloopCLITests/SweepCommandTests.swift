import Foundation
import Testing

/// A Monte Carlo sweep file: an 8x8 INV at behavioural fidelity with a step transient.
enum SweepFiles {
    static func monteCarlo(samples: Int, seed: Int = 2026) -> String {
        """
        {
          "name": "inv8-mc",
          "seed": \(seed),
          "problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 8, "seed": 1}},
          "design": {"fidelity": "behavioral", "analysis": "tran", "bits": 6},
          "variation": {"programming-sigma": 0.02, "stuck-off-rate": 0.005, "stuck-on-rate": 0.002, "offset-sigma": "1m"},
          "samples": \(samples),
          "tolerance-bits": 4
        }
        """
    }

    static func lines(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.filter { $0 == UInt8(ascii: "\n") }.count
    }
}

@Suite("crossloop sweep")
struct SweepCommandTests: CLISuite {
    @Test("a Monte Carlo reports yield and the error's sigma; a re-run gives byte-identical rows; YAML means the same")
    func monteCarlo() throws {
        let yaml = """
            name: inv8-mc
            seed: 2026
            problem:
              operation: inv
              generate: {kind: well-conditioned, size: 8, seed: 1}
            design: {fidelity: behavioral, analysis: tran, bits: 6}
            variation: {programming-sigma: 0.02, stuck-off-rate: 0.005, stuck-on-rate: 0.002, offset-sigma: 1m}
            samples: 24
            tolerance-bits: 4
            """
        let dir = try directory(["mc.json": SweepFiles.monteCarlo(samples: 24), "mc.yaml": yaml])
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try CLIRunner.run(["sweep", "mc.json", "--jobs", "2", "--out", "a"], in: dir)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("yield"))
        #expect(first.stdout.contains("relative error mean") && first.stdout.contains("sigma"))
        #expect(first.stdout.contains("worst runs"))
        // Not a terminal: no progress bar on stderr, only the one closing line.
        #expect(!first.stderr.contains("\r"))
        let second = try CLIRunner.run(["sweep", "mc.json", "--jobs", "1", "--out", "b"], in: dir)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let a = try Data(contentsOf: dir.appendingPathComponent("a/results.jsonl"))
        let b = try Data(contentsOf: dir.appendingPathComponent("b/results.jsonl"))
        #expect(a == b)
        #expect(SweepFiles.lines(dir.appendingPathComponent("a/results.jsonl")) == 24)
        let fromYAML = try CLIRunner.run(["sweep", "mc.yaml", "--jobs", "2", "--out", "c"], in: dir)
        #expect(fromYAML.status == 0, "stderr: \(fromYAML.stderr)")
        let c = try Data(contentsOf: dir.appendingPathComponent("c/results.jsonl"))
        #expect(a == c)
        // The summary carries the yield and the sigma of the error, and the report exists.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a/summary.json"))) as? [String: Any])
        let overall = try #require(summary["overall"] as? [String: Any])
        let yield = try #require((overall["yield"] as? [String: Any])?["fraction"] as? Double)
        let sigma = try #require((overall["relativeError"] as? [String: Any])?["sigma"] as? Double)
        #expect(yield > 0 && yield <= 1)
        #expect(sigma > 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/report.html").path))
        // Any run's varied deck comes back from the file and the run index alone.
        let row3 = try #require(try JSONSerialization.jsonObject(with: Data(String(decoding: a, as: UTF8.self).split(separator: "\n")[3].utf8)) as? [String: Any])
        let seed3 = try #require(row3["seed"] as? Int)
        let deck = try CLIRunner.run(["sweep", "deck", "mc.json", "3"], in: dir)
        #expect(deck.status == 0, "stderr: \(deck.stderr)")
        #expect(deck.stdout.contains("run 3: sample 3 (seed \(seed3))"), "deck: \(deck.stdout.prefix(300))")
        #expect(deck.stdout.contains(".tran"))
        // Without --resume, a directory with rows is refused (exit 2) and left as it was.
        let again = try CLIRunner.run(["sweep", "mc.json", "--out", "a"], in: dir)
        #expect(again.status == 2)
        #expect(again.stderr.contains("--resume"))
    }

    /// Synchronous on purpose: the poll must not wait for a cooperative thread while other
    /// tests hold them, or the sweep may end before it is killed.
    @Test("a sweep killed midway (SIGKILL) and resumed completes without redoing finished runs")
    func killAndResume() throws {
        let samples = 160
        let dir = try directory(["mc.json": SweepFiles.monteCarlo(samples: samples)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try CLIRunner.run(["sweep", "mc.json", "--jobs", "2", "--out", "ref"], in: dir)
        #expect(reference.status == 0, "stderr: \(reference.stderr)")

        let process = Process()
        process.executableURL = try CLIRunner.binary.get()
        process.arguments = ["sweep", "mc.json", "--jobs", "1", "--out", "killed"]
        process.currentDirectoryURL = dir
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let journal = dir.appendingPathComponent("killed/rows.jsonl")
        let deadline = Date().addingTimeInterval(60)
        while SweepFiles.lines(journal) < 20 && process.isRunning && Date() < deadline {
            usleep(5_000)
        }
        #expect(process.isRunning, "the sweep ended before it could be killed; raise the sample count")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let kept = SweepFiles.lines(journal)
        #expect(kept >= 20 && kept < samples, "\(kept) rows kept")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("killed/results.jsonl").path))

        let resumed = try CLIRunner.run(["sweep", "mc.json", "--jobs", "2", "--out", "killed", "--resume"], in: dir)
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        #expect(resumed.stderr.contains("\(kept) already done"), "stderr: \(resumed.stderr)")
        // Runs timed = runs done: the kept ones were not run again.
        #expect(SweepFiles.lines(dir.appendingPathComponent("killed/timings.jsonl")) == samples)
        let a = try Data(contentsOf: dir.appendingPathComponent("ref/results.jsonl"))
        let b = try Data(contentsOf: dir.appendingPathComponent("killed/results.jsonl"))
        #expect(a == b)
    }

    @Test("invalid sweep files and flags leave with exit 2 and say what to change")
    func invalidInput() throws {
        let dir = try directory(["bad.json": "{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"design\": {\"gbw\": \"fast\"}}"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try CLIRunner.run(["sweep", "bad.json"], in: dir)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("design.gbw = fast: \"fast\" is not a number"), "stderr: \(bad.stderr)")
        let missing = try CLIRunner.run(["sweep", "nothing.json"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nothing.json"))
        let flags = try CLIRunner.run(["sweep", "bad.json", "--slurm", "--shard", "0/2"], in: dir)
        #expect(flags.status == 2)
        let collect = try CLIRunner.run(["sweep", "collect", "nowhere"], in: dir)
        #expect(collect.status == 2)
        #expect(collect.stderr.contains("not a sweep results directory"))
    }
}

/// Whether a SLURM cluster answers here (Scripts/slurm-local.sh start brings one up).
enum LocalSlurm {
    static let available: Bool = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/sbatch") }) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sinfo", "-h"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
    static let skipMessage: Comment = "no SLURM cluster answers (sbatch or sinfo missing or failing): run Scripts/slurm-local.sh start (as .ci/run does) to test the SLURM back end"

    static func queueEmpty(_ jobs: [String]) -> Bool {
        let process = Process()
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["squeue", "-h", "-j", jobs.joined(separator: ",")]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return true }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data.isEmpty
    }

    /// The job ids recorded for a sweep directory.
    static func jobs(_ dir: URL) throws -> [String] {
        let data = try Data(contentsOf: dir.appendingPathComponent("slurm/submission.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["jobs"] as? [String])
    }

    static func waitForQueue(_ dir: URL, timeout: TimeInterval = 240) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !queueEmpty(try jobs(dir)) {
            guard Date() < deadline else { Issue.record("SLURM jobs still queued after \(timeout) s"); return }
            try await Task.sleep(nanoseconds: 300_000_000)
        }
    }
}

@Suite("crossloop sweep on a real single-node SLURM cluster", .serialized, .enabled(if: LocalSlurm.available, LocalSlurm.skipMessage))
struct SweepSlurmTests: CLISuite {
    @Test("a job array of 4 tasks gives the local run's results; a failed task is listed and resubmitted alone")
    func jobArray() async throws {
        let samples = 40
        let dir = try directory(["mc.json": SweepFiles.monteCarlo(samples: samples, seed: 99)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let local = try CLIRunner.run(["sweep", "mc.json", "--jobs", "2", "--out", "local"], in: dir)
        #expect(local.status == 0, "stderr: \(local.stderr)")
        let localResults = try Data(contentsOf: dir.appendingPathComponent("local/results.jsonl"))
        let localSummary = try Data(contentsOf: dir.appendingPathComponent("local/summary.json"))

        let out = dir.appendingPathComponent("slurm")
        let submit = try CLIRunner.run(["sweep", "mc.json", "--slurm", "--array-size", "4", "--out", "slurm"], in: dir)
        #expect(submit.status == 0, "stderr: \(submit.stderr)")
        #expect(submit.stdout.contains("(4 tasks)"))
        let script = try String(contentsOf: out.appendingPathComponent("slurm/sweep.sbatch"), encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-3") && script.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\""))
        try await LocalSlurm.waitForQueue(out)
        // The dependent collect job merged the shards into the same results as the local run.
        let merged = try Data(contentsOf: out.appendingPathComponent("results.jsonl"))
        #expect(merged == localResults)
        #expect(try Data(contentsOf: out.appendingPathComponent("summary.json")) == localSummary)
        let status = try CLIRunner.run(["sweep", "status", out.path], in: dir)
        #expect(status.status == 0, "stdout: \(status.stdout)")
        #expect(status.stdout.components(separatedBy: "completed").count - 1 == 4)

        // Break task 1 (a damaged row in its shard) and lose task 2's shard altogether.
        let shard1 = out.appendingPathComponent("shards/shard-1-of-4.jsonl")
        let rows1 = try String(contentsOf: shard1, encoding: .utf8)
        try ("not a row\n" + rows1).write(to: shard1, atomically: true, encoding: .utf8)
        for name in ["shard-1-of-4.done", "shard-2-of-4.jsonl", "shard-2-of-4.done", "timings-2-of-4.jsonl"] {
            try FileManager.default.removeItem(at: out.appendingPathComponent("shards/\(name)"))
        }
        try FileManager.default.removeItem(at: out.appendingPathComponent("results.jsonl"))
        let resubmit = try CLIRunner.run(["sweep", "resubmit", out.path], in: dir)
        #expect(resubmit.status == 0, "stderr: \(resubmit.stderr)")
        #expect(resubmit.stdout.contains("resubmitted tasks 1,2"), "stdout: \(resubmit.stdout)")
        try await LocalSlurm.waitForQueue(out)
        // Task 2 ran again and completed; task 1 failed again, and collect says so.
        let failed = try CLIRunner.run(["sweep", "status", out.path], in: dir)
        #expect(failed.status == 3)
        #expect(failed.stdout.contains("task 1: failed"), "stdout: \(failed.stdout)")
        #expect(failed.stdout.contains("task 2: completed"), "stdout: \(failed.stdout)")
        let incomplete = try CLIRunner.run(["sweep", "collect", out.path], in: dir)
        #expect(incomplete.status == 3)
        #expect(incomplete.stderr.contains("task 1: failed"), "stderr: \(incomplete.stderr)")
        #expect(incomplete.stderr.contains("is not a result row"), "stderr: \(incomplete.stderr)")

        // Repair the shard and resubmit: only task 1 runs; the merged results are the local ones.
        try rows1.write(to: shard1, atomically: true, encoding: .utf8)
        let again = try CLIRunner.run(["sweep", "resubmit", out.path], in: dir)
        #expect(again.stdout.contains("resubmitted tasks 1 "), "stdout: \(again.stdout)")
        try await LocalSlurm.waitForQueue(out)
        let final = try Data(contentsOf: out.appendingPathComponent("results.jsonl"))
        #expect(final == localResults)
        // Task 1 resumed its shard: it timed only the runs its shard lacked (none).
        let timings1 = SweepFiles.lines(out.appendingPathComponent("shards/timings-1-of-4.jsonl"))
        #expect(timings1 == samples / 4)
    }
}
