import Characterization
import Reports
import Specification
import Circuits
import Foundation
import Ngspice
import CircuitTheory
import Reference

/// Energy and latency of one solve at transistor level, next to a digital baseline.
public struct EnergyReport: Sendable, Hashable, Codable {
    /// Supply energy over the solve (inputs step to settled), joules: V_DD times the supply
    /// current integrated over the latency, quiescent bias included.
    public var joulesPerSolve: Double
    /// Average supply power over the solve, watts.
    public var averageWatts: Double
    /// Supply power before the inputs step (bias only), watts.
    public var quiescentWatts: Double
    /// Settling (plus conversion, when converters are simulated), seconds.
    public var latencySeconds: Double
    /// The digital baseline: floating-point operations of the same solve.
    public var digitalFlops: Double
    /// The assumed energy per operation, joules (overridable: `--energy-per-flop`).
    public var joulesPerFlop: Double
    public var digitalJoules: Double { digitalFlops * joulesPerFlop }
    /// Digital energy over analogue energy: above 1 the circuit is the more efficient.
    public var efficiencyRatio: Double { digitalJoules / joulesPerSolve }
}

/// Floating-point operations of the standard digital algorithm for each operation (LU with
/// partial pivoting and two triangular solves for INV; the normal equations for GINV; 100
/// power iterations for EIG; the Schur complement by LU for block).
public enum DigitalBaseline {
    public static func flops(_ problem: Problem) -> Double {
        let n = Double(problem.matrix.rows), m = Double(problem.matrix.columns)
        switch problem.operation {
        case .inv: return 2.0 / 3.0 * n * n * n + 2 * n * n
        case .mvm: return 2 * n * m
        case .ginv: return 2 * n * m * m + 2.0 / 3.0 * m * m * m + 2 * n * m + 2 * m * m
        case .eig: return 100 * 2 * n * n
        case .block:
            let n1 = Double(problem.blockSize ?? problem.matrix.rows / 2), n2 = n - n1
            return 2.0 / 3.0 * n1 * n1 * n1 + 2 * n1 * n1 * n2 + 2 * n2 * n1 * n2 + 2 * n2 * n2
        }
    }
}

/// The loop op-amp as simulated: characterised once per technology and specification in a
/// process, so every transistor-level verdict uses the measured gain and GBW.
actor OTAMeasurements {
    static let shared = OTAMeasurements()
    private var cache: [String: OTAMeasurement] = [:]

    func measurement(for design: TransistorDesign, engine: NgspiceEngine) async throws(VerificationError) -> OTAMeasurement {
        let key = "\(design.technology.identifier)@\(design.technology.temperatureCelsius)/\(design.ota)"
        if let known = cache[key] { return known }
        let ota: MillerOTA
        do {
            ota = try MillerOTA(design.ota, technology: design.technology)
        } catch {
            throw .design(.unsupported("cannot size the op-amp on \(design.technology.identifier): \(error)"))
        }
        do {
            let measured = try await OTACharacterization.measure(ota, engine: engine)
            cache[key] = measured
            return measured
        } catch {
            throw .readout("the op-amp characterisation failed: \(error)")
        }
    }
}

extension Verifier {
    /// At transistor level, the op-amp seen by the predictions is the measured OTA.
    public static func withMeasuredOpAmp(_ options: SolveSpecification, engine: NgspiceEngine) async throws(VerificationError) -> SolveSpecification {
        guard options.design.circuit.fidelity == .transistor else { return options }
        guard let transistor = options.design.transistor else {
            throw .design(.unsupported("transistor fidelity needs a technology: use design.technology generic or sky130:CORNER"))
        }
        var options = options
        options.design.adopt(try await OTAMeasurements.shared.measurement(for: transistor, engine: engine))
        return options
    }

    /// Supply energy over [start, start + latency] from the supply current waveform.
    static func energy(time: [Double], current: [Double], supplyVolts: Double, start: Double, latency: Double,
                       problem: Problem, joulesPerFlop: Double) -> EnergyReport {
        // ngspice reports the current into the source's + terminal: a supply delivering power reads negative.
        let power = current.map { -$0 * supplyVolts }
        let end = start + latency
        var joules = 0.0
        for k in 1..<max(time.count, 1) {
            let a = max(time[k - 1], start), b = min(time[k], end)
            guard b > a else { continue }
            let span = time[k] - time[k - 1]
            func p(_ t: Double) -> Double { span > 0 ? power[k - 1] + (power[k] - power[k - 1]) * (t - time[k - 1]) / span : power[k] }
            joules += (p(a) + p(b)) / 2 * (b - a)
        }
        let before = time.indices.filter { time[$0] < start }
        let quiescent = before.isEmpty ? power.first ?? 0 : before.map { power[$0] }.reduce(0, +) / Double(before.count)
        return EnergyReport(joulesPerSolve: joules, averageWatts: latency > 0 ? joules / latency : 0, quiescentWatts: quiescent,
                            latencySeconds: latency, digitalFlops: DigitalBaseline.flops(problem), joulesPerFlop: joulesPerFlop)
    }
}
