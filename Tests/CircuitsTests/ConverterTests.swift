import Circuits
import Foundation
import Netlist
import CircuitTheory
import Reference
import Testing

@Suite("DAC and SAR ADC generators (no simulator)")
struct ConverterTests {
    @Test("code conventions follow the mapping: binary c is signed c - 2^(N-1), LSB = FS / (2^(N-1) - 1)")
    func scale() {
        let s = ConverterScale(bits: 8, fullScaleVolts: 0.5, midRailVolts: 0.6)
        #expect(s.lsbVolts == 0.5 / 127)
        #expect(s.signedCode(binary: 128) == 0)
        #expect(s.signedCode(binary: 255) == 127)
        #expect(s.signedCode(binary: 0) == -127)  // -128 clips to the mapping's range
        #expect(s.binaryCode(signed: -127) == 1)
        #expect(s.binaryCode(signed: 500) == 255)
    }

    @Test("DAC: references put code 2^(N-1) at mid-rail and the mapping's LSB per code")
    func dacReferences() throws {
        let dac = try ResistorLadderDAC(technology: .generic())
        let lsb = 0.5 / 127
        #expect(abs(dac.idealVolts(code: 128) - 0.6) < 1e-12)
        #expect(abs(dac.idealVolts(code: 128 + 127) - (0.6 + 0.5)) < 1e-12)  // +FS is a code
        #expect(abs(dac.idealVolts(code: 129) - dac.idealVolts(code: 128) - lsb) < 1e-12)
        #expect(dac.code(forVolts: 0.6 + 10 * lsb) == 138)
        #expect(dac.code(forVolts: -5) == 0 && dac.code(forVolts: 5) == 255)
        #expect(dac.outputResistanceOhms == 10e3)
        // The mapping's converter parameters carry over; an ideal converter has no transistor form.
        let p = try ResistorLadderDAC.Parameters(ConverterParameters(bits: 6, fullScaleVolts: 0.3))
        #expect(p.bits == 6 && p.fullScaleVolts == 0.3)
        #expect(throws: ConverterDesignError.self) { try ResistorLadderDAC.Parameters(ConverterParameters(bits: nil)) }
    }

    @Test("DAC subcircuit: ports b0...b{N-1} vrefp vrefn out vdd vss, 6 MOS + leg per bit, switches sized to the target")
    func dacSubcircuit() throws {
        let dac = try ResistorLadderDAC(.init(bits: 6), technology: .generic())
        let sub = dac.subcircuit(name: "d6")
        #expect(sub.ports == ["b0", "b1", "b2", "b3", "b4", "b5", "vrefp", "vrefn", "out", "vdd", "vss"])
        let mos = sub.elements.filter { if case .mosfet = $0 { true } else { false } }.count
        let resistors = sub.elements.filter { if case .resistor = $0 { true } else { false } }.count
        #expect(mos == 6 * 6 + 2)
        #expect(resistors == 6 + 5 + 1)
        #expect(dac.switchResistanceOhms <= 0.002 * 2 * 10e3 * 1.0001, "estimated Ron \(dac.switchResistanceOhms)")
        let text = try Deck(title: "d", subcircuits: [sub]).text()
        #expect(text.contains("Rleg5 s5 out {2*r}"))
        #expect(text.contains("Rterm st x0 {2*r}"))
        // A looser target gives narrower switches.
        let loose = try ResistorLadderDAC(.init(bits: 6, switchResistanceFraction: 0.02), technology: .generic())
        #expect(loose.highSwitch.pmos < dac.highSwitch.pmos / 5)
        #expect(dac.codeSources(prefix: "b", code: 5).count == 6)
    }

    @Test("DAC parameters out of range are refused")
    func dacErrors() {
        #expect(throws: ConverterDesignError.invalidParameter(name: "bits", value: 1, requirement: "between 2 and 14")) {
            try ResistorLadderDAC(.init(bits: 1), technology: .generic())
        }
        #expect(throws: ConverterDesignError.self) { try ResistorLadderDAC(.init(fullScaleVolts: 0.7), technology: .generic()) }
        #expect(throws: ConverterDesignError.self) { try ResistorLadderDAC(.init(unitResistanceOhms: .infinity), technology: .generic()) }
    }

    @Test("ADC: references half an LSB below the DAC's, so truncation rounds to the nearest signed code")
    func adcReferences() throws {
        let adc = try SARADC(technology: .generic())
        let lsb = 0.5 / 127
        #expect(adc.idealCode(volts: 0.6) == 128)
        #expect(adc.idealCode(volts: 0.6 + 0.49 * lsb) == 128)
        #expect(adc.idealCode(volts: 0.6 + 0.51 * lsb) == 129)
        #expect(adc.idealCode(volts: 0.6 - 0.51 * lsb) == 127)
        #expect(adc.scale.signedCode(binary: adc.idealCode(volts: 0.6 + 0.5)) == 127)
        #expect(adc.code(fromOutputs: [1.2, 0, 1.2, 0, 0, 0, 0, 1.1]) == 1 + 4 + 128)
        #expect(adc.code(fromOutputs: [1.2]) == nil)
        #expect(abs(adc.samplingCapacitanceFarads - 256 * 4e-15) < 1e-20)
    }

    @Test("ADC timing: a conversion is (sampleCycles + N) periods; reads fall between register loads")
    func adcTiming() throws {
        let adc = try SARADC(.init(bits: 8, bitPeriodSeconds: 10e-9, sampleCycles: 2), technology: .generic())
        let timing = adc.timing(start: 1e-6)
        #expect(abs(timing.conversionSeconds - 100e-9) < 1e-18)
        #expect(abs(timing.sampleStart(0) - (1e-6 + 1.25e-9)) < 1e-18)
        #expect(abs(timing.sampleEnd(2) - (1e-6 + 200e-9 + 1.25e-9 + 20e-9)) < 1e-18)
        // Conversion j's code is loaded at start + (j + 1) P and held for one P.
        #expect(timing.readTime(0) > 1e-6 + 100e-9 && timing.readTime(0) < 1e-6 + 200e-9)
        let sources = timing.sources(supply: 1.2, conversions: 5)
        #expect(sources.count == 2)
        guard case .voltageSource(let clock) = sources[0], case .pulse(let pulse)? = clock.waveform else {
            Issue.record("the clock is not a pulse source"); return
        }
        #expect(pulse.period == 10e-9 && pulse.delay == 1e-6)
    }

    @Test("ADC subcircuit: ports, XSPICE models inside, one bridge per driver group, transistors per bit")
    func adcSubcircuit() throws {
        let adc = try SARADC(.init(bits: 6), technology: .generic())
        let sub = adc.subcircuit(name: "sar6")
        #expect(sub.ports == ["vin", "vcm", "vrefp", "vrefn", "clk", "samp", "vdd", "vss", "d0", "d1", "d2", "d3", "d4", "d5"])
        #expect(Set(sub.models.map(\.type)) == ["adc_bridge", "dac_bridge", "d_dff", "d_and", "d_or", "d_nand", "d_nor", "d_inverter", "d_buffer"])
        let mos = sub.elements.filter { if case .mosfet = $0 { true } else { false } }.count
        // Per bit: input gate (2) and reference switches (2); terminating unit: 3; top plate: 2;
        // comparator: 12 plus its equaliser (2).
        #expect(mos == 6 * 4 + 3 + 2 + 14)
        let caps = sub.elements.filter { if case .capacitor = $0 { true } else { false } }.count
        #expect(caps == 7)
        var deck = Deck(title: "adc", subcircuits: [sub])
        Technology.generic().prepare(&deck)
        let text = try deck.text()
        #expect(text.contains("Carr5 top bp5 {cu*32}"))
        #expect(text.contains("Aq5 keep g5 NULL sampd q5 NULL sar_ff"))
        // The MSB's reference switches are wider than the LSB's (its capacitor is 32x larger).
        #expect(adc.referenceSwitches[5].pmos > adc.referenceSwitches[0].pmos)
    }

    @Test("ADC parameters out of range are refused with the requirement")
    func adcErrors() {
        #expect(throws: ConverterDesignError.self) { try SARADC(.init(bits: 13), technology: .generic()) }
        #expect(throws: ConverterDesignError.self) { try SARADC(.init(bitPeriodSeconds: 1e-12), technology: .generic()) }
        do {
            _ = try SARADC(.init(bits: 4), technology: .generic())
            Issue.record("a 4-bit ADC with FS 0.5 V (references beyond the rails) was accepted")
        } catch {
            #expect("\(error)".contains("lower fullScaleVolts"))
        }
    }
}
