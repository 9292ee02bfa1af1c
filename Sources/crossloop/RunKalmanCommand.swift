import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Workloads

struct RunKalmanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kalman",
        abstract: "Track a vertical rocket flight with a Kalman filter whose S^-1 is the analogue INV.",
        discussion: """
            A synthetic flight (pad, 3 s burn at 60 m/s^2, coast with drag, parachute) measured \
            by a barometer and an accelerometer through their own ADCs with seeded noise; two \
            filters read the same digitised measurements, one inverting S with the simulated \
            circuit, one in double. The target: RMS height and velocity errors within \
            --factor times the double filter's. Default cells: 8 bits.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Filter updates.", valueName: "N"))
    var steps: Int = 300

    @Option(help: ArgumentHelp("Sample period, s. Default 0.1.", valueName: "s"))
    var dt: Double = 0.1

    @Option(name: .customLong("baro-noise"), help: ArgumentHelp("Barometer noise, m (1 sigma). Default 1.5.", valueName: "m"))
    var baroNoise: Double = 1.5

    @Option(name: .customLong("accel-noise"), help: ArgumentHelp("Accelerometer noise, m/s^2 (1 sigma). Default 0.3.", valueName: "m/s^2"))
    var accelNoise: Double = 0.3

    @Option(name: .customLong("sensor-bits"), help: ArgumentHelp("Barometer and accelerometer ADC bits. Default 16 (+-5000 m) and 12 (+-160 m/s^2).", valueName: "N"))
    var sensorBits: Int?

    @Option(name: .customLong("jerk"), help: ArgumentHelp("Process noise: white-jerk spectral density, m^2/s^5.", valueName: "q"))
    var jerk: Double = 400

    @Option(help: ArgumentHelp("Accept track errors up to this multiple of the double filter's.", valueName: "x"))
    var factor: Double = 2

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 8)

    func validate() throws {
        guard (1...100_000).contains(steps) else { throw ValidationError("Pass --steps between 1 and 100000.") }
        guard dt > 0, dt <= 10 else { throw ValidationError("Pass --dt in seconds, between 0 and 10.") }
        guard baroNoise > 0, accelNoise > 0, jerk > 0 else { throw ValidationError("Pass --baro-noise, --accel-noise and --jerk as positive numbers.") }
        if let sensorBits, !(4...24).contains(sensorBits) { throw ValidationError("Pass --sensor-bits between 4 and 24.") }
        guard factor >= 1 else { throw ValidationError("Pass --factor of at least 1.") }
    }

    func run() async throws {
        let barometer = Sensor(noise: baroNoise, fullScale: 5000, bits: sensorBits ?? 16, unit: "m")
        let accelerometer = Sensor(noise: accelNoise, fullScale: 160, bits: sensorBits ?? 12, unit: "m/s^2")
        let flight = RocketFlight.simulate(profile: RocketProfile(), steps: steps, sampleSeconds: dt, barometer: barometer,
                                           accelerometer: accelerometer, seed: options.seed)
        let (core, progress) = try options.core(Self.defaults, label: "kalman")
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await KalmanWorkload.run(flight: flight, parameters: KalmanParameters(jerkDensity: jerk), core: core)
        }
        try options.finish(await WorkloadReport.kalman(result, core: core, factor: factor))
    }
}
