import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Workloads

struct RunPoissonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poisson",
        abstract: "Solve the 1-D or 2-D Poisson equation on the analogue core.",
        discussion: """
            -laplace(u) = f with u = prod sin(pi x_i) exact, zero boundaries, --size interior \
            points (per side in 2-D); one array when it fits, recursive block inversion \
            otherwise. Compared with LAPACK on the discrete system. Default cells: 8 bits.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Interior points (per side in 2-D).", valueName: "N"))
    var size: Int = 64

    @Option(help: ArgumentHelp("Dimensions, 1 or 2.", valueName: "d"))
    var dim: Int = 1

    @Option(help: ArgumentHelp("Schur complements: analogue or digital.", valueName: "how"))
    var schur: String = "analogue"

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 8)

    func validate() throws {
        _ = try RunOptions.schurFormation(schur)
        try validateGrid(size: size, dimensions: dim)
    }

    func run() async throws {
        let formation = try RunOptions.schurFormation(schur)
        let (core, progress) = try options.core(Self.defaults, label: "poisson")
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await PDEWorkload.poisson(dimensions: dim, points: size, core: core, schur: formation)
        }
        try options.finish(await WorkloadReport.poisson(result, core: core))
    }
}

/// The grids both PDE workloads accept: a line of up to 1024 interior points or a square of
/// up to 32 per side: 1024 unknowns at most either way.

/// The grid options of the PDE workloads (heat and Poisson), checked alike.
func validateGrid(size: Int, dimensions: Int) throws {
    guard dimensions == 1 || dimensions == 2 else { throw ValidationError("Pass --dim 1 or 2.") }
    let largest = dimensions == 1 ? 1024 : 32
    guard (2...largest).contains(size) else {
        throw ValidationError("Pass --size between 2 and \(largest) points\(dimensions == 2 ? " per side" : "").")
    }
}
