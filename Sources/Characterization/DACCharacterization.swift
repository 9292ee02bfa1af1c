import Circuits
import Foundation
import Netlist
import Ngspice
import Reports

/// A designer's DAC on the bench: every code's output, unloaded, with its references at
/// those of Crossloop's DAC for the same scale, and its output resistance at the middle code.
public enum DACCharacterization {
    /// The current drawn from the output to measure its resistance, amperes.
    static let testAmperes = 1e-6

    public static func measure(_ block: UserBlock, reference dac: ResistorLadderDAC, engine: NgspiceEngine)
        async throws(CharacterizationError) -> UserDACMeasurement
    {
        let t = dac.technology, n = block.bits.count, references = dac.referenceVolts
        var deck = Deck(title: "crossloop DAC characterisation: \(block.reference) on \(t.identifier), every code of \(n) bits")
        t.prepare(&deck)
        if !deck.includes.contains(block.include) { deck.includes.append(block.include) }
        deck.subcircuits = [block.dacSubcircuit(name: "user_dac", referenceVolts: dac.scale.midRailVolts)]
        deck.elements = [.dcVoltage("dd", "vdd", "0", .number(t.supplyVolts)),
                         .dcVoltage("refp", "vrefp", "0", .number(references.high)),
                         .dcVoltage("refn", "vrefn", "0", .number(references.low))]
        func instance(_ name: String, code: Int) -> Element {
            let bits = (0..<n).map { (code >> $0) & 1 == 1 ? "vdd" : "0" }
            return .instance(SubcircuitInstance(name: name, nodes: bits + ["vrefp", "vrefn", "\(name)_out", "vdd", "0"], subcircuit: "user_dac"))
        }
        for code in 0..<(1 << n) { deck.elements.append(instance("c\(code)", code: code)) }
        deck.elements.append(instance("z", code: dac.scale.midCode))
        deck.elements.append(.currentSource(IndependentSource(name: "z", plus: "z_out", minus: "0", dc: .number(testAmperes))))
        deck.analyses = [.operatingPoint]
        let probes = (0..<(1 << n)).map { "v(c\($0)_out)" } + ["v(z_out)"]
        let result = try await simulate(engine, deck, t.request(vectors: probes))
        var volts: [Double] = []
        for probe in probes {
            guard let v = try values(result, "op", probe).first else { throw .measurement("\(block.reference): no \(probe)") }
            volts.append(v)
        }
        let loaded = volts.removeLast()
        let measured = UserDACMeasurement(codeVolts: volts, idealVolts: (0..<(1 << n)).map { dac.idealVolts(code: $0) },
                                      lsbVolts: dac.idealVolts(code: 1) - dac.idealVolts(code: 0),
                                      outputResistanceOhms: (volts[dac.scale.midCode] - loaded) / testAmperes)
        if let code = measured.firstNonMonotonicCode {
            throw .block("\(block.reference): its output is not monotonic: code \(code) gives \(formatSignificant(volts[code], 5)) V, code \(code - 1) \(formatSignificant(volts[code - 1], 5)) V; check the order of bits in the pin map, least significant first")
        }
        return measured
    }
}
