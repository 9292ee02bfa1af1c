import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// Finite-difference matrices of the model PDEs on the unit interval or square with zero
/// Dirichlet boundaries (the Theory article, "Model problems").
public enum PDEMatrices {
    /// tridiag(-1, 2, -1), n interior points: -u'' h^2.
    public static func poisson1D(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in i == j ? 2 : abs(i - j) == 1 ? -1 : 0 }
    }

    /// The 5-point Laplacian on an m x m interior grid (n = m^2, row-major): 4 on the
    /// diagonal, -1 for each of the four neighbours inside the grid.
    public static func poisson2D(_ m: Int) -> Matrix {
        Matrix(rows: m * m, columns: m * m) { p, q in
            let (i, j) = (p / m, p % m), (k, l) = (q / m, q % m)
            if p == q { return 4 }
            return abs(i - k) + abs(j - l) == 1 ? -1 : 0
        }
    }

    /// One implicit Euler step of u_t = alpha laplace(u): I + r L, r = alpha dt / h^2, with L
    /// the 1-D or 2-D matrix above.
    public static func heatStep(dimensions: Int, points m: Int, r: Double) -> Matrix {
        let l = dimensions == 1 ? poisson1D(m) : poisson2D(m)
        return Matrix.identity(l.rows) + r * l
    }

    /// Interior grid coordinates: m points at h, 2h, ..., m h with h = 1 / (m + 1); in 2-D
    /// row-major (x varies fastest).
    public static func grid(dimensions: Int, points m: Int) -> [[Double]] {
        let h = 1 / Double(m + 1)
        if dimensions == 1 { return (1...m).map { [Double($0) * h] } }
        return (0..<(m * m)).map { p in [Double(p % m + 1) * h, Double(p / m + 1) * h] }
    }
}

/// Poisson -laplace(u) = f with f chosen so that u = prod sin(pi x_i) exactly: the
/// discrete system A u = h^2 f solved once on the tiled core (recursive block inversion when
/// it is larger than one array).
public struct PoissonResult: Sendable {
    public var dimensions: Int
    public var points: Int
    public var size: Int
    public var solution: [Double]
    /// The discrete system's solution by LAPACK.
    public var reference: [Double]
    /// The continuous solution at the grid points (for the discretisation error).
    public var continuous: [Double]
    public var relativeError: Double
    public var predictedError: Double
    public var discretisationError: Double
    public var conditionNumber: Double
    public var levels: Int
    public var levelStatistics: [LevelStatistics]
    public var setupCounts: OperationCounts
    public var solveCounts: OperationCounts
    public var withinBound: Bool { relativeError <= predictedError }
}

/// The heat equation integrated by implicit Euler steps, each step an analogue solve.
public struct HeatResult: Sendable {
    public var dimensions: Int
    public var points: Int
    public var size: Int
    public var r: Double
    public var steps: Int
    /// u after each step (index 0: the initial condition), analogue and double.
    public var analogue: [[Double]]
    public var double: [[Double]]
    /// |u_k - u_k,double| / |u_k,double| per step (k >= 1).
    public var relativeErrors: [Double]
    /// The error model: e_k <= |M^-1| e_(k-1) + beta_k, relative to |u_k,double|.
    public var predictedErrors: [Double]
    public var levels: Int
    public var setupCounts: OperationCounts
    public var solveCounts: OperationCounts
    public var withinBound: Bool { zip(relativeErrors, predictedErrors).allSatisfy { $0 <= $1 } }
}

public enum PDEWorkload {
    static func check(dimensions: Int, points: Int) throws(WorkloadError) {
        guard dimensions == 1 || dimensions == 2 else {
            throw .invalidParameter(name: "dimensions", value: "\(dimensions)", requirement: "1 or 2")
        }
        guard points >= 2, dimensions == 1 ? points <= 1024 : points <= 32 else {
            throw .invalidParameter(name: "points", value: "\(points)",
                                    requirement: dimensions == 1 ? "between 2 and 1024 per side" : "between 2 and 32 per side (n = points^2)")
        }
    }

    public static func poisson(dimensions: Int, points m: Int, core: AnalogueCore, schur: SchurFormation) async throws(WorkloadError)
        -> PoissonResult
    {
        try check(dimensions: dimensions, points: m)
        let a = dimensions == 1 ? PDEMatrices.poisson1D(m) : PDEMatrices.poisson2D(m)
        let h = 1 / Double(m + 1)
        let grid = PDEMatrices.grid(dimensions: dimensions, points: m)
        let continuous = grid.map { p in p.reduce(1.0) { $0 * sin(Double.pi * $1) } }
        // -laplace(u) = d pi^2 u for u = prod sin(pi x_i).
        let f = continuous.map { Double(dimensions) * Double.pi * Double.pi * $0 }
        let b = core.digital.scale(f, by: h * h)
        let r = try await RBIWorkload.run(matrix: a, rhs: b, core: core, schur: schur, label: "poisson")
        return PoissonResult(
            dimensions: dimensions, points: m, size: a.rows, solution: r.solution, reference: r.reference, continuous: continuous,
            relativeError: r.relativeError, predictedError: r.predictedError,
            discretisationError: r.reference.minus(continuous).norm2 / continuous.norm2, conditionNumber: r.conditionNumber,
            levels: r.levels, levelStatistics: r.levelStatistics, setupCounts: r.setupCounts, solveCounts: r.solveCounts)
    }

    /// The initial temperature: a hot band in the left third plus a smooth background,
    /// u0 = sin(pi x) + 0.5 (x in [0.2, 0.4]) in 1-D, the product form in 2-D.
    public static func initialTemperature(dimensions: Int, points m: Int) -> [Double] {
        PDEMatrices.grid(dimensions: dimensions, points: m).map { p in
            p.reduce(1.0) { $0 * sin(Double.pi * $1) } + ((p[0] >= 0.2 && p[0] <= 0.4) ? 0.5 : 0)
        }
    }

    /// `steps` implicit Euler steps (I + r L) u_(k+1) = u_k from ``initialTemperature(dimensions:points:)``; the
    /// step matrix is prepared once (its Schur complements formed once) and reused.
    public static func heat(dimensions: Int, points m: Int, r: Double, steps: Int, core: AnalogueCore,
                            schur: SchurFormation) async throws(WorkloadError) -> HeatResult
    {
        try check(dimensions: dimensions, points: m)
        guard r > 0, r.isFinite else { throw .invalidParameter(name: "r", value: "\(r)", requirement: "positive (alpha dt / h^2)") }
        guard (1...10_000).contains(steps) else { throw .invalidParameter(name: "steps", value: "\(steps)", requirement: "between 1 and 10000") }
        let a = PDEMatrices.heatStep(dimensions: dimensions, points: m, r: r)
        let inverseNorm: Double
        do { inverseNorm = 1 / (try a.singularValues().last ?? 1) } catch { throw .digital(label: "heat reference", error: error) }
        core.beginPhase("setup")
        let plan = try await BlockInversePlan.prepare(a, core: core, schur: schur)
        // The double-precision reference steps reuse the LU the plan made of the step matrix.
        let lu = plan.factorization
        core.beginPhase("solve")
        let u0 = initialTemperature(dimensions: dimensions, points: m)
        var analogue = [u0], double = [u0]
        var errors: [Double] = [], predicted: [Double] = []
        var bound = 0.0
        for k in 1...steps {
            let (solved, _) = try await plan.solve([analogue[k - 1]], core: core, label: "heat/step \(k)", recordNodes: false)
            let next: [Double]
            do { next = try lu.solve(double[k - 1]) } catch { throw .digital(label: "heat reference step \(k)", error: error) }
            analogue.append(solved[0].x)
            double.append(next)
            let norm = next.norm2
            bound = inverseNorm * bound + solved[0].bound
            errors.append(solved[0].x.minus(next).norm2 / norm)
            predicted.append(bound / norm)
        }
        return HeatResult(dimensions: dimensions, points: m, size: a.rows, r: r, steps: steps, analogue: analogue, double: double,
                          relativeErrors: errors, predictedErrors: predicted, levels: plan.levels,
                          setupCounts: core.counts(phase: "setup"), solveCounts: core.counts(phase: "solve"))
    }
}
