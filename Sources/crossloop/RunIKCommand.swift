import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Workloads

struct RunIKCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ik",
        abstract: "Inverse kinematics of a planar n-link arm by damped least squares on the analogue INV.",
        discussion: """
            Equal links with a total reach of 1 m reach a sequence of targets; each iteration's \
            (J J^T + lambda^2 I)^-1 e is a simulated INV. Targets outside the arm's reach are \
            reported as unreachable (with how close the arm came), not as a failure to converge. \
            Default cells: 8 bits.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Links.", valueName: "N"))
    var links: Int = 3

    @Option(help: ArgumentHelp("Targets 'x,y;x,y;...' in metres. Default 0.6,0.3;-0.2,0.7;0.4,-0.5;1.3,0.4 (the last out of reach).", valueName: "list"))
    var targets: String = "0.6,0.3;-0.2,0.7;0.4,-0.5;1.3,0.4"

    @Option(help: ArgumentHelp("Damping lambda, m. Default 0.05.", valueName: "m"))
    var damping: Double = 0.05

    @Option(help: ArgumentHelp("Converged below this end-effector error, m.", valueName: "m"))
    var tolerance: Double = 1e-4

    @Option(name: .customLong("max-iterations"), help: ArgumentHelp("Iterations per target.", valueName: "N"))
    var maxIterations: Int = 100

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 8)

    func parsedTargets() throws -> [[Double]] {
        let points = targets.split(separator: ";").map { $0.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) } }
        guard !points.isEmpty, points.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0?.isFinite == true } }) else {
            throw ValidationError("Pass --targets as 'x,y;x,y' in metres, e.g. 0.6,0.3;-0.2,0.7.")
        }
        return points.map { $0.map { $0! } }
    }

    func validate() throws {
        guard (2...32).contains(links) else { throw ValidationError("Pass --links between 2 and 32.") }
        _ = try parsedTargets()
        guard damping > 0, tolerance > 0 else { throw ValidationError("Pass --damping and --tolerance as positive numbers of metres.") }
        guard (1...10_000).contains(maxIterations) else { throw ValidationError("Pass --max-iterations between 1 and 10000.") }
    }

    func run() async throws {
        let points = try parsedTargets()
        let (core, progress) = try options.core(Self.defaults, label: "ik")
        let parameters = IKParameters(damping: damping, tolerance: tolerance, maxIterations: maxIterations)
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await InverseKinematics.run(arm: PlanarArm(links: links), targets: points, parameters: parameters, core: core)
        }
        try options.finish(await WorkloadReport.inverseKinematics(result, core: core))
    }
}
