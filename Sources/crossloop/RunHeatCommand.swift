import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Workloads

struct RunHeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heat",
        abstract: "Integrate the heat equation by implicit Euler steps, each an analogue solve.",
        discussion: """
            (I + r L) u_(k+1) = u_k on the unit interval (--dim 1, --size points) or square \
            (--dim 2, --size points per side), zero boundaries; tiled by recursive block \
            inversion when the system is larger than one array, the step matrix prepared once. \
            Compared step by step with the same integration in double. Default cells: 8 bits.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Interior points (per side in 2-D).", valueName: "N"))
    var size: Int = 128

    @Option(help: ArgumentHelp("Dimensions, 1 or 2.", valueName: "d"))
    var dim: Int = 1

    @Option(help: ArgumentHelp("Time steps.", valueName: "N"))
    var steps: Int = 20

    @Option(help: ArgumentHelp("r = alpha dt / h^2. Default 0.5.", valueName: "r"))
    var r: Double = 0.5

    @Option(help: ArgumentHelp("Schur complements: analogue or digital.", valueName: "how"))
    var schur: String = "analogue"

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 8)

    func validate() throws {
        _ = try RunOptions.schurFormation(schur)
        try validateGrid(size: size, dimensions: dim)
        guard (1...10_000).contains(steps) else { throw ValidationError("Pass --steps between 1 and 10000.") }
        guard r > 0, r.isFinite else { throw ValidationError("Pass --r as a positive number.") }
    }

    func run() async throws {
        let formation = try RunOptions.schurFormation(schur)
        let (core, progress) = try options.core(Self.defaults, label: "heat")
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await PDEWorkload.heat(dimensions: dim, points: size, r: r, steps: steps, core: core, schur: formation)
        }
        try options.finish(await WorkloadReport.heat(result, core: core))
    }
}
