import Reports
import Specification
import Foundation
import CircuitTheory
import Reference

/// Errors of the node solves at one recursion level.
public struct LevelStatistics: Sendable, Hashable, Codable {
    /// 0 = tile solves, up to the plan's levels = the whole matrix.
    public var level: Int
    /// Order of the blocks solved at this level (the largest, when they differ).
    public var size: Int
    /// Node solves at this level (over all right-hand sides).
    public var solves: Int
    /// The largest relative error of a node solve against LAPACK on its own input.
    public var maxRelativeError: Double
    /// The root mean square of those relative errors.
    public var rmsRelativeError: Double
    /// The largest error-model bound (relative) at this level.
    public var maxPredictedError: Double

    static func from(_ records: [BlockInversePlan.NodeRecord]) -> [LevelStatistics] {
        Dictionary(grouping: records, by: \.level).keys.sorted().map { level in
            let group = records.filter { $0.level == level }
            let errors = group.map(\.relativeError)
            return LevelStatistics(level: level, size: group.map(\.size).max() ?? 0, solves: group.count,
                                   maxRelativeError: errors.max() ?? 0,
                                   rmsRelativeError: (errors.map { $0 * $0 }.reduce(0, +) / Double(max(errors.count, 1))).squareRoot(),
                                   maxPredictedError: group.map(\.predictedError).max() ?? 0)
        }
    }
}

/// Recursive block inversion of one system A x = b on the tiled core, against LAPACK.
public struct RBIResult: Sendable {
    public var size: Int
    public var tileSize: Int
    public var levels: Int
    public var schurFormation: SchurFormation
    public var matrix: Matrix
    public var rhs: [Double]
    public var solution: [Double]
    /// x by LAPACK (dgesv).
    public var reference: [Double]
    /// |x - x_LAPACK| / |x_LAPACK|.
    public var relativeError: Double
    /// The error model's bound on that (first order; see ``BlockInversePlan``).
    public var predictedError: Double
    /// The condition number of A.
    public var conditionNumber: Double
    public var levelStatistics: [LevelStatistics]
    public var schurRecords: [BlockInversePlan.SchurRecord]
    /// Counts while forming the Schur complements.
    public var setupCounts: OperationCounts
    /// Counts of the solve itself.
    public var solveCounts: OperationCounts
    /// 3^levels (for tile * 2^levels): the INVs one solve should take.
    public var expectedINVPerSolve: Int
    /// Wall-clock seconds of setup and solve.
    public var setupSeconds: Double
    public var solveSeconds: Double

    /// The accuracy target: the measured error within the error model's bound.
    public var withinBound: Bool { relativeError <= predictedError }
    public var equivalentBits: Double { -log2(relativeError) }
}

public enum RBIWorkload {
    /// Prepares A on `core` (phase "setup"), solves A x = b (phase "solve") and compares with LAPACK.
    /// - Parameters:
    ///   - a: the system's matrix, of any size (tiled onto the core's arrays).
    ///   - b: the right-hand side.
    ///   - core: the analogue core that runs the primitives.
    ///   - schur: how the Schur complements are formed.
    ///   - label: prefixes the solve's primitive labels (`rbi A.11`).
    public static func run(matrix a: Matrix, rhs b: [Double], core: AnalogueCore,
                           schur: SchurFormation, label: String = "rbi") async throws(WorkloadError) -> RBIResult
    {
        guard b.count == a.rows else {
            throw .invalidParameter(name: "rhs", value: "\(b.count) entries", requirement: "\(a.rows) entries to match A")
        }
        core.beginPhase("setup")
        let setupStart = DispatchTime.now()
        let plan = try await BlockInversePlan.prepare(a, core: core, schur: schur)
        let setupSeconds = elapsed(since: setupStart)
        core.beginPhase("solve")
        let solveStart = DispatchTime.now()
        let (solved, nodes) = try await plan.solve([b], core: core, label: label)
        let solveSeconds = elapsed(since: solveStart)
        let (reference, kappa) = try lapackReference(a, b)
        let x = solved[0]
        let norm = reference.norm2
        return RBIResult(
            size: a.rows, tileSize: plan.tileSize, levels: plan.levels, schurFormation: schur, matrix: a, rhs: b,
            solution: x.x, reference: reference, relativeError: x.x.minus(reference).norm2 / norm,
            predictedError: x.bound / norm, conditionNumber: kappa, levelStatistics: LevelStatistics.from(nodes),
            schurRecords: plan.schurRecords, setupCounts: core.counts(phase: "setup"), solveCounts: core.counts(phase: "solve"),
            expectedINVPerSolve: plan.invPerSolve, setupSeconds: setupSeconds, solveSeconds: solveSeconds)
    }
}

/// A x = b and kappa_2(A) by LAPACK: the reference a workload's answer is judged against
/// (not counted: it is not part of the algorithm).
func lapackReference(_ a: Matrix, _ b: [Double]) throws(WorkloadError) -> (solution: [Double], conditionNumber: Double) {
    do {
        return (try a.solve(b), try a.conditionNumber())
    } catch { throw .digital(label: "LAPACK reference", error: error) }
}

func elapsed(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
