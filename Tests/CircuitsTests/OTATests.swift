import Circuits
import Foundation
import Netlist
import Testing

@Suite("Miller OTA sizing (no simulator)")
struct OTATests {
    @Test("default generic design: predictions meet the targets, mirror and offset conditions hold")
    func genericDefault() throws {
        let ota = try MillerOTA(technology: .generic())
        let p = ota.prediction
        // The searches (stage lengths by bisection on the tables, gm6 for the margin) land on
        // the targets. (GBW = gm1 / 2 pi Cc, Cc = 0.3 CL, Rz gm6 = 1 and I5 = 2 I1 hold by
        // construction and are not asserted; CharacterizationOTATests measures the design.)
        #expect(abs(p.dcGain / 3000 - 1) < 0.01, "predicted A0 \(p.dcGain)")
        #expect(abs(p.phaseMarginDegrees - 60) < 0.1, "predicted PM \(p.phaseMarginDegrees)")
        // The pair shares one geometry (a mismatch would be a systematic offset).
        let m1 = try #require(ota.device("m1")), m2 = try #require(ota.device("m2"))
        #expect(m1.width == m2.width && m1.length == m2.length)
        // Every device is at least the minimum size and inside the technology.
        for d in ota.devices {
            #expect(d.width >= Technology.generic().nmos.minimumWidth && d.length >= 100e-9, "\(d.name)")
        }
        // Input headroom: the tail sits above the tail source's saturation voltage.
        #expect(p.tailVolts > 2 / ota.specification.sinkGmOverId)
        #expect(p.outputLowVolts < 0.2 && p.outputHighVolts > 1.0)
        #expect(p.powerWatts > 0 && p.powerWatts < 200e-6, "power \(p.powerWatts)")
    }

    /// The gm/Id procedure at fixed targets is scale-invariant in the load: gm/Id, lengths and
    /// so every current density stay; Cc, gm1 and every current scale with CL; widths follow
    /// the currents, and with them the parasitic capacitances, so the poles stay where they
    /// were. Twice the load must give the same design twice as wide (widths within the 2 %
    /// the drawing grid can move a 1 um device), with the same margin; the bias reference,
    /// fixed, keeps the supply current below twice.
    @Test("twice the load at the same targets: the same design twice as wide, its poles and margin kept")
    func doubledLoad() throws {
        let base = try MillerOTA(technology: .generic())
        let heavy = try MillerOTA(.init(loadCapacitanceFarads: 4e-12), technology: .generic())
        for name in ["m1", "m2", "m3", "m4", "m5", "m6", "m7"] {
            let a = try #require(base.device(name)), b = try #require(heavy.device(name))
            #expect(a.length == b.length && a.gmOverId == b.gmOverId, "\(name): L \(a.length) -> \(b.length), gm/Id \(a.gmOverId) -> \(b.gmOverId)")
            #expect(abs(b.drainCurrent / a.drainCurrent - 2) < 0.02, "\(name): I \(a.drainCurrent) -> \(b.drainCurrent)")
            #expect(abs(b.width / a.width - 2) < 0.04, "\(name): W \(a.width) -> \(b.width)")
        }
        // The bias diode m8 carries the fixed reference current: its width stays.
        #expect(try #require(heavy.device("m8")).width == (try #require(base.device("m8"))).width)
        let p = base.prediction, q = heavy.prediction
        #expect(abs(q.secondPoleHertz / p.secondPoleHertz - 1) < 0.02, "p2 \(p.secondPoleHertz) -> \(q.secondPoleHertz)")
        #expect(abs(q.mirrorPoleHertz / p.mirrorPoleHertz - 1) < 0.02, "mirror pole \(p.mirrorPoleHertz) -> \(q.mirrorPoleHertz)")
        #expect(abs(q.phaseMarginDegrees - 60) < 0.1 && abs(q.dcGain / 3000 - 1) < 0.01)
        let current = q.supplyCurrentAmperes / p.supplyCurrentAmperes
        #expect(current > 1.5 && current < 2, "supply current x\(current)")
        // The slew rate, I5 / Cc, stays.
        #expect(abs(q.slewRateVoltsPerSecond / p.slewRateVoltsPerSecond - 1) < 0.02)
    }

    @Test("sizing is deterministic and written as a stable subcircuit")
    func stableSubcircuit() throws {
        let a = try MillerOTA(technology: .generic()).subcircuit(name: "amp")
        let b = try MillerOTA(technology: .generic()).subcircuit(name: "amp")
        #expect(a == b)
        #expect(a.ports == ["inp", "inn", "out", "vdd", "vss"])
        #expect(a.elements.count == 11)
        var deck = Deck(title: "ota", subcircuits: [a])
        Technology.generic().prepare(&deck)
        let text = try deck.text()
        #expect(text.contains(".subckt amp inp inn out vdd vss params: cc=6e-13"))
        #expect(text.contains("m2 n2 inp tail vss cl90n"))
        #expect(text.contains("Ibias vdd nb dc {ibias}"))
        #expect(text.contains("Rz n2 nz {rz}"))
        #expect(text.contains("Cc nz out {cc}"))
    }

    @Test("a higher gain target lengthens the channels; a higher GBW raises the currents")
    func trends() throws {
        let base = try MillerOTA(technology: .generic())
        let gainy = try MillerOTA(.init(dcGain: 6000), technology: .generic())
        let fast = try MillerOTA(.init(gainBandwidthHertz: 45e6), technology: .generic())
        let l = { (o: MillerOTA) in o.devices.map(\.length).max() ?? 0 }
        #expect(l(gainy) > l(base))
        #expect(fast.prediction.supplyCurrentAmperes > 1.3 * base.prediction.supplyCurrentAmperes)
    }

    @Test("targets out of reach are refused with what to relax")
    func unreachable() throws {
        do {
            _ = try MillerOTA(.init(dcGain: 1e6), technology: .generic())
            Issue.record("A0 = 1e6 was accepted")
        } catch {
            #expect("\(error)".contains("lower the DC gain"), "\(error)")
        }
        do {
            _ = try MillerOTA(.init(phaseMarginDegrees: 85, compensationRatio: 0.05), technology: .generic())
            Issue.record("PM 85 with tiny Cc was accepted")
        } catch {
            #expect("\(error)".contains("phase margin"), "\(error)")
        }
        #expect(throws: AmplifierDesignError.invalidSpecification(name: "gainBandwidthHertz", value: -1, requirement: "in (0, 5 GHz]")) {
            try MillerOTA(.init(gainBandwidthHertz: -1), technology: .generic())
        }
        #expect(throws: AmplifierDesignError.self) { try MillerOTA(.init(loadCapacitanceFarads: .nan), technology: .generic()) }
        do {
            _ = try MillerOTA(.init(inputCommonModeVolts: 0.3), technology: .generic())
            Issue.record("a 0.3 V common mode was accepted for an NMOS pair")
        } catch {
            #expect("\(error)".contains("raise inputGmOverId or the common mode"), "\(error)")
        }
    }

    @Test("design values name every target, device and prediction with units")
    func designValues() throws {
        let values = try MillerOTA(technology: .generic()).designValues
        let names = Set(values.map(\.name))
        for key in ["ota.target.dcGain", "ota.target.gbw", "ota.target.phaseMargin", "ota.load", "ota.ibias", "ota.cc",
                    "ota.rz", "ota.m6.w", "ota.m6.l", "ota.predicted.phaseMargin", "ota.predicted.power"] {
            #expect(names.contains(key), "\(key) missing")
        }
        #expect(values.allSatisfy { $0.value.isFinite })
        #expect(values.first { $0.name == "ota.cc" }?.unit == "F")
    }
}
