import ArgumentParser
import Foundation
import Ngspice
import Sweeps

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a verification plan: every case solved and verified, one JUnit file for CI.",
        discussion: """
            PLAN (YAML or JSON) lists cases: a problem as in sweep files, design knobs (your \
            own blocks: opamp FILE:SUBCKT, technology FILE:SECTION), corners and targets \
            (target-bits, max-penalty-bits). Every case is resolved before any runs, so a \
            missing block or pin fails at once (exit 2). The cases run one after another on \
            this machine, or with --slurm as a SLURM job array, one task per case (each runs \
            `crossloop check PLAN --case K --out DIR` and leaves its result in DIR/cases/K.json); \
            the command waits for the array and reports as a local run does. The README, "A \
            verification plan", has an example.

            Exit codes: 0 every case meets its targets, 1 a case failed a check or was refused \
            as unstable or could not be simulated, 2 the plan is invalid.
            """
    )

    @Argument(help: ArgumentHelp("The plan file (YAML or JSON).", valueName: "plan"))
    var plan: String

    @Option(help: ArgumentHelp("Write JUnit XML: a testsuite per case, a testcase per check.", valueName: "path"))
    var junit: String?

    @Option(help: ArgumentHelp("Write the results as JSON.", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp("Write a page on its own: every case and check.", valueName: "path.html"))
    var report: String?

    @Flag(help: "Run the cases as a SLURM job array, one task per case, wait for it and report (needs --out).")
    var slurm = false

    @Option(help: ArgumentHelp("With --slurm or --case: the folder for the cases' results, the batch script and the task logs (on storage the cluster's nodes share).", valueName: "dir"))
    var out: String?

    @OptionGroup var placement: SlurmOptions

    @Option(name: .customLong("case"), help: ArgumentHelp("Run case K alone (0-based, in the order of the plan, corners expanded) and write its result to DIR/cases/K.json: what each SLURM task runs.", valueName: "K"))
    var caseIndex: Int?

    @Flag(help: "Run nothing: report from the results the SLURM tasks left in DIR/cases (after the waiting command was interrupted).")
    var collect = false

    func validate() throws {
        if (slurm || caseIndex != nil || collect) && out == nil {
            throw ValidationError("--slurm, --case and --collect need --out DIR for the cases' results.")
        }
        if [slurm, caseIndex != nil, collect].filter({ $0 }).count > 1 {
            throw ValidationError("--slurm runs every case on the cluster, --case one case here, --collect none: give one of them.")
        }
        if !slurm && placement.isGiven { throw ValidationError("--partition and --time apply to --slurm only.") }
        if caseIndex != nil && (junit != nil || json != nil || report != nil) {
            throw ValidationError("--case writes its result to DIR/cases/K.json; the reports come from the run of the whole plan.")
        }
    }

    func run() async throws {
        try OutputFile.check(junit, json, report)
        let plan = try VerificationPlan.load(tree: try YAMLSpec.tree(path: self.plan), path: self.plan)
        let count = plan.cases.count
        if let caseIndex, let out {
            guard plan.cases.indices.contains(caseIndex) else {
                throw ValidationError("--case \(caseIndex): the plan has cases 0...\(count - 1)")
            }
            let result = await plan.run(case: caseIndex, engine: try NgspiceEngine(configuration: .wholeMachine))
            try PlanSlurm.save(PlanCaseRecord(result, plan: plan.name), directory: out, index: caseIndex)
            print("\(plan.name): case \(caseIndex) \(result.name): \(result.status.uppercased())")
            return
        }
        FileHandle.standardError.write(Data("check \(plan.name): \(count) case\(count == 1 ? "" : "s")\n".utf8))
        @Sendable func progress(_ index: Int, _ record: PlanCaseRecord) {
            let line = "[\(index + 1)/\(count)] \(record.name): \(record.status.uppercased())"
                + (record.passed ? "" : " (\(record.reason))") + String(format: ", %.1f s\n", record.seconds)
            FileHandle.standardError.write(Data(line.utf8))
        }
        let records: [PlanCaseRecord]
        if slurm, let out {
            records = try await runOnSlurm(plan, directory: out, progress: progress)
        } else if collect, let out {
            records = try PlanSlurm.collect(plan, directory: out)
        } else {
            let engine = try NgspiceEngine(configuration: .wholeMachine)
            records = await plan.run(engine: engine) { index, result in progress(index, PlanCaseRecord(result, plan: plan.name)) }
                .map { PlanCaseRecord($0, plan: plan.name) }
        }
        let passed = records.filter(\.passed).count
        print("\(plan.name): \(passed) of \(count) cases meet their targets: \(passed == count ? "PASS" : "FAIL")")
        for record in records where !record.passed { print("  \(record.name): \(record.status): \(record.reason)") }
        if let junit { try OutputFile.write(PlanReport.junit(records), to: junit) }
        if let json { try OutputFile.write(PlanReport.json(plan, records, crossloopVersion: CrossloopVersion.string).text(), to: json) }
        if let report {
            let byline = "crossloop \(CrossloopVersion.string): " + DeckFile.generatedBy(CommandLine.arguments)
            try OutputFile.write(PlanReport.html(plan, records, byline: byline), to: report)
        }
        if passed < count { throw VerificationFailure() }
    }

    /// Submits the array, reports each case as its record appears, and collects them all once
    /// no task is queued.
    func runOnSlurm(_ plan: VerificationPlan, directory: String, progress: (Int, PlanCaseRecord) -> Void) async throws -> [PlanCaseRecord] {
        let job = try PlanSlurm.submit(plan, planPath: self.plan, directory: directory, partition: placement.partition, timeLimit: placement.timeLimit,
                                       binary: SlurmBackend.currentBinary())
        FileHandle.standardError.write(Data("submitted job array \(job): \(plan.cases.count) tasks, results in \(directory)/cases\n".utf8))
        var reported = Set<Int>()
        func reportNew() throws {
            for index in plan.cases.indices where !reported.contains(index) {
                if let record = try PlanSlurm.record(directory: directory, index: index) {
                    reported.insert(index)
                    progress(index, record)
                }
            }
        }
        while PlanSlurm.queued(job) {
            try reportNew()
            try await Task.sleep(nanoseconds: 1_000_000_000)
        }
        try reportNew()
        return try PlanSlurm.collect(plan, directory: directory)
    }
}
