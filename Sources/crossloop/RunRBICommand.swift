import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import CircuitTheory
import Reference
import Workloads

struct RunRBICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rbi",
        abstract: "Solve A x = b larger than one array by recursive block inversion on tiles.",
        discussion: """
            Splits A = [[A11, A12], [A21, A22]] until every block fits a tile, forms the Schur \
            complements (--schur analogue: one INV per column of A12 on the circuit; digital: \
            LU in double, counted), then solves with 3 INV + 2 MVM per split (3^levels tile \
            INVs). Compares with LAPACK and with the error model's bound, level by level. \
            Without --matrix, A is a seeded SPD matrix R R^T / n + I and b a seeded normal vector. \
            Default cells: 8 bits.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Order of the seeded SPD system (without --matrix).", valueName: "N"))
    var size: Int = 128

    @Option(help: ArgumentHelp("The matrix A, Matrix Market or CSV (instead of the seeded one).", valueName: "path"))
    var matrix: String?

    @Option(help: ArgumentHelp("The vector b (with --matrix). Default: all ones.", valueName: "path"))
    var rhs: String?

    @Option(help: ArgumentHelp("How Schur complements are formed: analogue or digital.", valueName: "how"))
    var schur: String = "analogue"

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 8)

    func validate() throws {
        _ = try RunOptions.schurFormation(schur)
        guard (2...1024).contains(size) else { throw ValidationError("Pass --size between 2 and 1024.") }
    }

    func run() async throws {
        let a: Matrix, b: [Double], description: String
        if let (m, v) = try RunOptions.readSystem(matrix: matrix, rhs: rhs) {
            a = m
            b = v ?? Array(repeating: 1, count: m.rows)
            description = "\(matrix ?? "")\(rhs.map { " with b from \($0)" } ?? ", b all ones")"
        } else {
            a = WorkloadMatrices.spd(size, seed: options.seed)
            b = WorkloadMatrices.vector(size, seed: options.seed + 1)
            description = "seeded SPD R R^T / n + I (seed \(options.seed)), b normal (seed \(options.seed + 1))"
        }
        let formation = try RunOptions.schurFormation(schur)
        let (core, progress) = try options.core(Self.defaults, label: "rbi")
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await RBIWorkload.run(matrix: a, rhs: b, core: core, schur: formation)
        }
        try options.finish(await WorkloadReport.rbi(result, core: core, matrixDescription: description))
    }
}
