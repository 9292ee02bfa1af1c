import ArgumentParser
import Foundation
import Ngspice
import Verification

struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a Monte Carlo, corner or parameter sweep from a sweep file, locally or on SLURM.",
        discussion: """
            A sweep file (JSON, or YAML with a .yaml/.yml name) names the problem, the design \
            (the same knobs as the solve flags), the variation models, the variables (lists, \
            ranges, distributions) and the number of Monte Carlo samples. Every run is judged \
            against the nominal design's references and written as one JSON line to DIR as soon \
            as it ends, so an interrupted sweep keeps what finished and --resume completes it. \
            Rows carry no timings and are identical for equal sweep files and seeds, whatever \
            ran them. DIR then holds results.jsonl (ordered by run), summary.json, report.txt \
            and report.html.

            Exit codes: 0 sweep complete, 1 yield below --min-yield, 2 invalid input, 3 runs \
            missing (failed SLURM tasks, interrupted) or the simulator unusable.
            """,
        subcommands: [SweepRunCommand.self, SweepCollectCommand.self, SweepStatusCommand.self, SweepResubmitCommand.self,
                      SweepDeckCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

/// Reads a sweep file: JSON, or YAML by its extension.
func loadSweepSpec(_ path: String) throws -> SweepSpec {
    do throws(SweepError) {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return try SweepSpec(try YAMLSpec.tree(path: path), baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        }
        return try SweepSpec.load(path: path)
    } catch {
        throw fail(.invalidInput, error.description)
    }
}

func sweepExit(_ error: SweepError) -> ExitCode {
    switch error {
    case .invalidSpec, .directory: return fail(.invalidInput, error.description)
    case .io: return fail(.invalidInput, error.description)
    case .verification(let inner):
        switch inner {
        case .mapping, .design: return fail(.invalidInput, error.description)
        default: return fail(.simulationFailed, error.description)
        }
    case .scheduler: return fail(.simulationFailed, error.description)
    }
}

struct SweepRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep file (the default: crossloop sweep SPEC ...).",
        discussion: """
            Locally: --jobs engines run the runs in parallel (default: one per core), with a \
            progress bar and the remaining time on standard error (quiet when it is not a \
            terminal). --shard i/K runs only the runs whose index is i modulo K (what each SLURM \
            task does). --slurm writes DIR/slurm/sweep.sbatch, submits it as a job array of \
            --array-size tasks and a dependent job that collects the shards.
            """
    )

    @Argument(help: ArgumentHelp("The sweep file (.json, .yaml or .yml).", valueName: "spec"))
    var spec: String

    @Option(help: ArgumentHelp("Engines to run in parallel. Default: one per core.", valueName: "N"))
    var jobs: Int?

    @Flag(help: "Complete a sweep whose results directory already holds rows, without redoing them.")
    var resume = false

    @Option(help: ArgumentHelp("The results directory. Default: <spec name>.sweep next to the working directory.", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Run only shard i of K (runs whose index is i modulo K).", valueName: "i/K"))
    var shard: String?

    @Flag(help: "Submit the sweep to SLURM as a job array instead of running it here.")
    var slurm = false

    @Option(help: ArgumentHelp("SLURM partition. Default: the cluster's default.", valueName: "P"))
    var partition: String?

    @Option(name: .customLong("array-size"), help: ArgumentHelp("SLURM array tasks (shards). Default 4.", valueName: "K"))
    var arraySize: Int = 4

    @Option(name: .customLong("time"), help: ArgumentHelp("SLURM time limit per task, e.g. 30:00. Default: the partition's.", valueName: "limit"))
    var timeLimit: String?

    @Flag(name: .customLong("no-collect"), help: "With --slurm: do not submit the dependent collect job.")
    var noCollect = false

    @Option(name: .customLong("min-yield"), help: ArgumentHelp("Exit 1 when the yield is below this fraction (0-1).", valueName: "Y"))
    var minYield: Double?

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("Pass --jobs between 1 and 256.") }
        if !(1...10_000).contains(arraySize) { throw ValidationError("Pass --array-size between 1 and 10000.") }
        if let minYield, !(0...1).contains(minYield) { throw ValidationError("Pass --min-yield between 0 and 1.") }
        if slurm && shard != nil { throw ValidationError("--shard is what each SLURM task runs; drop it with --slurm.") }
        if !slurm && (partition != nil || timeLimit != nil || noCollect) {
            throw ValidationError("--partition, --time and --no-collect apply to --slurm only.")
        }
    }

    var directory: SweepDirectory {
        if let out { return SweepDirectory(out) }
        let base = URL(fileURLWithPath: spec).deletingPathExtension().lastPathComponent
        return SweepDirectory(base + ".sweep")
    }

    func run() async throws {
        let spec = try loadSweepSpec(self.spec)
        let directory = self.directory
        if slurm {
            do {
                let submission = try SlurmBackend.submit(spec: spec, specPath: URL(fileURLWithPath: self.spec).standardizedFileURL.path,
                                                         directory: directory, arraySize: arraySize, partition: partition,
                                                         timeLimit: timeLimit, binary: SlurmBackend.currentBinary(),
                                                         collect: !noCollect)
                print("submitted \(spec.runCount) runs as SLURM job array \(submission.arrayJob) (\(submission.tasks.count) tasks)\(submission.collectJob.map { ", collect job \($0)" } ?? "")")
                print("results: \(directory.path); check with: crossloop sweep status \(directory.path)")
            } catch {
                throw sweepExit(error)
            }
            return
        }
        let shard: Shard?
        let executor: SweepExecutor
        do throws(SweepError) {
            shard = try parseShard(self.shard)
            executor = try SweepExecutor(spec: spec)
        } catch {
            throw sweepExit(error)
        }
        let size = jobs ?? EnginePool.defaultSize
        let pool: EnginePool
        do { pool = try EnginePool(size: size) } catch { throw fail(.simulationFailed, "cannot start \(size) engines: \(error)") }
        let runner = SweepRunner(executor: executor, directory: directory)
        let line = ProgressLine(label: "sweep")
        let outcome: SweepOutcome
        do {
            outcome = try await runner.run(shard: shard, resume: resume, engines: pool.engines) { p in
                line.update(message: SweepProgressText.line(p))
            }
            line.finish()
        } catch {
            line.finish()
            throw sweepExit(error)
        }
        let part = shard.map { "shard \($0)" } ?? "sweep"
        printError("\(part): \(outcome.ran) runs in \(String(format: "%.2f", outcome.seconds)) s on \(size) engines\(outcome.skipped > 0 ? ", \(outcome.skipped) already done" : "")")
        guard shard == nil else {
            if !outcome.complete { throw fail(.simulationFailed, "shard \(shard!) is incomplete; rerun it with --resume") }
            return
        }
        guard outcome.complete else { throw fail(.simulationFailed, "the sweep is incomplete; rerun with --resume") }
        let statistics: SweepStatistics
        do { statistics = try directory.finish(executor) } catch { throw sweepExit(error) }
        print(statistics.text)
        print("results: \(directory.results), report: \(directory.htmlReport)")
        if let minYield, statistics.overall.yield.fraction < minYield { throw ExitStatus.verificationFailed.code }
    }

    func parseShard(_ text: String?) throws(SweepError) -> Shard? {
        guard let text else { return nil }
        return try Shard(parsing: text)
    }
}

enum SweepProgressText {
    /// `57/200 runs  28.5 %  3.1 runs/s  ETA 46 s  2 not passing`
    static func line(_ p: SweepProgress) -> String {
        let rate = p.elapsedSeconds > 0 ? Double(p.done) / p.elapsedSeconds : 0
        let eta = p.remainingSeconds.map { duration($0) } ?? "--"
        let bar = progressBar(Double(p.done) / Double(max(p.total, 1)), width: 24)
        var text = "\(bar) \(p.done)/\(p.total) runs \(String(format: "%5.1f", 100 * Double(p.done) / Double(max(p.total, 1)))) %  \(String(format: "%.2f", rate)) runs/s  ETA \(eta)"
        if p.notPassing > 0 { text += "  \(p.notPassing) not passing" }
        if p.failed > 0 { text += " (\(p.failed) failed)" }
        return text
    }

    static func progressBar(_ fraction: Double, width: Int) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: min(filled, width)) + String(repeating: ".", count: max(0, width - filled)) + "]"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 90 { return "\(s) s" }
        if s < 5400 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }
}

struct SweepCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Merge the shards of a sweep (SLURM tasks) into its results and reports.",
        discussion: """
            Reads DIR/shards, checks that every run has a row, and writes results.jsonl, \
            summary.json, report.txt and report.html exactly as a local run would. When tasks \
            are missing, lists them with their SLURM state and exits 3; \
            crossloop sweep resubmit DIR runs them again.
            """
    )

    @Argument(help: ArgumentHelp("The results directory.", valueName: "dir"))
    var directory: String

    @Option(name: .customLong("min-yield"), help: ArgumentHelp("Exit 1 when the yield is below this fraction (0-1).", valueName: "Y"))
    var minYield: Double?

    func run() async throws {
        let dir = SweepDirectory(directory)
        do {
            let spec = try dir.recordedSpec(baseDirectory: dir.path)
            let executor = try SweepExecutor(spec: spec)
            let rows = try dir.mergedRows(skippingDamaged: true)
            if rows.count < spec.runCount {
                let tasks = SlurmBackend.status(directory: dir, spec: spec)
                printError("\(spec.runCount - rows.count) of \(spec.runCount) runs have no row yet")
                for task in tasks where task.state != .completed {
                    printError("  task \(task.index): \(task.state.rawValue)\(task.detail.map { ": \($0)" } ?? "")")
                }
                throw fail(.simulationFailed, "the sweep is incomplete; crossloop sweep resubmit \(dir.path) runs the failed tasks again (or rerun shards with --shard i/K --resume)")
            }
            let statistics = try dir.finish(executor)
            print(statistics.text)
            print("results: \(dir.results), report: \(dir.htmlReport)")
            if let minYield, statistics.overall.yield.fraction < minYield { throw ExitStatus.verificationFailed.code }
        } catch let error as SweepError {
            throw sweepExit(error)
        }
    }
}

struct SweepStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the state of each SLURM task (shard) of a sweep.",
        discussion: "Exit codes: 0 every task completed, 3 some pending, running, failed or timed out."
    )

    @Argument(help: ArgumentHelp("The results directory.", valueName: "dir"))
    var directory: String

    func run() async throws {
        let dir = SweepDirectory(directory)
        do {
            let spec = try dir.recordedSpec(baseDirectory: dir.path)
            let rows = try dir.mergedRows(skippingDamaged: true)
            let tasks = SlurmBackend.status(directory: dir, spec: spec)
            print("\(rows.count) of \(spec.runCount) runs done")
            for task in tasks {
                print("task \(task.index): \(task.state.rawValue), \(task.rows)/\(task.runs) runs\(task.detail.map { " (\($0))" } ?? "")")
            }
            if tasks.contains(where: { $0.state != .completed }) || rows.count < spec.runCount { throw ExitStatus.simulationFailed.code }
        } catch let error as SweepError {
            throw sweepExit(error)
        }
    }
}

struct SweepResubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubmit",
        abstract: "Submit again the SLURM tasks of a sweep that failed, timed out or never ran.",
        discussion: "Each resubmitted task resumes its shard: runs already in it are not redone. A dependent collect job follows."
    )

    @Argument(help: ArgumentHelp("The results directory.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Only these tasks (comma-separated). Default: every task not completed and not queued.", valueName: "list"))
    var tasks: String?

    @Flag(name: .customLong("no-collect"), help: "Do not submit the dependent collect job.")
    var noCollect = false

    func run() async throws {
        let dir = SweepDirectory(directory)
        do {
            let spec = try dir.recordedSpec(baseDirectory: dir.path)
            var chosen: [Int]?
            if let tasks {
                let parsed = tasks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard parsed.allSatisfy({ $0 != nil }) else { throw fail(.invalidInput, "pass --tasks as numbers separated by commas, e.g. 1,3") }
                chosen = parsed.compactMap { $0 }
            }
            let submission = try SlurmBackend.resubmit(directory: dir, spec: spec, tasks: chosen, collect: !noCollect)
            if submission.tasks.isEmpty {
                print("nothing to resubmit: every task has completed or is still queued")
            } else {
                print("resubmitted tasks \(submission.tasks.map(String.init).joined(separator: ",")) as job \(submission.arrayJob)\(submission.collectJob.map { ", collect job \($0)" } ?? "")")
            }
        } catch let error as SweepError {
            throw sweepExit(error)
        }
    }
}

struct SweepDeckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deck",
        abstract: "Write the varied deck of one run of a sweep (a worst case, say), runnable with ngspice -b.",
        discussion: """
            The run index and the sweep file are all it takes: the sample's seed derives from the \
            master seed, so the deck has exactly the variation the run had. Its comments name the \
            sample, seed and variables; the expected values it states are the nominal design's.
            """
    )

    @Argument(help: ArgumentHelp("The sweep file.", valueName: "spec"))
    var spec: String

    @Argument(help: ArgumentHelp("The run index (the run field of a row).", valueName: "run"))
    var run: Int

    @Option(help: ArgumentHelp("Write the deck here. Default: standard output.", valueName: "path"))
    var deck: String?

    func run() async throws {
        let spec = try loadSweepSpec(self.spec)
        let text: String
        do {
            let executor = try SweepExecutor(spec: spec)
            let engine: NgspiceEngine
            do { engine = try NgspiceEngine() } catch { throw fail(.simulationFailed, "\(error)") }
            let deck = try await executor.deck(for: run, engine: engine)
            do { text = try deck.text() } catch { throw fail(.invalidInput, "\(error)") }
        } catch let error as SweepError {
            throw sweepExit(error)
        }
        if let deck {
            do { try text.write(toFile: deck, atomically: true, encoding: .utf8) } catch {
                throw fail(.invalidInput, "cannot write \(deck): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
    }
}
