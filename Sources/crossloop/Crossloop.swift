import ArgumentParser

@main
struct Crossloop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossloop",
        abstract: "Generate, simulate and verify closed-loop analogue in-memory-computing circuits.",
        discussion: """
            Crossloop maps a linear-algebra problem onto a crossbar of conductances in the \
            feedback loop of op-amps, writes the SPICE netlist, simulates it in process with \
            libngspice and checks the answer against a LAPACK reference and the circuit theory.
            """,
        version: CrossloopVersion.string,
        subcommands: [
            VersionCommand.self,
            SimulateCommand.self,
            AnalyzeCommand.self,
        ]
    )
}
