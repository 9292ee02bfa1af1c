import ArgumentParser
import Foundation
import Ngspice
import Sweeps
import Verification

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
        let spec = try dir.recordedSpec(baseDirectory: dir.path)
            var chosen: [Int]?
            if let tasks {
                let parsed = tasks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard parsed.allSatisfy({ $0 != nil }) else { throw UsageError("pass --tasks as numbers separated by commas, e.g. 1,3") }
                chosen = parsed.compactMap { $0 }
            }
            let submission = try SlurmBackend.resubmit(directory: dir, spec: spec, tasks: chosen, collect: !noCollect)
            if submission.tasks.isEmpty {
                print("nothing to resubmit: every task has completed or is still queued")
            } else {
                print("resubmitted tasks \(submission.tasks.map(String.init).joined(separator: ",")) as job \(submission.arrayJob)\(submission.collectJob.map { ", collect job \($0)" } ?? "")")
            }
    }
}
