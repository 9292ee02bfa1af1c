import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// A vertical sounding-rocket flight: pad, powered ascent, coast with quadratic drag to
/// apogee, parachute descent. Synthetic but physically plausible; every value has a unit.
public struct RocketProfile: Sendable, Hashable, Codable {
    /// Seconds on the pad before ignition. Default 1 s.
    public var padSeconds: Double
    /// Thrust over mass during the burn, m/s^2. Default 60 m/s^2 (about 6 g).
    public var thrustAcceleration: Double
    /// Burn time, s. Default 3 s.
    public var burnSeconds: Double
    /// Gravitational acceleration, m/s^2. Default 9.81.
    public var gravity: Double
    /// Drag: a_drag = -k v |v|, k in 1/m. Default 1.2e-3 (a small rocket at ~140 m/s).
    public var dragPerMetre: Double
    /// Parachute opens this long after apogee, s. Default 2 s.
    public var parachuteDelaySeconds: Double
    /// Descent speed under the parachute, m/s. Default 8 m/s.
    public var descentSpeed: Double
    /// Time constant with which the parachute brings the speed to `descentSpeed`, s. Default 1.5 s.
    public var parachuteTimeConstant: Double

    public init(padSeconds: Double = 1, thrustAcceleration: Double = 60, burnSeconds: Double = 3, gravity: Double = 9.81,
                dragPerMetre: Double = 1.2e-3, parachuteDelaySeconds: Double = 2, descentSpeed: Double = 8,
                parachuteTimeConstant: Double = 1.5) {
        self.padSeconds = padSeconds; self.thrustAcceleration = thrustAcceleration; self.burnSeconds = burnSeconds
        self.gravity = gravity; self.dragPerMetre = dragPerMetre; self.parachuteDelaySeconds = parachuteDelaySeconds
        self.descentSpeed = descentSpeed; self.parachuteTimeConstant = parachuteTimeConstant
    }

    public var designValues: [DesignValue] {
        [DesignValue("rocket.pad", padSeconds, "s", "time on the pad before ignition"),
         DesignValue("rocket.thrust", thrustAcceleration, "m/s^2", "thrust over mass during the burn"),
         DesignValue("rocket.burn", burnSeconds, "s", "burn time"),
         DesignValue("rocket.gravity", gravity, "m/s^2", "gravitational acceleration"),
         DesignValue("rocket.drag", dragPerMetre, "1/m", "quadratic drag, a = -k v |v|"),
         DesignValue("rocket.parachuteDelay", parachuteDelaySeconds, "s", "parachute opens after apogee"),
         DesignValue("rocket.descent", descentSpeed, "m/s", "descent speed under the parachute"),
         DesignValue("rocket.parachuteTau", parachuteTimeConstant, "s", "parachute time constant")]
    }
}

/// A sensor digitised by a symmetric ADC: Gaussian noise, then quantisation to `bits` over
/// +-`fullScale` (mid-tread, clipped), like `ConverterParameters`.
public struct Sensor: Sendable, Hashable, Codable {
    /// 1-sigma noise in the sensor's unit.
    public var noise: Double
    /// Full scale in the sensor's unit, +-.
    public var fullScale: Double
    /// ADC bits.
    public var bits: Int
    /// Unit symbol.
    public var unit: String

    public init(noise: Double, fullScale: Double, bits: Int, unit: String) {
        self.noise = noise; self.fullScale = fullScale; self.bits = bits; self.unit = unit
    }

    /// One LSB in the sensor's unit.
    public var lsb: Double { fullScale / Double((1 << (bits - 1)) - 1) }

    /// The variance the filter assumes: noise^2 + LSB^2 / 12.
    public var variance: Double { noise * noise + lsb * lsb / 12 }

    public func digitise(_ value: Double) -> Double {
        let clipped = min(max(value, -fullScale), fullScale)
        return (clipped / lsb).rounded(.toNearestOrAwayFromZero) * lsb
    }
}

/// The flight, sampled, and what the sensors read.
public struct RocketFlight: Sendable {
    public var profile: RocketProfile
    /// Sample period, s.
    public var sampleSeconds: Double
    /// Sample times, s (the first at `sampleSeconds`).
    public var time: [Double]
    /// True height (m), velocity (m/s) and acceleration (m/s^2) at the sample times.
    public var height: [Double]
    public var velocity: [Double]
    public var acceleration: [Double]
    /// Digitised barometric altitude, m.
    public var barometer: [Double]
    /// Digitised accelerometer (specific force a + g), m/s^2.
    public var accelerometer: [Double]
    public var barometerSensor: Sensor
    public var accelerometerSensor: Sensor

    /// Integrates the truth with 1 ms Euler steps and samples it every `sampleSeconds` for
    /// `steps` samples, with seeded sensor noise.
    public static func simulate(profile: RocketProfile, steps: Int, sampleSeconds: Double, barometer: Sensor,
                                accelerometer: Sensor, seed: UInt64) -> RocketFlight {
        var random = SeededGenerator(seed: seed)
        let dt = 1e-3
        var h = 0.0, v = 0.0, a = 0.0, t = 0.0
        var apogee: Double?
        var landed = false
        var flight = RocketFlight(profile: profile, sampleSeconds: sampleSeconds, time: [], height: [], velocity: [],
                                  acceleration: [], barometer: [], accelerometer: [], barometerSensor: barometer,
                                  accelerometerSensor: accelerometer)
        let substeps = max(1, Int((sampleSeconds / dt).rounded()))
        for _ in 0..<steps {
            for _ in 0..<substeps {
                let p = profile
                if t < p.padSeconds || landed {
                    a = 0
                } else if t < p.padSeconds + p.burnSeconds {
                    a = p.thrustAcceleration - p.gravity - p.dragPerMetre * v * abs(v)
                } else if let top = apogee, t >= top + p.parachuteDelaySeconds {
                    a = (-p.descentSpeed - v) / p.parachuteTimeConstant
                } else {
                    a = -p.gravity - p.dragPerMetre * v * abs(v)
                }
                let before = v
                v += a * dt
                h += v * dt
                t += dt
                if apogee == nil, before > 0, v <= 0 { apogee = t }
                if t > p.padSeconds + p.burnSeconds, h <= 0 { h = 0; v = 0; a = 0; landed = true }
            }
            flight.time.append(t)
            flight.height.append(h)
            flight.velocity.append(v)
            flight.acceleration.append(a)
            flight.barometer.append(barometer.digitise(h + barometer.noise * random.normal()))
            flight.accelerometer.append(accelerometer.digitise(a + profile.gravity + accelerometer.noise * random.normal()))
        }
        return flight
    }
}
