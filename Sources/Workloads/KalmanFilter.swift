import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// The tracking filter's tuning, with units.
public struct KalmanParameters: Sendable, Hashable, Codable {
    /// Spectral density of the white jerk driving the constant-acceleration model, m^2/s^5.
    /// Default 400 (ignition and burnout change the acceleration by tens of m/s^2 in one step).
    public var jerkDensity: Double
    /// Initial 1-sigma uncertainty of height (m), velocity (m/s) and acceleration (m/s^2).
    /// Default 1 m, 0.5 m/s, 1 m/s^2 (the rocket sits on a surveyed pad).
    public var initialSigma: [Double]

    public init(jerkDensity: Double = 400, initialSigma: [Double] = [1, 0.5, 1]) {
        self.jerkDensity = jerkDensity
        self.initialSigma = initialSigma
    }

    public var designValues: [DesignValue] {
        [DesignValue("kalman.jerkDensity", jerkDensity, "m^2/s^5", "white-jerk process noise spectral density"),
         DesignValue("kalman.sigma0.height", initialSigma[0], "m", "initial height uncertainty"),
         DesignValue("kalman.sigma0.velocity", initialSigma[1], "m/s", "initial velocity uncertainty"),
         DesignValue("kalman.sigma0.acceleration", initialSigma[2], "m/s^2", "initial acceleration uncertainty")]
    }
}

/// The rocket tracked by two filters fed the same digitised measurements: one whose
/// innovation-covariance inverse S^-1 comes from the simulated INV circuit, one in double.
public struct KalmanResult: Sendable {
    public var flight: RocketFlight
    public var parameters: KalmanParameters
    /// State estimates [h, v, a] after each update.
    public var analogue: [[Double]]
    public var double: [[Double]]
    /// Per step: |S^-1_circuit - S^-1| / |S^-1| (2-norm) and the error model's bound.
    public var inverseError: [Double]
    public var inversePredicted: [Double]

    func rms(_ estimates: [[Double]], _ truth: [Double], _ k: Int) -> Double {
        let sum = zip(estimates, truth).reduce(0.0) { $0 + ($1.0[k] - $1.1) * ($1.0[k] - $1.1) }
        return (sum / Double(max(truth.count, 1))).squareRoot()
    }

    /// RMS track errors over the flight, height (m) and velocity (m/s).
    public var analogueHeightRMS: Double { rms(analogue, flight.height, 0) }
    public var doubleHeightRMS: Double { rms(double, flight.height, 0) }
    public var analogueVelocityRMS: Double { rms(analogue, flight.velocity, 1) }
    public var doubleVelocityRMS: Double { rms(double, flight.velocity, 1) }
    /// RMS of the raw barometer error, m: what the filter improves on.
    public var barometerRMS: Double {
        (zip(flight.barometer, flight.height).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(max(flight.height.count, 1))).squareRoot()
    }

    /// The acceptance: both track errors within `factor` times the double-precision filter's.
    public func withinFactor(_ factor: Double) -> Bool {
        analogueHeightRMS <= factor * doubleHeightRMS && analogueVelocityRMS <= factor * doubleVelocityRMS
    }
}

/// A constant-acceleration Kalman filter, F = [[1, dt, dt^2/2], [0, 1, dt], [0, 0, 1]],
/// H = [[1, 0, 0], [0, 0, 1]] (barometer, gravity-compensated accelerometer), Joseph-form
/// covariance update. Per step the 2 x 2 S^-1 is two simulated INV solves (its columns,
/// S equilibrated to a unit diagonal first); everything else is digital glue, counted.
public enum KalmanWorkload {
    public static func run(flight: RocketFlight, parameters: KalmanParameters, core: AnalogueCore) async throws(WorkloadError)
        -> KalmanResult
    {
        guard parameters.jerkDensity > 0, parameters.initialSigma.count == 3, parameters.initialSigma.allSatisfy({ $0 > 0 }) else {
            throw .invalidParameter(name: "kalman", value: "q = \(parameters.jerkDensity), sigma0 = \(parameters.initialSigma)",
                                    requirement: "a positive jerk density and three positive initial sigmas")
        }
        let dt = flight.sampleSeconds
        let f = (try? Matrix([[1, dt, dt * dt / 2], [0, 1, dt], [0, 0, 1]]))!
        let h = (try? Matrix([[1, 0, 0], [0, 0, 1]]))!
        let q = parameters.jerkDensity
        let processNoise = q * (try? Matrix([
            [pow(dt, 5) / 20, pow(dt, 4) / 8, pow(dt, 3) / 6],
            [pow(dt, 4) / 8, pow(dt, 3) / 3, dt * dt / 2],
            [pow(dt, 3) / 6, dt * dt / 2, dt]]))!
        let r = Matrix.diagonal([flight.barometerSensor.variance, flight.accelerometerSensor.variance])
        let p0 = Matrix.diagonal(parameters.initialSigma.map { $0 * $0 })

        var analogue = FilterState(x: [0, 0, 0], p: p0)
        var reference = FilterState(x: [0, 0, 0], p: p0)
        var analogueTrack: [[Double]] = [], doubleTrack: [[Double]] = []
        var inverseError: [Double] = [], inversePredicted: [Double] = []
        let digital = core.digital
        core.expect(primitives: 2 * flight.time.count)  // two columns of S^-1 per step
        for k in flight.time.indices {
            // The accelerometer reads a + g: the digital side removes g.
            let z = [flight.barometer[k], digital.subtract([flight.accelerometer[k]], [flight.profile.gravity])[0]]

            // Analogue filter: predict, then S^-1 by the circuit.
            analogue.predict(f: f, q: processNoise, digital: digital)
            let s = analogue.innovationCovariance(h: h, r: r, digital: digital)
            let columns = try await core.inv(s, batch: [[1, 0], [0, 1]], label: "kalman/step \(k + 1)/S^-1", equilibrate: true)
            let sInverse = Matrix(rows: 2, columns: 2) { i, j in columns[j].value[i] }
            let exactInverse: Matrix
            do { exactInverse = try s.inverse() } catch { throw .digital(label: "kalman/step \(k + 1): exact S^-1", error: error) }
            let exactNorm = (try? exactInverse.norm2()) ?? 1
            inverseError.append(((try? (sInverse - exactInverse).norm2()) ?? .nan) / exactNorm)
            inversePredicted.append(columns.map(\.errorBound).norm2 / exactNorm)
            analogue.update(z: z, h: h, r: r, sInverse: sInverse, digital: digital)
            analogueTrack.append(analogue.x)

            // Reference filter: the same arithmetic in double, S^-1 by LAPACK (not counted).
            reference.predict(f: f, q: processNoise, digital: .uncounted)
            let sRef = reference.innovationCovariance(h: h, r: r, digital: .uncounted)
            let sRefInverse: Matrix
            do { sRefInverse = try sRef.inverse() } catch { throw .digital(label: "kalman/step \(k + 1): reference S^-1", error: error) }
            reference.update(z: z, h: h, r: r, sInverse: sRefInverse, digital: .uncounted)
            doubleTrack.append(reference.x)
        }
        return KalmanResult(flight: flight, parameters: parameters, analogue: analogueTrack, double: doubleTrack,
                            inverseError: inverseError, inversePredicted: inversePredicted)
    }

    /// One filter's state; both filters run this arithmetic, the analogue one counted on the
    /// core's digital unit, the reference one on ``DigitalUnit/uncounted``.
    struct FilterState {
        var x: [Double]
        var p: Matrix

        /// x = F x, P = F P F^T + Q.
        mutating func predict(f: Matrix, q: Matrix, digital d: DigitalUnit) {
            x = d.product(f, x)
            p = d.sum(d.product(d.product(f, p), f.transposed), q)
        }

        /// S = H P H^T + R.
        func innovationCovariance(h: Matrix, r: Matrix, digital d: DigitalUnit) -> Matrix {
            d.sum(d.product(d.product(h, p), h.transposed), r)
        }

        /// K = P H^T S^-1, x += K (z - H x), P = (I - K H) P (I - K H)^T + K R K^T.
        mutating func update(z: [Double], h: Matrix, r: Matrix, sInverse: Matrix, digital d: DigitalUnit) {
            let k = d.product(d.product(p, h.transposed), sInverse)
            let innovation = d.subtract(z, d.product(h, x))
            x = d.add(x, d.product(k, innovation))
            let ikh = d.difference(Matrix.identity(3), d.product(k, h))
            p = d.sum(d.product(d.product(ikh, p), ikh.transposed), d.product(d.product(k, r), k.transposed))
        }
    }
}
