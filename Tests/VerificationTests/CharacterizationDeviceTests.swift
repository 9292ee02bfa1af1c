import CircuitTheory
import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
import Testing
import Verification

/// One engine (one library copy) for the characterisation suites.
enum CharacterizationEngine {
    static let engine: NgspiceEngine = {
        do { return try NgspiceEngine() } catch { fatalError("libngspice is required for these tests: \(error)") }
    }()
}

/// The sky130 models in the cache, or nil (tests that need them are skipped with the fetch hint).
enum PDK {
    static let available = Sky130PDK.isAvailable()
    static let skipMessage: Comment = "sky130 models not fetched: \(Sky130PDK.fetchHint)"
    static func technology(_ corner: ProcessCorner = .tt) throws -> Technology {
        try Technology.sky130(pdk: Sky130PDK.locate(), corner: corner)
    }
}

@Suite("Device tables: the stored gm/Id tables against the models")
struct CharacterizationDeviceTests {
    let engine = CharacterizationEngine.engine

    /// Re-extracts `technology`'s tables and compares them with the built-in ones: current
    /// densities within 3 %, |V_GS| within 5 mV, Early voltages within 5 %, capacitances and the
    /// triode factor within 3 %. With CROSSLOOP_WRITE_TABLES=<dir> it writes the extracted
    /// tables as Swift source there (how the built-in tables were produced).
    func check(_ technology: Technology, stored: SizingData, file: String) async throws {
        let fresh = try await DeviceCharacterization.sizingData(technology, engine: engine)
        if let directory = ProcessInfo.processInfo.environment["CROSSLOOP_WRITE_TABLES"] {
            let text = DeviceCharacterization.swiftSource(fresh)
            try text.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        }
        for polarity in MOSPolarity.allCases {
            let a = fresh.table(polarity), b = stored.table(polarity)
            #expect(a.lengths == b.lengths && a.gmOverId == b.gmOverId, "\(polarity) grid differs")
            guard a.lengths == b.lengths, a.gmOverId == b.gmOverId else { continue }
            for i in a.lengths.indices {
                for j in a.gmOverId.indices {
                    let where_ = "\(polarity)MOS L=\(a.lengths[i]) gm/Id=\(a.gmOverId[j])"
                    let dj = abs(a.currentDensity[i][j] / b.currentDensity[i][j] - 1)
                    #expect(dj <= 0.03, "\(where_): current density \(a.currentDensity[i][j]) vs stored \(b.currentDensity[i][j])")
                    let dv = abs(a.gateSourceVolts[i][j] - b.gateSourceVolts[i][j])
                    #expect(dv <= 0.005, "\(where_): |V_GS| \(a.gateSourceVolts[i][j]) vs stored \(b.gateSourceVolts[i][j])")
                    let da = abs(a.earlyVoltage[i][j] / b.earlyVoltage[i][j] - 1)
                    #expect(da <= 0.05, "\(where_): VA \(a.earlyVoltage[i][j]) vs stored \(b.earlyVoltage[i][j])")
                    let djLow = abs(a.currentDensityAtLowDrain[i][j] / b.currentDensityAtLowDrain[i][j] - 1)
                    #expect(djLow <= 0.03, "\(where_): low-drain current density \(a.currentDensityAtLowDrain[i][j]) vs stored \(b.currentDensityAtLowDrain[i][j])")
                    let daLow = abs(a.earlyVoltageAtLowDrain[i][j] / b.earlyVoltageAtLowDrain[i][j] - 1)
                    #expect(daLow <= 0.05, "\(where_): low-drain VA \(a.earlyVoltageAtLowDrain[i][j]) vs stored \(b.earlyVoltageAtLowDrain[i][j])")
                }
            }
            #expect(abs(a.gateCapacitancePerArea / b.gateCapacitancePerArea - 1) <= 0.03)
            #expect(abs(a.gateCapacitancePerWidth / b.gateCapacitancePerWidth - 1) <= 0.03)
            #expect(abs(a.triodeFactor / b.triodeFactor - 1) <= 0.03)
            #expect(abs(a.triodeThresholdVolts - b.triodeThresholdVolts) <= 0.005)
            #expect(a.triodeGateVolts.count == b.triodeGateVolts.count)
            let top = b.triodeConductance.max() ?? 0
            for (x, y) in zip(a.triodeConductance, b.triodeConductance) where y > 0.01 * top {
                #expect(abs(x / y - 1) <= 0.03, "\(polarity)MOS triode curve \(x) vs stored \(y)")
            }
        }
    }

    @Test("the generic card's stored tables match its BSIM4 models")
    func genericTables() async throws {
        try await check(.generic(), stored: GenericCard.sizing, file: "generic.swift")
    }

    @Test("sky130 tt tables match the fetched models", .enabled(if: PDK.available, PDK.skipMessage))
    func sky130Tables() async throws {
        try await check(try PDK.technology(), stored: Sky130Devices.sizing, file: "sky130.swift")
    }

    /// One bias point between the table's grid points, simulated on its own.
    struct Probe {
        var polarity: MOSPolarity
        var length: Double
        var gmOverId: Double
        var predicted: DevicePoint
        var measuredDensity = 0.0
        var measuredGmOverId = 0.0
        var measuredEarly = 0.0
    }

    /// Bias points NOT in the table (geometric middles of adjacent lengths, arithmetic middles
    /// of adjacent gm/Id columns), each simulated as its own device at the interpolated |V_GS|
    /// and the table's |V_DS|, with another width than the extraction's (2 um against 5 um):
    /// the measured I_D / W, gm / I_D (from V_GS + 1 mV) and V_A = I_D / gds (from V_DS + 20 mV).
    func probes(_ technology: Technology, _ table: SizingData) async throws -> [Probe] {
        var probes: [Probe] = []
        for polarity in MOSPolarity.allCases {
            let t = table.table(polarity)
            for i in stride(from: 0, to: t.lengths.count - 1, by: 2) {
                for j in stride(from: 0, to: t.gmOverId.count - 1, by: 2) {
                    let length = (t.lengths[i] * t.lengths[i + 1]).squareRoot(), g = (t.gmOverId[j] + t.gmOverId[j + 1]) / 2
                    probes.append(Probe(polarity: polarity, length: length, gmOverId: g,
                                        predicted: try t.point(length: length, gmOverId: g)))
                }
            }
        }
        let width = 2e-6, dv = 1e-3, dvd = 20e-3
        var deck = Deck(title: "gm/Id table check at off-grid bias points")
        technology.prepare(&deck)
        var vectors: [String] = []
        for (k, p) in probes.enumerated() {
            let sign: Double = p.polarity == .n ? 1 : -1
            let vds = table.table(p.polarity).drainSourceVolts
            for (suffix, gate, drain) in [("a", p.predicted.gateSourceVolts, vds), ("b", p.predicted.gateSourceVolts + dv, vds),
                                          ("c", p.predicted.gateSourceVolts, vds + dvd)] {
                deck.elements.append(.dcVoltage("g\(k)\(suffix)", "g\(k)\(suffix)", "0", .number(sign * gate)))
                deck.elements.append(.dcVoltage("d\(k)\(suffix)", "d\(k)\(suffix)", "0", .number(sign * drain)))
                deck.elements.append(technology.transistor("m\(k)\(suffix)", p.polarity, drain: "d\(k)\(suffix)", gate: "g\(k)\(suffix)",
                                                           source: "0", bulk: "0", width: width, length: p.length))
                vectors.append("i(Vd\(k)\(suffix))")
            }
        }
        deck.analyses = [.operatingPoint]
        let result = try await engine.run(try PreparedDeck(deck: deck), RunRequest(vectors: vectors, timeLimit: 60,
                                                                                   variables: technology.engineVariables))
        let op = try #require(result.plot("op"))
        for k in probes.indices {
            func current(_ suffix: String) throws -> Double { abs(try #require(op["i(Vd\(k)\(suffix))"]?.real.first)) }
            let a = try current("a"), b = try current("b"), c = try current("c")
            probes[k].measuredDensity = a / width
            probes[k].measuredGmOverId = (b - a) / dv / a
            probes[k].measuredEarly = a / ((c - a) / dvd)
        }
        return probes
    }

    /// How far the tables may be from the models between their grid points.
    struct Tolerances {
        var density: Double
        var gmOverId: Double
        var early: Double
    }

    /// What the sizing takes from the tables, checked where they hold no point: W = I / J
    /// puts a current-density error straight into a device's current, and gm/Id at the
    /// interpolated |V_GS| into its gm; the Early voltage sets the gain only through a
    /// bisection on L.
    func checkInterpolation(_ technology: Technology, _ table: SizingData, within tolerance: Tolerances) async throws {
        let probes = try await probes(technology, table)
        #expect(probes.count >= 2 * 4 * 3)
        var worst = (density: 0.0, gm: 0.0, early: 0.0)
        for p in probes {
            let at = "\(technology.identifier) \(p.polarity.rawValue)MOS L = \(p.length) m, gm/Id = \(p.gmOverId) S/A"
            let density = abs(p.measuredDensity / p.predicted.currentDensity - 1)
            let gm = abs(p.measuredGmOverId / p.gmOverId - 1)
            let early = abs(p.measuredEarly / p.predicted.earlyVoltage - 1)
            worst = (max(worst.density, density), max(worst.gm, gm), max(worst.early, early))
            #expect(density <= tolerance.density, "\(at): I_D/W \(p.measuredDensity) A/m, table \(p.predicted.currentDensity) A/m")
            #expect(gm <= tolerance.gmOverId, "\(at): measured gm/Id \(p.measuredGmOverId) S/A at the table's |V_GS| \(p.predicted.gateSourceVolts) V")
            #expect(early <= tolerance.early, "\(at): V_A \(p.measuredEarly) V, table \(p.predicted.earlyVoltage) V")
            // Physics: gm/Id <= 1 / (n U_T) with n >= 1, so below q / kT (38.7 S/A at 27 C).
            #expect(p.measuredGmOverId > 0 && p.measuredGmOverId < 1 / (1.380649e-23 * 300.15 / 1.602176634e-19))
        }
        print("\(technology.identifier) tables at \(probes.count) off-grid points: worst I_D/W \(worst.density), gm/Id \(worst.gm), V_A \(worst.early)")
    }

    /// The generic card's BSIM4 models are smooth in L and W: the log-bilinear interpolation
    /// is within 2.8 % (I_D/W), 1.8 % (gm/Id) and 8.2 % (V_A) today. Required: 5 %, 5 % and
    /// 15 %, a quarter of the 20 % the OTA acceptance allows on A0, GBW and PM for the
    /// current and gm, which W = I / J and gm = (gm/Id) I carry one to one.
    @Test("the generic card's tables interpolate to what its models simulate at bias points not in the table")
    func genericInterpolation() async throws {
        try await checkInterpolation(.generic(), GenericCard.sizing, within: Tolerances(density: 0.05, gmOverId: 0.05, early: 0.15))
    }

    /// sky130's models are binned in L and W, with halo implants (a reverse short-channel
    /// effect): between the grid lengths, and at 2 um against the 5 um of the extraction, the
    /// tables are off by up to 32 % (I_D/W, nMOS near L_min, pMOS at low gm/Id), 11 % (gm/Id)
    /// and 33 % (V_A) today. Held to 40 %, 20 % and 40 %: a table off by a factor (a units or
    /// bin slip) still fails. The sizing's margin, not the tables, absorbs the rest (the sky130
    /// OTA meets its targets within 20 % in CharacterizationOTATests).
    @Test("sky130 tt tables interpolate to what the fetched models simulate at bias points not in the table",
          .enabled(if: PDK.available, PDK.skipMessage))
    func sky130Interpolation() async throws {
        try await checkInterpolation(try PDK.technology(), Sky130Devices.sizing, within: Tolerances(density: 0.4, gmOverId: 0.2, early: 0.4))
    }

    @Test("the stored tables obey device physics: gm/Id below q/kT, current falling with gm/Id and with L, V_A rising with L")
    func tablePhysics() {
        for (name, data) in [("generic", GenericCard.sizing), ("sky130", Sky130Devices.sizing)] {
            for polarity in MOSPolarity.allCases {
                let t = data.table(polarity)
                let at = "\(name) \(polarity.rawValue)MOS"
                #expect(t.gmOverId.allSatisfy { $0 > 0 && $0 < 38.7 }, "\(at): gm/Id \(t.gmOverId)")
                for i in t.lengths.indices {
                    // Deeper inversion (lower gm/Id) carries more current per width and needs more |V_GS|.
                    #expect(zip(t.currentDensity[i], t.currentDensity[i].dropFirst()).allSatisfy { $0 > $1 }, "\(at) L = \(t.lengths[i])")
                    #expect(zip(t.gateSourceVolts[i], t.gateSourceVolts[i].dropFirst()).allSatisfy { $0 > $1 }, "\(at) L = \(t.lengths[i])")
                }
                for j in t.gmOverId.indices {
                    let column = t.lengths.indices.map { t.currentDensity[$0][j] }
                    // At a given inversion level the current per width falls with L beyond
                    // 2 L_min (below, sky130's halo implants make it rise: the reverse
                    // short-channel effect), and in long channels about as 1/L: J L within
                    // a factor 1.5 between the two longest devices.
                    let long = t.lengths.indices.filter { t.lengths[$0] >= 2 * t.lengths[0] * (1 - 1e-9) }.map { column[$0] }
                    #expect(zip(long, long.dropFirst()).allSatisfy { $0 > $1 }, "\(at) gm/Id = \(t.gmOverId[j]): J \(column) at L \(t.lengths)")
                    let n = t.lengths.count
                    let ratio = column[n - 1] * t.lengths[n - 1] / (column[n - 2] * t.lengths[n - 2])
                    #expect(ratio > 1 / 1.5 && ratio < 1.5, "\(at) gm/Id = \(t.gmOverId[j]): J L ratio \(ratio)")
                    // ... and the Early voltage grows with L from the shortest to the longest device.
                    let early = t.lengths.indices.map { t.earlyVoltage[$0][j] }
                    #expect(early.last! > 2 * early.first!, "\(at) gm/Id = \(t.gmOverId[j]): V_A \(early)")
                }
            }
        }
    }

    @Test("the generic card behaves like a 90-nm-class process: V_T, on and off current, swing, Early voltage")
    func genericCardFigures() async throws {
        let t = try await DeviceCharacterization.figures(.generic(), engine: engine)
        for (polarity, f) in [(MOSPolarity.n, t.nmos), (.p, t.pmos)] {
            #expect((0.27...0.35).contains(f.thresholdVolts), "\(polarity) V_T \(f.thresholdVolts)")
            #expect((70...100).contains(f.subthresholdSwingMillivoltsPerDecade), "\(polarity) SS \(f.subthresholdSwingMillivoltsPerDecade)")
            #expect(f.offCurrentPerWidth < 100e-9 / 1e-6, "\(polarity) I_off \(f.offCurrentPerWidth) A/m")
        }
        // A/m is uA/um: NMOS 500-900 uA/um, PMOS 200-450 uA/um at L_min.
        #expect((500...900).contains(t.nmos.onCurrentPerWidth), "NMOS I_on \(t.nmos.onCurrentPerWidth) A/m")
        #expect((200...450).contains(t.pmos.onCurrentPerWidth), "PMOS I_on \(t.pmos.onCurrentPerWidth) A/m")
    }
}

