import Characterization
import Reports
import Verification
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice

/// What a Miller OTA does at one set of conditions, as the behavioural op-amp model takes it.
public struct AmplifierFigures: Sendable, Hashable {
    /// |A| at 1 Hz, V/V.
    public var dcGain: Double
    /// A0 f_-3dB, Hz.
    public var gainBandwidthHertz: Double
    /// Input offset as the behavioural model takes it (the amplifier sees V(inp) - Vos), volts.
    public var offsetVolts: Double
    /// Supply current at the operating point, amperes.
    public var supplyCurrentAmperes: Double
    /// Supply power, watts.
    public var powerWatts: Double
}

/// The op-amps of a technology-backed sweep: a two-stage Miller OTA sized once at the
/// technology's nominal point (tt, 27 C, nominal supply) for the design's gain and GBW, then
/// simulated open loop at each run's corner, temperature and supply; its DC gain, GBW and
/// offset become the behavioural op-amp's, and its power times the measured settling time
/// the energy of a solve. With mismatch, one `.op` of one follower per amplifier of the
/// crossbar, with the PDK's mismatch models switched on (`mc_mm_switch=1`) and ngspice's
/// generator seeded from the sample, gives every amplifier its own offset.
///
/// Results are cached per key: they depend only on their inputs, so which engine computed one
/// does not matter.
final class AmplifierModels: @unchecked Sendable {  // Safe: the caches are behind `lock`.
    private let lock = NSLock()
    private var figures: [String: AmplifierFigures] = [:]
    private var offsets: [String: [Double]] = [:]
    private let environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Load capacitance the OTA is sized for and characterised with, farads (a crossbar
    /// line plus the next stage's input).
    static let loadFarads = 2e-12

    static func specification(_ target: AmplifierParameters) -> MillerOTA.Specification {
        MillerOTA.Specification(dcGain: target.dcGain, gainBandwidthHertz: target.gainBandwidthHertz,
                                loadCapacitanceFarads: loadFarads)
    }

    func technology(_ name: String, _ conditions: OperatingConditions, library: UserLibrary? = nil) throws(SweepError) -> Technology {
        do { return try conditions.technology(name, library: library, environment: environment) } catch {
            throw .invalidSpec("technology: \(error.description)")
        }
    }

    /// `technology` with its PDK's mismatch models switched on (`mc_mm_switch=1`).
    static func withMismatch(_ technology: Technology) throws(SweepError) -> Technology {
        var t = technology
        t.parameters = t.parameters.map { $0.name == "mc_mm_switch" ? Parameter("mc_mm_switch", 1) : $0 }
        guard t.parameters.contains(where: { $0.name == "mc_mm_switch" }) else {
            throw .invalidSpec("mismatch: \(t.identifier) has no mismatch switch (mc_mm_switch) in its model cards")
        }
        return t
    }

    func ota(_ name: String, _ target: AmplifierParameters) throws(SweepError) -> MillerOTA {
        let nominal = try technology(name, .nominal)
        do {
            return try MillerOTA(AmplifierModels.specification(target), technology: nominal)
        } catch {
            throw .invalidSpec("cannot size a Miller OTA on \(name) for A0 \(target.dcGain) V/V, GBW \(target.gainBandwidthHertz) Hz: \(error); change gain or gbw")
        }
    }

    static func key(_ name: String, _ target: AmplifierParameters, _ c: OperatingConditions) -> String {
        "\(name)|\(target.dcGain)|\(target.gainBandwidthHertz)|\(c.corner.rawValue)|\(c.temperatureCelsius)|\(c.supplyVolts ?? -1)"
    }

    /// The OTA's figures at `conditions`.
    func figures(_ name: String, target: AmplifierParameters, conditions: OperatingConditions,
                 engine: NgspiceEngine) async throws(SweepError) -> AmplifierFigures {
        let key = AmplifierModels.key(name, target, conditions)
        if let cached = lock.withLock({ figures[key] }) { return cached }
        let ota = try self.ota(name, target)
        let t = try technology(name, conditions)
        let vcm = t.midRailVolts
        var deck = Deck(title: "crossloop sweep: Miller OTA open loop on \(t.identifier) at \(conditions.temperatureCelsius) C, \(t.supplyVolts) V")
        t.prepare(&deck)
        deck.subcircuits = [ota.subcircuit(name: "ota")]
        deck.elements = [
            .dcVoltage("dd", "vdd", "0", .number(t.supplyVolts)),
            .voltageSource(IndependentSource(name: "in", plus: "inp", minus: "0", dc: .number(vcm), ac: ACStimulus(magnitude: 1))),
            .instance(SubcircuitInstance(name: "ota", nodes: ["inp", "inn", "out", "vdd", "0"], subcircuit: "ota")),
            .capacitor("load", "out", "0", .number(AmplifierModels.loadFarads)),
            // DC: a follower through 1 GOhm (the offset); AC: open loop above 1e-9 Hz.
            .resistor("fb", "out", "inn", 1e9),
            .capacitor("fb", "inn", "0", 1),
        ]
        deck.analyses = [.operatingPoint, .ac(AC(sweep: .decade, points: 20, start: 1, stop: max(100 * target.gainBandwidthHertz, 1e6)))]
        let result: SimulationResult
        do {
            result = try await engine.run(deck, RunRequest(vectors: ["v(out)"], timeLimit: 120, variables: t.engineVariables))
        } catch {
            throw .invalidSpec("the Miller OTA on \(t.identifier) at \(conditions.temperatureCelsius) C did not simulate: \(error)")
        }
        guard let op = result.plot("op"), let vOut = op["v(out)"]?.real.first, let vIn = op["v(inp)"]?.real.first,
              let iSupply = op["i(vdd)"]?.real.first ?? op["i(Vdd)"]?.real.first,
              let ac = result.plot("ac"), let frequency = ac.scale?.real, let response = ac["v(out)"]?.complex,
              frequency.count == response.count, frequency.count > 2 else {
            throw .invalidSpec("the Miller OTA characterisation on \(t.identifier) returned no operating point or response")
        }
        let gain = response.map(\.magnitude)
        let a0 = gain[0]
        guard a0 > 1, let pole = crossing(frequency, gain, level: a0 / 2.0.squareRoot()) else {
            throw .invalidSpec("the Miller OTA on \(t.identifier) at \(conditions.temperatureCelsius) C, \(t.supplyVolts) V does not amplify (A0 = \(a0), V(out) = \(vOut) V): the conditions are outside what the design tolerates")
        }
        let f = AmplifierFigures(dcGain: a0, gainBandwidthHertz: a0 * pole, offsetVolts: -(vOut - vIn),
                                 supplyCurrentAmperes: -iSupply, powerWatts: -iSupply * t.supplyVolts)
        lock.withLock { figures[key] = f }
        return f
    }

    /// Per-amplifier offsets from device mismatch, volts (the behavioural convention), for
    /// `count` amplifiers of one sample: each minus the design's systematic offset, which the
    /// nominal figures already carry.
    func mismatchOffsets(_ name: String, target: AmplifierParameters, conditions: OperatingConditions, count: Int,
                         seed: UInt64, engine: NgspiceEngine) async throws(SweepError) -> [Double] {
        let key = AmplifierModels.key(name, target, conditions) + "|\(count)|\(seed)"
        if let cached = lock.withLock({ offsets[key] }) { return cached }
        let nominal = try await figures(name, target: target, conditions: conditions, engine: engine)
        let ota = try self.ota(name, target)
        let t = try AmplifierModels.withMismatch(technology(name, conditions))
        let vcm = t.midRailVolts
        var deck = Deck(title: "crossloop sweep: \(count) Miller OTA followers with device mismatch on \(t.identifier)")
        t.prepare(&deck)
        deck.subcircuits = [ota.subcircuit(name: "ota")]
        deck.elements = [.dcVoltage("dd", "vdd", "0", .number(t.supplyVolts)), .dcVoltage("in", "inp", "0", .number(vcm))]
        for k in 1...max(count, 1) {
            deck.elements.append(.instance(SubcircuitInstance(name: "ota\(k)", nodes: ["inp", "out\(k)", "out\(k)", "vdd", "0"], subcircuit: "ota")))
        }
        deck.analyses = [.operatingPoint]
        let result: SimulationResult
        do {
            result = try await engine.run(deck, RunRequest(vectors: (1...max(count, 1)).map { "v(out\($0))" }, timeLimit: 120,
                                                           variables: t.engineVariables, randomSeed: SeedStream.ngspiceSeed(seed)))
        } catch {
            throw .invalidSpec("the mismatch run of the Miller OTA on \(t.identifier) did not simulate: \(error)")
        }
        guard let op = result.plot("op") else { throw .invalidSpec("the mismatch run returned no operating point") }
        var out: [Double] = []
        for k in 1...max(count, 1) {
            guard let v = op["v(out\(k))"]?.real.first else { throw .invalidSpec("the mismatch run lost the output of follower \(k)") }
            out.append(-(v - vcm) - nominal.offsetVolts)
        }
        let result0 = Array(out.prefix(count))
        lock.withLock { offsets[key] = result0 }
        return result0
    }
}
