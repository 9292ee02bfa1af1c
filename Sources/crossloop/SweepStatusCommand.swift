import ArgumentParser
import Foundation
import Ngspice
import Sweeps
import Verification

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
        let spec = try dir.recordedSpec(baseDirectory: dir.path)
            let rows = try dir.mergedRows(skippingDamaged: true)
            let tasks = SlurmBackend.status(directory: dir, spec: spec)
            print("\(rows.count) of \(spec.runCount) runs done")
            for task in tasks {
                print("task \(task.index): \(task.state.rawValue), \(task.rows)/\(task.runs) runs\(task.detail.map { " (\($0))" } ?? "")")
            }
            if tasks.contains(where: { $0.state != .completed }) || rows.count < spec.runCount { throw ExitStatus.simulationFailed.code }
    }
}
