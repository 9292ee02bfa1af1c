import ArgumentParser
import Foundation
import Ngspice
import Specification
import Verification

struct SolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Build the closed-loop circuit of a matrix problem, simulate it and verify its answer.",
        discussion: """
            Maps the problem onto the crossbar (quantised cells, G_in, converters), predicts \
            stability, settling and the error budget, refuses a loop predicted unstable (exit 4; \
            --force simulates it anyway), generates the netlist, simulates it in process with \
            libngspice and compares the answer with the ideal, quantised and finite-gain \
            references. Without --rhs the vector is all ones.

            Exit codes: 0 pass, 1 verification failed, 2 invalid input, 3 simulation failed, \
            4 unstable circuit refused.

            \(KnobArguments.help(KnobArguments.solveKnobs))
            """
    )

    @OptionGroup var problem: ProblemOptions

    @Option(help: ArgumentHelp("Write the verdict as JSON.", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML, one test case per check.", valueName: "path"))
    var junit: String?

    @Option(help: ArgumentHelp("Also write the simulated deck.", valueName: "path"))
    var deck: String?

    @Option(help: ArgumentHelp("Write a page on its own (no network): the verdict, the output waveforms with the predicted settling, the energy by block, every check and parameter.", valueName: "path.html"))
    var report: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The design and analysis options below.", valueName: "options"))
    var knobs: [String] = []


    func run() async throws {
        var (operation, spec) = try problem.specification(knobs, knobs: KnobArguments.solveKnobs)
        try OutputFile.check(json, junit, deck, report)
        if report != nil { spec.plan.keepWaveforms = true }
        let problem = try problem.problem(operation)
        let engine = try NgspiceEngine(configuration: .wholeMachine)
        if let deck {
            // The deck simulated: built from the blocks as measured (the solve reuses the measurement).
            let measured = try await Verifier.withMeasuredBlocks(spec, engine: engine)
            let prepared = try Verifier.prepare(problem, measured)
            try DeckFile.write(prepared, spec: measured, commandLine: CommandLine.arguments, to: deck)
        }
        let progress = ProgressLine(label: "simulating")
        let verdict: Verdict
        do {
            verdict = try await Verifier.solve(problem, spec, engine: engine) { progress.update($0) }
            progress.finish()
        } catch {
            progress.finish()
            throw error
        }
        print(Knob.spelled(VerdictReport.summary(verdict), as: .flag))
        if let json { try OutputFile.write(VerdictReport.json(verdict, crossloopVersion: CrossloopVersion.string).text(), to: json) }
        if let junit {
            let name = "crossloop solve \(operation.rawValue) \(self.problem.matrix)"
            try OutputFile.write(VerdictReport.junit(verdict, suiteName: name), to: junit)
        }
        if let report {
            let byline = "crossloop \(CrossloopVersion.string): " + DeckFile.generatedBy(CommandLine.arguments)
            try OutputFile.write(VerdictReport.html(verdict, byline: byline), to: report)
        }
        if !verdict.passed { throw VerificationFailure() }
    }
}

/// A generated deck on disk, runnable with plain `ngspice -b`: it prints its outputs.
enum DeckFile {
    static func write(_ prepared: Verifier.Prepared, spec: SolveSpecification, commandLine: [String], to path: String) throws {
        let deck = Verifier.standalone(prepared, generatedBy: generatedBy(commandLine), options: spec)
        try OutputFile.write(try deck.text(), to: path)
    }

    /// The command that made the deck, with the binary's name only (no machine paths).
    static func generatedBy(_ arguments: [String]) -> String {
        (["crossloop"] + arguments.dropFirst()).joined(separator: " ")
    }
}
