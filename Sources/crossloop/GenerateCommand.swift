import ArgumentParser
import Foundation
import Verification

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write the circuit's SPICE deck without simulating it.",
        discussion: """
            Takes the same problem and design flags as solve and writes the deck that solve \
            would simulate, with lines that print its outputs, so `ngspice -b DECK` runs it \
            unchanged. Writes to standard output without --deck. An unstable mapping is still \
            written (with a warning on standard error).
            """
    )

    @OptionGroup var design: DesignOptions

    @Option(help: ArgumentHelp("Write the deck here instead of standard output.", valueName: "path"))
    var deck: String?

    func validate() throws { _ = try design.validated() }

    func run() async throws {
        let (operation, options) = try design.validated()
        let problem = try design.problem(operation)
        let prepared: Verifier.Prepared
        do {
            prepared = try Verifier.prepare(problem, options)
        } catch {
            throw fail(ExitStatus(error), error.description)
        }
        if !prepared.prediction.isStable { printError("warning: \(prepared.prediction.refusal)") }
        let text: String
        do {
            text = try Verifier.standalone(prepared, generatedBy: DeckFile.generatedBy(CommandLine.arguments), options: options).text()
        } catch {
            throw fail(.invalidInput, "\(error)")
        }
        if let deck {
            do {
                try text.write(to: URL(fileURLWithPath: deck), atomically: true, encoding: .utf8)
            } catch {
                throw fail(.invalidInput, "cannot write \(deck): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
    }
}
