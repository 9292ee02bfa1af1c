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

@Suite("Converter characterisation on the real engine")
struct CharacterizationConverterTests {
    let engine = CharacterizationEngine.engine

    func expectLinearDAC(_ m: DACMeasurement, _ label: String) {
        let l = m.linearity
        print("DAC \(label): INL \(l.maxAbsINL) DNL \(l.maxAbsDNL) gain \(l.gainError) offset \(l.offsetLSB) LSB, sim \(m.simulationSeconds) s")
        #expect(l.monotonic, "\(label): missing codes \(l.missingCodes)")
        #expect(l.maxAbsINL < 0.5, "\(label): max |INL| \(l.maxAbsINL) LSB")
        #expect(l.maxAbsDNL < 0.5, "\(label): max |DNL| \(l.maxAbsDNL) LSB")
        #expect(abs(l.gainError) < 0.01, "\(label): gain error \(l.gainError)")
        #expect(abs(l.offsetLSB) < 0.5, "\(label): offset \(l.offsetLSB) LSB")
        #expect(l.inl.count == 256 && l.dnl.count == 255)
    }

    @Test("8-bit R-2R DAC on the generic card: code sweep INL and DNL below 0.5 LSB, monotonic")
    func genericDAC() async throws {
        let dac = try ResistorLadderDAC(technology: .generic())
        let m = try await ConverterCharacterization.dac(dac, engine: engine)
        expectLinearDAC(m, "generic")
        // The ends of the sweep are the ideal levels to a fraction of an LSB.
        #expect(abs(m.outputVolts[0] - dac.idealVolts(code: 0)) < 0.2 * dac.scale.lsbVolts)
        #expect(abs(m.outputVolts[255] - dac.idealVolts(code: 255)) < 0.2 * dac.scale.lsbVolts)
    }

    @Test("8-bit R-2R DAC on sky130 tt", .enabled(if: PDK.available, PDK.skipMessage))
    func sky130DAC() async throws {
        let m = try await ConverterCharacterization.dac(try ResistorLadderDAC(technology: try PDK.technology()), engine: engine)
        expectLinearDAC(m, "sky130")
    }

    func expectLinearADC(_ m: ADCMeasurement, _ label: String) {
        let l = m.linearity
        print("ADC \(label): INL \(l.maxAbsINL) DNL \(l.maxAbsDNL) gain \(l.gainError) offset \(l.offsetLSB) LSB, gross \(m.grossErrors)/\(m.conversions), supply \(m.averageSupplyAmperes) A, sim \(m.simulationSeconds) s, histogram \(m.histogram)")
        #expect(l.missingCodes.isEmpty, "\(label): missing codes \(l.missingCodes)")
        #expect(m.grossErrors == 0, "\(label): \(m.grossErrors) conversions off by more than one code")
        // Code density resolves 1/hits LSB: 4 hits per code, so 0.5 LSB allows one hit plus a margin.
        #expect(l.maxAbsDNL <= 0.5, "\(label): max |DNL| \(l.maxAbsDNL) LSB")
        #expect(l.maxAbsINL <= 0.5, "\(label): max |INL| \(l.maxAbsINL) LSB")
        #expect(abs(l.offsetLSB) <= 1, "\(label): offset \(l.offsetLSB) LSB")
        #expect(m.averageSupplyAmperes > 0 && m.averageSupplyAmperes < 1e-3)
    }

    @Test("4-bit SAR ADC on the generic card: ramp code density, no missing codes, |DNL| and |INL| <= 0.5 LSB")
    func genericADC() async throws {
        let adc = try SARADC(.init(bits: 4, fullScaleVolts: 0.4), technology: .generic())
        let m = try await ConverterCharacterization.adc(adc, hitsPerCode: 4, engines: [engine])
        expectLinearADC(m, "generic 4-bit")
        #expect(m.histogram.count == 16 && m.transitionVolts.count == 15)
    }

    @Test("4-bit SAR ADC on sky130 tt", .enabled(if: PDK.available, PDK.skipMessage))
    func sky130ADC() async throws {
        let adc = try SARADC(.init(bits: 4), technology: try PDK.technology())
        expectLinearADC(try await ConverterCharacterization.adc(adc, hitsPerCode: 4, engines: [engine]), "sky130 4-bit")
    }

    @Test("one 8-bit conversion from power-up reads back the ideal code, within one, at the documented time",
          arguments: [0.137, 0.6, 0.77, 1.05])
    func oneShot(volts: Double) async throws {
        let t = Technology.generic()
        let adc = try SARADC(technology: t)
        var deck = Deck(title: "one conversion")
        t.prepare(&deck)
        deck.subcircuits = [adc.subcircuit(name: "adc")]
        let r = adc.referenceVolts
        let timing = adc.timing(start: 20e-9)
        deck.elements = [.dcVoltage("dd", "vdd", "0", 1.2), .dcVoltage("refp", "vrefp", "0", .number(r.high)),
                         .dcVoltage("refn", "vrefn", "0", .number(r.low)), .dcVoltage("cm", "vcm", "0", 0.6),
                         .dcVoltage("in", "vin", "0", .number(volts))] + timing.sources(supply: 1.2, conversions: 1)
        let outputs = (0..<8).map { "d\($0)" }
        deck.elements.append(.instance(SubcircuitInstance(name: "adc", nodes: ["vin", "vcm", "vrefp", "vrefn", "clk", "samp", "vdd", "0"] + outputs, subcircuit: "adc")))
        deck.analyses = [.transient(Transient(step: 10e-9, stop: timing.readTime(0)))]
        let result = try await engine.run(deck, RunRequest(vectors: outputs.map { "v(\($0))" }, variables: t.engineVariables))
        let levels = try outputs.map { try #require(result.plot("tran")?["v(\($0))"]?.real.last) }
        let code = try #require(adc.code(fromOutputs: levels))
        #expect(abs(code - adc.idealCode(volts: volts)) <= 1, "V_in \(volts): code \(code), ideal \(adc.idealCode(volts: volts))")
        // The code as the mapping reads it: signed, rounded to the nearest LSB of +-FS / 127.
        let k = adc.scale.signedCode(binary: code)
        #expect(abs(Double(k) * adc.scale.lsbVolts - (volts - 0.6)) <= 1.5 * adc.scale.lsbVolts)
    }
}
