import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// A planar arm of revolute joints: link i has length `lengths[i]` (m); joint angles are
/// relative to the previous link, radians.
public struct PlanarArm: Sendable, Hashable, Codable {
    public var lengths: [Double]

    public init(lengths: [Double]) { self.lengths = lengths }

    /// `links` equal links with a total reach of `reach` metres.
    public init(links: Int, reach: Double = 1) {
        lengths = Array(repeating: reach / Double(links), count: links)
    }

    public var links: Int { lengths.count }
    /// The farthest the end effector gets from the base, m.
    public var reach: Double { lengths.reduce(0, +) }
    /// The nearest it gets, m: 0 unless one link is longer than all others together.
    public var innerRadius: Double { max(0, 2 * (lengths.max() ?? 0) - reach) }

    /// The end-effector position for joint angles `q`.
    public func endEffector(_ q: [Double]) -> [Double] {
        var angle = 0.0, x = 0.0, y = 0.0
        for (l, qi) in zip(lengths, q) {
            angle += qi
            x += l * cos(angle)
            y += l * sin(angle)
        }
        return [x, y]
    }

    /// The 2 x n Jacobian d(end effector)/dq.
    public func jacobian(_ q: [Double]) -> Matrix {
        var angles: [Double] = []
        var angle = 0.0
        for qi in q { angle += qi; angles.append(angle) }
        return Matrix(rows: 2, columns: q.count) { row, j in
            (j..<q.count).reduce(0.0) { sum, i in
                sum + lengths[i] * (row == 0 ? -sin(angles[i]) : cos(angles[i]))
            }
        }
    }

    /// Whether a point is inside the annulus the arm can reach.
    public func canReach(_ target: [Double]) -> Bool {
        let d = target.norm2
        return d <= reach * (1 + 1e-12) && d >= innerRadius
    }
}

/// Damped-least-squares settings, with units.
public struct IKParameters: Sendable, Hashable, Codable {
    /// Damping lambda, m: dq = J^T (J J^T + lambda^2 I)^-1 e. Default 0.05 m.
    public var damping: Double
    /// Converged when |e| is below this, m. Default 1e-4 m (0.1 mm).
    public var tolerance: Double
    /// The largest end-effector step asked for per iteration, m (e is clipped). Default 0.1 m.
    public var maxStep: Double
    /// Iterations per target before giving up. Default 100.
    public var maxIterations: Int

    public init(damping: Double = 0.05, tolerance: Double = 1e-4, maxStep: Double = 0.1, maxIterations: Int = 100) {
        self.damping = damping; self.tolerance = tolerance; self.maxStep = maxStep; self.maxIterations = maxIterations
    }

    public func validate() throws(WorkloadError) {
        for (name, value) in [("damping", damping), ("tolerance", tolerance), ("maxStep", maxStep)] where !(value > 0 && value.isFinite) {
            throw .invalidParameter(name: name, value: "\(value)", requirement: "positive, in metres")
        }
        guard (1...10_000).contains(maxIterations) else {
            throw .invalidParameter(name: "maxIterations", value: "\(maxIterations)", requirement: "between 1 and 10000")
        }
    }

    public var designValues: [DesignValue] {
        [DesignValue("ik.damping", damping, "m", "damping lambda of the least squares"),
         DesignValue("ik.tolerance", tolerance, "m", "end-effector error counted as converged"),
         DesignValue("ik.maxStep", maxStep, "m", "largest end-effector step per iteration"),
         DesignValue("ik.maxIterations", Double(maxIterations), "", "iterations per target before giving up")]
    }
}

/// How reaching one target ended.
public enum ReachStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// |e| < tolerance.
    case converged
    /// The target is `distance` m from the base, outside the annulus `innerRadius...reach`
    /// the arm can reach; it stopped `stoppedAt` m from the target (no configuration gets
    /// closer than `minimumGap`).
    case unreachable(distance: Double, innerRadius: Double, reach: Double, stoppedAt: Double)
    /// Reachable, but |e| was still `error` after the iteration limit.
    case notConverged(error: Double)

    public var description: String {
        switch self {
        case .converged: return "converged"
        case let .unreachable(distance, inner, reach, stopped):
            let minimum = distance > reach ? distance - reach : inner - distance
            return String(format: "UNREACHABLE: the target is %.4g m from the base, outside the arm's reach [%.4g, %.4g] m; the arm stopped %.4g m from it (closest possible %.4g m)",
                          distance, inner, reach, stopped, minimum)
        case let .notConverged(error):
            return String(format: "NOT CONVERGED: error %.3g m after the iteration limit; raise --max-iterations or the damping", error)
        }
    }

    public var isConverged: Bool { if case .converged = self { true } else { false } }
}

/// One target, reached by the analogue solver and by double precision.
public struct ReachResult: Sendable {
    public var target: [Double]
    public var reachable: Bool
    public var status: ReachStatus
    public var iterations: Int
    /// |target - end effector| before the first iteration and after each, m.
    public var errors: [Double]
    public var finalAngles: [Double]
    /// Times the damping was raised because the quantised system came out singular.
    public var dampingRaises: Int
    public var doubleIterations: Int
    public var doubleErrors: [Double]

    public var finalError: Double { errors.last ?? .nan }
    public var doubleFinalError: Double { doubleErrors.last ?? .nan }
}

public struct IKResult: Sendable {
    public var arm: PlanarArm
    public var parameters: IKParameters
    public var initialAngles: [Double]
    public var targets: [ReachResult]

    /// Every reachable target converged and every unreachable one was reported as such.
    public var passed: Bool {
        targets.allSatisfy { t in t.reachable ? t.status.isConverged : !t.status.isConverged }
    }
}

/// Inverse kinematics of a planar n-link arm by damped least squares, each iteration's
/// (J J^T + lambda^2 I)^-1 e by the simulated INV circuit (2 x 2, equilibrated); J^T y and
/// the forward kinematics are digital glue (trigonometry counted as one multiply per call).
public enum InverseKinematics {
    public static func run(arm: PlanarArm, targets: [[Double]], initialAngles: [Double]? = nil,
                           parameters: IKParameters = IKParameters(), core: AnalogueCore) async throws(WorkloadError) -> IKResult
    {
        try parameters.validate()
        guard arm.links >= 2, arm.lengths.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidParameter(name: "arm", value: "\(arm.lengths)", requirement: "at least two links of positive length")
        }
        for t in targets where t.count != 2 || !t.allSatisfy(\.isFinite) {
            throw .invalidParameter(name: "target", value: "\(t)", requirement: "two finite coordinates x, y in metres")
        }
        let start = initialAngles ?? Array(repeating: 0.3, count: arm.links)
        guard start.count == arm.links else {
            throw .invalidParameter(name: "initialAngles", value: "\(start.count) angles", requirement: "one per link (\(arm.links))")
        }
        var q = start, qDouble = start
        var results: [ReachResult] = []
        for (index, target) in targets.enumerated() {
            let reachable = arm.canReach(target)
            let analogue = try await reach(arm: arm, target: target, from: q, parameters: parameters, core: core,
                                           label: "ik/target \(index + 1)")
            let double = try await reach(arm: arm, target: target, from: qDouble, parameters: parameters, core: nil,
                                         label: "ik/target \(index + 1) (double)")
            q = analogue.q
            qDouble = double.q
            func status(_ errors: [Double]) -> ReachStatus {
                let last = errors.last ?? .infinity
                if !reachable {
                    return .unreachable(distance: target.norm2, innerRadius: arm.innerRadius, reach: arm.reach, stoppedAt: last)
                }
                return last < parameters.tolerance ? .converged : .notConverged(error: last)
            }
            results.append(ReachResult(target: target, reachable: reachable, status: status(analogue.errors),
                                       iterations: analogue.errors.count - 1, errors: analogue.errors, finalAngles: q,
                                       dampingRaises: analogue.raises,
                                       doubleIterations: double.errors.count - 1, doubleErrors: double.errors))
        }
        return IKResult(arm: arm, parameters: parameters, initialAngles: start, targets: results)
    }

    /// Iterates from `q` towards `target`; `core == nil` solves in double (the reference).
    /// Stops at the tolerance, when the error has not improved by 1e-6 m in eight iterations
    /// (the closest point of an unreachable target), or at the limit.
    static func reach(arm: PlanarArm, target: [Double], from start: [Double], parameters: IKParameters,
                      core: AnalogueCore?, label: String) async throws(WorkloadError) -> (q: [Double], errors: [Double], raises: Int)
    {
        var q = start
        var errors = [target.minus(arm.endEffector(q)).norm2]
        var raises = 0
        var best = Double.infinity
        var sinceBest = 0
        let digital = core?.digital ?? .uncounted
        for iteration in 1...parameters.maxIterations {
            let p = arm.endEffector(q)
            digital.count(adds: 4 * arm.links, multiplies: 4 * arm.links)
            var e = target.minus(p)
            let size = e.norm2
            if size < parameters.tolerance { break }
            if size > parameters.maxStep { e = e.scaled(by: parameters.maxStep / size) }
            let j = arm.jacobian(q)
            var lambda = parameters.damping
            var y: [Double] = []
            while true {
                var m = j * j.transposed
                m[0, 0] += lambda * lambda
                m[1, 1] += lambda * lambda
                digital.count(adds: 4 * arm.links + 2, multiplies: 4 * arm.links + 5)
                guard let core else {
                    do { y = try m.solve(e) } catch { throw .digital(label: label, error: error) }
                    break
                }
                do {
                    y = try await core.inv(m, e, label: "\(label)/iteration \(iteration)", equilibrate: true).value
                    break
                } catch {
                    // A near-singular J J^T can round to a singular matrix in the cells:
                    // more damping makes it programmable (counted, reported).
                    guard case .primitive(_, _, .mapping(.singularAfterQuantisation)) = error, lambda < 1 else { throw error }
                    lambda *= 2
                    raises += 1
                }
            }
            let dq = j.transposed * y
            digital.count(adds: arm.links * 3, multiplies: arm.links * 2)
            q = q.plus(dq)
            let after = target.minus(arm.endEffector(q)).norm2
            errors.append(after)
            if after < best - 1e-6 { best = after; sinceBest = 0 } else { sinceBest += 1 }
            if after < parameters.tolerance || sinceBest >= 8 { break }
        }
        return (q, errors, raises)
    }
}
