import ArgumentParser
import Foundation
import Ngspice
import Sweeps
import Verification

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

    @OptionGroup var placement: SlurmOptions

    @Option(name: .customLong("array-size"), help: ArgumentHelp("SLURM array tasks (shards). Default 4.", valueName: "K"))
    var arraySize: Int = 4

    @Flag(name: .customLong("no-collect"), help: "With --slurm: do not submit the dependent collect job.")
    var noCollect = false

    @Option(name: .customLong("min-yield"), help: ArgumentHelp("Exit 1 when the yield is below this fraction (0-1).", valueName: "Y"))
    var minYield: Double?

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("Pass --jobs between 1 and 256.") }
        if !(1...10_000).contains(arraySize) { throw ValidationError("Pass --array-size between 1 and 10000.") }
        if let minYield, !(0...1).contains(minYield) { throw ValidationError("Pass --min-yield between 0 and 1.") }
        if slurm && shard != nil { throw ValidationError("--shard is what each SLURM task runs; drop it with --slurm.") }
        if !slurm && (placement.isGiven || noCollect) {
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
            let submission = try SlurmBackend.submit(spec: spec, specPath: URL(fileURLWithPath: self.spec).standardizedFileURL.path,
                                                         directory: directory, arraySize: arraySize, partition: placement.partition,
                                                         timeLimit: placement.timeLimit, binary: SlurmBackend.currentBinary(),
                                                         collect: !noCollect)
                print("submitted \(spec.runCount) runs as SLURM job array \(submission.arrayJob) (\(submission.tasks.count) tasks)\(submission.collectJob.map { ", collect job \($0)" } ?? "")")
                print("results: \(directory.path); check with: crossloop sweep status \(directory.path)")
            return
        }
        let shard = try self.shard.map { text throws(SweepError) in try Shard(parsing: text) }
        let executor = try SweepExecutor(spec: spec)
        let size = jobs ?? EnginePool.defaultSize
        let pool: EnginePool
        do { pool = try EnginePool(size: size) } catch { throw SimulationFailure("cannot start \(size) engines: \(error)") }
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
            throw error
        }
        let part = shard.map { "shard \($0)" } ?? "sweep"
        printError("\(part): \(outcome.ran) runs in \(String(format: "%.2f", outcome.seconds)) s on \(size) engines\(outcome.skipped > 0 ? ", \(outcome.skipped) already done" : "")")
        guard shard == nil else {
            if !outcome.complete { throw SimulationFailure("shard \(shard!) is incomplete; rerun it with --resume") }
            return
        }
        guard outcome.complete else { throw SimulationFailure("the sweep is incomplete; rerun with --resume") }
        try SweepVerdict.report(try directory.finish(executor), directory: directory, minYield: minYield)
    }
}
