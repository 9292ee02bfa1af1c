import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser

/// `crossloop run WORKLOAD`: algorithms built on the analogue primitives, every primitive a
/// simulated circuit.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workload on the tiled analogue core, every primitive a simulated circuit.",
        discussion: """
            The core models a chip of --arrays arrays of --tile x --tile cells (default two 64x64) \
            executing INV, MVM and EIG primitives; each primitive is mapped, generated and \
            simulated in process with libngspice at the chosen fidelity, and the digital glue \
            between primitives (ADC codes in, DAC codes out, double-precision arithmetic) is \
            explicit and counted. Every workload compares its answer with double precision, \
            prints every parameter it used and can write an HTML report (--report, inline SVG) \
            and JSON (--json).

            Exit codes: 0 accuracy target met, 1 target missed, 2 invalid input, 3 simulation \
            failed, 4 a primitive's loop was predicted unstable and refused.

            \(RunOptions.knobHelp)
            """,
        subcommands: [
            RunRBICommand.self,
            RunRefineCommand.self,
            RunKalmanCommand.self,
            RunIKCommand.self,
            RunHeatCommand.self,
            RunPoissonCommand.self,
            RunPageRankCommand.self,
        ]
    )
}

import Workloads

extension RunOptions {
    /// --schur analogue|digital.
    static func schurFormation(_ text: String) throws -> SchurFormation {
        guard let value = SchurFormation(rawValue: text.lowercased()) else {
            throw ValidationError("Unknown Schur formation '\(text)': pass --schur analogue or digital.")
        }
        return value
    }
}
