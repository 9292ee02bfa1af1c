import CircuitTheory
import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
import Ngspice
import Testing
import Verification

@Suite("OTA characterisation on the real engine")
struct CharacterizationOTATests {
    let engine = CharacterizationEngine.engine

    func characterise(_ technology: Technology, _ spec: MillerOTA.Specification = .init()) async throws
        -> (MillerOTA, OTAMeasurement)
    {
        let ota = try MillerOTA(spec, technology: technology)
        let m = try await OTACharacterization.measure(ota, engine: engine)
        print("OTA \(technology.identifier): A0 \(m.dcGain) (\(m.dcGainDecibels) dB) GBW \(m.gainBandwidthHertz) fu \(m.unityGainHertz) PM \(m.phaseMarginDegrees) SR+ \(m.slewRisingVoltsPerSecond) SR- \(m.slewFallingVoltsPerSecond) ts \(m.settlingSeconds) Vos \(m.offsetVolts) I \(m.supplyCurrentAmperes) sim \(m.simulationSeconds) s | predicted A0 \(ota.prediction.dcGain) GBW \(ota.prediction.gainBandwidthHertz) PM \(ota.prediction.phaseMarginDegrees)")
        return (ota, m)
    }

    func expectWithinTargets(_ ota: MillerOTA, _ m: OTAMeasurement) {
        for check in OTACharacterization.checks(ota, m) {
            #expect(check.passed, "\(check.name): measured \(check.measured) \(check.unit), target \(check.target), tolerance \(check.tolerance)")
        }
    }

    /// The acceptance criterion itself: A0, GBW and PM each within 20 % of the sizing targets.
    func expectAcceptance(_ ota: MillerOTA, _ m: OTAMeasurement) {
        let s = ota.specification
        for (name, target, measured) in [("A0", s.dcGain, m.dcGain), ("GBW", s.gainBandwidthHertz, m.gainBandwidthHertz),
                                         ("PM", s.phaseMarginDegrees, m.phaseMarginDegrees)] {
            #expect(abs(measured / target - 1) <= 0.2, "\(name): measured \(measured), target \(target)")
        }
    }

    @Test("generic card, default targets: A0, GBW and PM within 20 %; offset, slew, settling and power sane")
    func genericDefault() async throws {
        let (ota, m) = try await characterise(.generic())
        expectWithinTargets(ota, m)
        expectAcceptance(ota, m)
        // Measured against the procedure's own prediction (tighter than the 20 % target band).
        #expect(abs(m.dcGain / ota.prediction.dcGain - 1) < 0.1)
        #expect(abs(m.offsetVolts) < 1e-3, "systematic offset \(m.offsetVolts) V")
        // Slew: the tail current over Cc, within a factor 2 either way.
        let slew = min(m.slewRisingVoltsPerSecond, m.slewFallingVoltsPerSecond)
        #expect(slew > 0.5 * ota.prediction.slewRateVoltsPerSecond && slew < 2 * ota.prediction.slewRateVoltsPerSecond, "slew \(slew) V/s")
        #expect(m.settlingSeconds > 0 && m.settlingSeconds < 200e-9, "settling \(m.settlingSeconds) s")
        #expect(abs(m.supplyCurrentAmperes / ota.prediction.supplyCurrentAmperes - 1) < 0.1)
        #expect(m.unityGainHertz < m.gainBandwidthHertz * 1.05)
    }

    @Test("generic card, other targets: 60 dB / 50 MHz into 1 pF and 76 dB / 10 MHz into 5 pF",
          arguments: [(1000.0, 50e6, 1e-12), (6000.0, 10e6, 5e-12)])
    func genericOtherTargets(gain: Double, gbw: Double, load: Double) async throws {
        let spec = MillerOTA.Specification(dcGain: gain, gainBandwidthHertz: gbw, loadCapacitanceFarads: load)
        let (ota, m) = try await characterise(.generic(), spec)
        expectWithinTargets(ota, m)
        expectAcceptance(ota, m)
    }

    /// Simulated, not predicted: the default OTA driving 4 pF instead of its 2 pF. GBW =
    /// gm1 / 2 pi Cc does not depend on CL (within 10 %), but the second pole gm6 / CL halves,
    /// so the margin falls (by at least 5 degrees). Re-sized for 4 pF, it meets its targets
    /// again (within 20 %) and has its margin back (within 5 degrees of the 2 pF design's).
    @Test("generic card into twice its load: the margin falls and GBW stays; re-sized for that load it meets its targets")
    func genericDoubledLoad() async throws {
        let (ota, nominal) = try await characterise(.generic())
        let overloaded = try await OTACharacterization.measure(ota, settings: .init(loadCapacitanceFarads: 4e-12), engine: engine)
        print("OTA generic into 4 pF: PM \(overloaded.phaseMarginDegrees) (2 pF: \(nominal.phaseMarginDegrees)), GBW \(overloaded.gainBandwidthHertz) (\(nominal.gainBandwidthHertz))")
        #expect(overloaded.phaseMarginDegrees < nominal.phaseMarginDegrees - 5,
                "PM into 4 pF \(overloaded.phaseMarginDegrees), into 2 pF \(nominal.phaseMarginDegrees)")
        #expect(abs(overloaded.gainBandwidthHertz / nominal.gainBandwidthHertz - 1) < 0.1,
                "GBW into 4 pF \(overloaded.gainBandwidthHertz), into 2 pF \(nominal.gainBandwidthHertz)")
        let (resized, m) = try await characterise(.generic(), .init(loadCapacitanceFarads: 4e-12))
        expectWithinTargets(resized, m)
        expectAcceptance(resized, m)
        #expect(abs(m.phaseMarginDegrees - nominal.phaseMarginDegrees) < 5, "re-sized PM \(m.phaseMarginDegrees), 2 pF design \(nominal.phaseMarginDegrees)")
    }

    @Test("generic card driving 20 kOhm to mid-rail (a crossbar line): the second stage keeps its gain")
    func genericResistiveLoad() async throws {
        let (ota, m) = try await characterise(.generic(), .init(loadResistanceOhms: 20e3))
        expectWithinTargets(ota, m)
        let unloaded = try MillerOTA(technology: .generic())
        #expect(ota.prediction.supplyCurrentAmperes > 2 * unloaded.prediction.supplyCurrentAmperes)
    }

    @Test("sky130 tt, default targets: A0, GBW and PM within 20 %", .enabled(if: PDK.available, PDK.skipMessage))
    func sky130Default() async throws {
        let (ota, m) = try await characterise(try PDK.technology())
        expectWithinTargets(ota, m)
        expectAcceptance(ota, m)
        #expect(abs(m.offsetVolts) < 2e-3, "systematic offset \(m.offsetVolts) V")
    }
}
