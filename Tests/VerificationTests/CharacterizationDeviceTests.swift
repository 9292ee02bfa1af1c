import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
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

