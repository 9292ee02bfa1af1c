import Circuits
import CircuitTheory
import Foundation
import Netlist
import Reference
import Specification
import Testing
import Verification

/// Row and column lines with resistance: the circuit solves, and it is the wired network
/// the Theory article ("Wire parasitics") describes, computed here by nodal analysis.
@Suite("Wire parasitics")
struct WireTests {
    let engine = SharedEngine.engine

    /// I + 0.5 R / sqrt(n) with column `positiveColumn` made all positive: the N array has no
    /// cell there, so nothing drives that column's negative line.
    static func matrix(_ n: Int, seed: UInt64, positiveColumn: Int) -> Matrix {
        var a = TestMatrices.wellConditioned(n, seed: seed)
        for i in 0..<n { a[i, positiveColumn] = abs(a[i, positiveColumn]) }
        return a
    }

    @Test("INV with wires on a column without negative cells: it solves, it is the wired network, and the error grows with R", arguments: [SignScheme.twoArrays, .signBit])
    func growsWithResistance(sign: SignScheme) async throws {
        let n = 8
        let problem = try Problem(operation: .inv, matrix: Self.matrix(n, seed: 11, positiveColumn: 3), vector: TestMatrices.vector(n, seed: 2))
        var options = SolveSpecification()
        options.design.mapping.cell.sign = sign
        let bare = try await Verifier.solve(problem, options, engine: engine)
        var previous = 0.0
        for ohms in [2.0, 10, 40] {
            options.design.circuit.wires = WireParasitics(resistanceOhms: ohms)
            let prepared = try Verifier.prepare(problem, options)
            let lines = prepared.deck.elements.map(\.name).filter { $0.hasPrefix("w") }
            // The undriven negative line of column 4 is not laid; every other line is.
            let undriven = sign == .twoArrays ? "wan_d4_" : "wa_dn4_"
            #expect(!lines.contains { $0.hasPrefix(undriven) }, "\(sign): \(undriven) laid")
            #expect(lines.contains { $0.hasPrefix(sign == .twoArrays ? "wap_d4_" : "wa_dp4_") })
            let verdict = try await Verifier.solve(problem, options, engine: engine)
            let network = try WiredINV.outputVolts(verdict.prediction.mapping, sign: sign, wireOhms: ohms,
                                                   openLoopGain: verdict.options.design.circuit.openLoopGain)
            let mismatch = verdict.outputVolts.minus(network).norm2 / network.norm2
            #expect(mismatch <= 1e-6, "\(sign), \(ohms) Ohm: simulated against the wired network \(mismatch)")
            // The IR drops move the outputs away from the wire-free circuit, more with more R.
            let shift = verdict.outputVolts.minus(bare.outputVolts).norm2 / bare.outputVolts.norm2
            #expect(shift > previous, "\(sign), \(ohms) Ohm: shift \(shift) after \(previous)")
            previous = shift
        }
        // First order in R: four times the resistance, about four times the shift.
        #expect(previous > 1e-4, "40 Ohm lines should move the outputs: \(previous)")
    }
}
