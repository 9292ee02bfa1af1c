import ArgumentParser
import Foundation
import Ngspice
import Sweeps
import Verification

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
        let executor = try SweepExecutor(spec: spec)
        let text = try await executor.deck(for: run, engine: try NgspiceEngine()).text()
        if let deck {
            try OutputFile.write(text, to: deck)
        } else {
            print(text, terminator: "")
        }
    }
}
