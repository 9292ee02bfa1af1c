import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Testing
import Verification
@testable import Workloads

@Suite("Iterative refinement on the real engine")
struct RefinementTests {
    @Test("4-bit cells: one solve under 8 bits, refinement past 20 bits", arguments: [16, 64])
    func refine(n: Int) async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 4), pool: SharedPool.pool)
        let a = Matrix.wellConditioned(n, seed: 3)
        let b = WorkloadMatrices.vector(n, seed: 4)
        let r = try await IterativeRefinement.run(matrix: a, rhs: b, core: core, targetBits: 20)
        print("refine \(n): bits \(r.steps.map { String(format: "%.1f", $0.equivalentBits) })")
        #expect(r.firstSolveBits < 8)
        #expect(r.finalBits >= 20)
        #expect(r.reachedTarget)
        // x_(k+1) - x = d_hat - d with d = A^-1 r_k the exact correction, so each iteration's
        // error is the previous one times that solve's own relative error.
        for (previous, step) in zip(r.steps, r.steps.dropFirst()) {
            let expected = previous.relativeError * step.solveRelativeError
            #expect(abs(step.relativeError - expected) <= 1e-3 * expected,
                    "iteration \(step.iteration): \(step.relativeError) vs \(expected)")
        }
        #expect(core.totalCounts().inv == r.steps.count)
    }
}

@Suite("Kalman filter on the real engine")
struct KalmanTests {
    static func flight(steps: Int) -> RocketFlight {
        RocketFlight.simulate(profile: RocketProfile(), steps: steps, sampleSeconds: 0.1,
                              barometer: Sensor(noise: 1.5, fullScale: 5000, bits: 16, unit: "m"),
                              accelerometer: Sensor(noise: 0.3, fullScale: 160, bits: 12, unit: "m/s^2"), seed: 7)
    }

    @Test("the synthetic flight is plausible: burn, coast to apogee, parachute")
    func flightProfile() {
        let f = KalmanTests.flight(steps: 400)
        let burnout = f.velocity[Int(4.0 / 0.1) - 1]
        #expect(burnout > 100 && burnout < 170, "burnout speed \(burnout) m/s")
        let apogee = f.height.max() ?? 0
        #expect(apogee > 400 && apogee < 1500, "apogee \(apogee) m")
        #expect(abs((f.velocity.last ?? 0) + 8) < 0.5, "descent \(f.velocity.last ?? 0) m/s under the parachute")
    }

    @Test("the barometer really digitises: whole LSBs of the 16-bit +-5000 m converter, with the configured noise")
    func barometerReadings() {
        let f = KalmanTests.flight(steps: 400)
        // The converter's step from its specification (not from the sensor's own formula):
        // 16 bits over +-5000 m, mid-tread, so 2^15 - 1 steps each way.
        let lsb = 5000.0 / 32767
        for (k, reading) in f.barometer.enumerated() {
            let steps = reading / lsb
            #expect(abs(steps - steps.rounded()) <= 1e-9 * max(1, abs(steps)), "sample \(k): \(reading) m is \(steps) LSBs")
        }
        #expect(f.barometer.contains { abs($0) > 100 * lsb }, "the readings are not just the zero code")
        // The noise is really there: the RMS of reading - true height is the configured 1.5 m
        // (plus LSB^2 / 12, negligible) to within 20 % (400 samples put the RMS within ~4 %).
        let rms = (zip(f.barometer, f.height).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(f.height.count)).squareRoot()
        #expect(rms >= 0.8 * 1.5 && rms <= 1.2 * 1.5, "barometer RMS error \(rms) m for a 1.5 m sigma")
    }

    @Test("200 steps: track error within 2x the double-precision filter's, S^-1 within its bound")
    func track() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let r = try await KalmanWorkload.run(flight: KalmanTests.flight(steps: 200), parameters: KalmanParameters(), core: core)
        print("kalman: height RMS \(r.analogueHeightRMS) vs \(r.doubleHeightRMS), velocity \(r.analogueVelocityRMS) vs \(r.doubleVelocityRMS)")
        #expect(r.withinFactor(2))
        // The filter earns its keep: better than the raw barometer.
        #expect(r.doubleHeightRMS < r.barometerRMS)
        for (k, (e, bound)) in zip(r.inverseError, r.inversePredicted).enumerated() {
            #expect(e <= 2 * bound, "step \(k + 1): S^-1 error \(e), bound \(bound)")
        }
        #expect(core.totalCounts().inv == 400)
    }
}

@Suite("Inverse kinematics on the real engine")
struct InverseKinematicsTests {
    @Test("reachable targets converge, the unreachable one is reported", arguments: [3, 6])
    func arm(links: Int) async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let targets: [[Double]] = [[0.6, 0.3], [-0.2, 0.7], [0.4, -0.5], [1.3, 0.4]]
        let r = try await InverseKinematics.run(arm: PlanarArm(links: links), targets: targets, core: core)
        #expect(r.passed)
        for t in r.targets.prefix(3) {
            #expect(t.status.isConverged, "\(t.target): \(t.status)")
            #expect(t.finalError < r.parameters.tolerance)
            #expect(t.iterations <= 2 * t.doubleIterations + 3, "\(t.iterations) analogue vs \(t.doubleIterations) double iterations")
        }
        let far = try #require(r.targets.last)
        #expect(!far.reachable)
        guard case let .unreachable(distance, _, reach, stopped) = far.status else {
            Issue.record("expected unreachable, got \(far.status)")
            return
        }
        #expect(stopped >= distance - reach - 1e-9 && stopped <= distance - reach + 0.1, "stopped \(stopped) m away")
        #expect(far.status.description.contains("UNREACHABLE"))
    }

    @Test("forward kinematics and Jacobian of the arm agree with finite differences")
    func jacobian() {
        let arm = PlanarArm(lengths: [0.5, 0.3, 0.2])
        let q = [0.4, -0.7, 1.1]
        let j = arm.jacobian(q)
        for k in 0..<3 {
            var dq = q
            dq[k] += 1e-7
            let numeric = arm.endEffector(dq).minus(arm.endEffector(q)).scaled(by: 1e7)
            #expect(abs(numeric[0] - j[0, k]) < 1e-5 && abs(numeric[1] - j[1, k]) < 1e-5)
        }
        #expect(arm.canReach([0.5, 0.5]) && !arm.canReach([1.1, 0]))
    }
}
