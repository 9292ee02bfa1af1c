import Reports
import Specification
import Foundation
import CircuitTheory
import Reference

/// One step of mixed-precision iterative refinement.
public struct RefinementStep: Sendable, Hashable, Codable {
    /// 1 = the first analogue solve, then one per correction.
    public var iteration: Int
    /// |x_k - x_LAPACK| / |x_LAPACK|.
    public var relativeError: Double
    /// -log2(relativeError).
    public var equivalentBits: Double
    /// Bits gained over the previous iteration (the first: over zero, i.e. its own bits).
    public var bitsGained: Double
    /// |b - A x_k| / |b|, computed in double.
    public var residual: Double
    /// The error budget of this iteration's analogue solve (relative): the error model says
    /// the iteration shrinks the error by about this factor.
    public var solvePredictedError: Double
    /// The analogue solve's own relative error against the exact correction.
    public var solveRelativeError: Double
}

/// Mixed-precision iterative refinement on the analogue INV: residual in double, each
/// correction by the simulated circuit (the HP-INV scheme of the Theory article, "Larger
/// matrices: block inversion and refinement").
public struct RefinementResult: Sendable {
    public var matrix: Matrix
    public var rhs: [Double]
    public var reference: [Double]
    public var solution: [Double]
    public var steps: [RefinementStep]
    public var targetBits: Double
    public var conditionNumber: Double

    /// Bits of the single analogue solve.
    public var firstSolveBits: Double { steps.first?.equivalentBits ?? 0 }
    public var finalBits: Double { steps.last?.equivalentBits ?? 0 }
    public var reachedTarget: Bool { finalBits >= targetBits }
    /// Mean bits gained per correction (after the first solve).
    public var meanBitsPerCorrection: Double {
        guard steps.count > 1 else { return 0 }
        return (finalBits - firstSolveBits) / Double(steps.count - 1)
    }
}

public enum IterativeRefinement {
    /// x_1 = INV(A, b); then r = b - A x_k in double, d = INV(A, r), x_{k+1} = x_k + d, until
    /// x is `targetBits` equivalent bits from LAPACK's answer, the error stops shrinking for
    /// two iterations (the limit of the double-precision residual or of the reference), or
    /// `maxIterations` solves.
    public static func run(matrix a: Matrix, rhs b: [Double], core: AnalogueCore, targetBits: Double,
                           maxIterations: Int = 30) async throws(WorkloadError) -> RefinementResult
    {
        guard a.isSquare, b.count == a.rows else {
            throw .invalidParameter(name: "system", value: "\(a.rows)x\(a.columns) with \(b.count) entries", requirement: "square with a matching right-hand side")
        }
        guard targetBits > 0, targetBits <= 52 else {
            throw .invalidParameter(name: "targetBits", value: "\(targetBits)", requirement: "in (0, 52]")
        }
        guard (1...200).contains(maxIterations) else {
            throw .invalidParameter(name: "maxIterations", value: "\(maxIterations)", requirement: "between 1 and 200")
        }
        let (reference, kappa) = try lapackReference(a, b)
        let digital = core.digital
        let referenceNorm = reference.norm2
        let bNorm = b.norm2
        var x = Array(repeating: 0.0, count: a.rows)
        var r = b
        var steps: [RefinementStep] = []
        var best = Double.infinity
        var stalled = 0
        for k in 1...maxIterations {
            let correction = try await core.inv(a, r, label: "refine/iteration \(k)")
            x = digital.add(x, correction.value)
            r = digital.subtract(b, digital.product(a, x))
            let error = x.minus(reference).norm2 / referenceNorm
            let bits = -log2(error)
            steps.append(RefinementStep(iteration: k, relativeError: error, equivalentBits: bits,
                                        bitsGained: bits - (steps.last?.equivalentBits ?? 0),
                                        residual: r.norm2 / bNorm, solvePredictedError: correction.predictedRelativeError,
                                        solveRelativeError: correction.relativeError))
            if bits >= targetBits || r.normInfinity == 0 { break }
            if error < best * 0.9 { best = error; stalled = 0 } else { stalled += 1 }
            if stalled >= 2 { break }
        }
        return RefinementResult(matrix: a, rhs: b, reference: reference, solution: x, steps: steps, targetBits: targetBits,
                                conditionNumber: kappa)
    }
}
