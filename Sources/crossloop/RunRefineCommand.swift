import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import CircuitTheory
import Reference
import Workloads

struct RunRefineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refine",
        abstract: "Mixed-precision iterative refinement: residuals in double, corrections by the analogue INV.",
        discussion: """
            x_1 is one analogue solve; then r = b - A x in double and x += INV(A, r) until x is \
            --target-bits equivalent bits from LAPACK's answer (or stops improving). Without \
            --matrix, A = I + 0.5 R / sqrt(n) (seeded, non-symmetric, well conditioned). \
            Default cells: 4 bits, so that one solve is coarse.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Order of the seeded system (without --matrix), up to one tile.", valueName: "N"))
    var size: Int = 16

    @Option(help: ArgumentHelp("The matrix A, Matrix Market or CSV.", valueName: "path"))
    var matrix: String?

    @Option(help: ArgumentHelp("The vector b (with --matrix). Default: all ones.", valueName: "path"))
    var rhs: String?

    @Option(name: .customLong("target-bits"), help: ArgumentHelp("Stop at this many equivalent bits.", valueName: "B"))
    var targetBits: Double = 20

    @Option(name: .customLong("max-iterations"), help: ArgumentHelp("At most this many analogue solves.", valueName: "N"))
    var maxIterations: Int = 30

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 4)

    func validate() throws {
        guard size >= 2, size <= options.tile else { throw ValidationError("Pass --size between 2 and the tile size (\(options.tile)).") }
        guard targetBits > 0, targetBits <= 52 else { throw ValidationError("Pass --target-bits between 0 and 52.") }
        guard (1...200).contains(maxIterations) else { throw ValidationError("Pass --max-iterations between 1 and 200.") }
    }

    func run() async throws {
        let a: Matrix, b: [Double], description: String
        if let (m, v) = try RunOptions.readSystem(matrix: matrix, rhs: rhs) {
            a = m
            b = v ?? Array(repeating: 1, count: m.rows)
            description = matrix ?? ""
        } else {
            a = Matrix.wellConditioned(size, seed: options.seed)
            b = WorkloadMatrices.vector(size, seed: options.seed + 1)
            description = "seeded I + 0.5 R / sqrt(n) (seed \(options.seed)), b normal (seed \(options.seed + 1))"
        }
        let (core, progress) = try options.core(Self.defaults, label: "refine")
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await IterativeRefinement.run(matrix: a, rhs: b, core: core, targetBits: targetBits, maxIterations: maxIterations)
        }
        try options.finish(await WorkloadReport.refinement(result, core: core, matrixDescription: description))
    }
}
