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
            this machine (not on SLURM). The README, "A verification plan", has an example.

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

    func run() async throws {
        try OutputFile.check(junit, json, report)
        let plan = try VerificationPlan.load(tree: try YAMLSpec.tree(path: self.plan), path: self.plan)
        let engine = try NgspiceEngine()
        let count = plan.cases.count
        FileHandle.standardError.write(Data("check \(plan.name): \(count) case\(count == 1 ? "" : "s")\n".utf8))
        let results = await plan.run(engine: engine) { index, result in
            let line = "[\(index + 1)/\(count)] \(result.name): \(result.status.uppercased())"
                + (result.passed ? "" : " (\(result.reason))") + String(format: ", %.1f s\n", result.seconds)
            FileHandle.standardError.write(Data(line.utf8))
        }
        let passed = results.filter(\.passed).count
        print("\(plan.name): \(passed) of \(count) cases meet their targets: \(passed == count ? "PASS" : "FAIL")")
        for result in results where !result.passed { print("  \(result.name): \(result.status): \(result.reason)") }
        if let junit { try OutputFile.write(PlanReport.junit(plan, results), to: junit) }
        if let json { try OutputFile.write(PlanReport.json(plan, results, crossloopVersion: CrossloopVersion.string).text(), to: json) }
        if let report {
            let byline = "crossloop \(CrossloopVersion.string): " + DeckFile.generatedBy(CommandLine.arguments)
            try OutputFile.write(PlanReport.html(plan, results, byline: byline), to: report)
        }
        if passed < count { throw VerificationFailure() }
    }
}
