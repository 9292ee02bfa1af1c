import Specification
import ArgumentParser
import Foundation
import Ngspice
import Verification

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write the circuit's SPICE deck without simulating it.",
        discussion: """
            Takes the same problem and design options as solve and writes the deck that solve \
            would simulate, with lines that print its outputs, so `ngspice -b DECK` runs it \
            unchanged. Writes to standard output without --deck. An unstable mapping is still \
            written (with a warning on standard error).

            \(KnobArguments.help(KnobArguments.solveKnobs))
            """
    )

    @OptionGroup var problem: ProblemOptions

    @Option(help: ArgumentHelp("Write the deck here instead of standard output.", valueName: "path"))
    var deck: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The design and analysis options below.", valueName: "options"))
    var knobs: [String] = []


    func run() async throws {
        var (operation, spec) = try problem.specification(knobs, knobs: KnobArguments.solveKnobs)
        try OutputFile.check(deck)
        // Your own blocks have no sizing prediction: the deck is built from what they measure.
        if spec.design.transistor?.hasUserBlocks == true { spec = try await Verifier.withMeasuredBlocks(spec, engine: try NgspiceEngine()) }
        let prepared = try Verifier.prepare(try problem.problem(operation), spec)
        if !prepared.prediction.isStable { printError("warning: \(Knob.spelled(prepared.prediction.refusal, as: .flag))") }
        if let deck {
            try DeckFile.write(prepared, spec: spec, commandLine: CommandLine.arguments, to: deck)
        } else {
            print(try Verifier.standalone(prepared, generatedBy: DeckFile.generatedBy(CommandLine.arguments), options: spec).text(),
                  terminator: "")
        }
    }
}
