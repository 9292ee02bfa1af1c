import ArgumentParser
import Foundation
import Ngspice
import Sweeps
import Verification

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
        let spec = try dir.recordedSpec(baseDirectory: dir.path)
            let executor = try SweepExecutor(spec: spec)
            let rows = try dir.mergedRows(skippingDamaged: true)
            if rows.count < spec.runCount {
                let tasks = SlurmBackend.status(directory: dir, spec: spec)
                printError("\(spec.runCount - rows.count) of \(spec.runCount) runs have no row yet")
                for task in tasks where task.state != .completed {
                    printError("  task \(task.index): \(task.state.rawValue)\(task.detail.map { ": \($0)" } ?? "")")
                }
                throw SimulationFailure("the sweep is incomplete; crossloop sweep resubmit \(dir.path) runs the failed tasks again (or rerun shards with --shard i/K --resume)")
            }
            try SweepVerdict.report(try dir.finish(executor), directory: dir, minYield: minYield)
    }
}
