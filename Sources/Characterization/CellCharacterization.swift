import Reports
import Circuits
import Foundation
import Netlist
import Ngspice

/// A designer's cell on the bench: every code's conductance between its row and column pins,
/// the row held at the reference (where the loop's virtual grounds sit) and the column
/// `testVolts` above and below it, the gates driven as the stored bits drive them.
public enum CellCharacterization {
    public static func measure(_ block: UserBlock, technology t: Technology, referenceVolts: Double, testVolts: Double,
                               engine: NgspiceEngine) async throws(CharacterizationError) -> CellMeasurement {
        let bits = block.bits.count
        var deck = Deck(title: "crossloop cell characterisation: \(block.reference) on \(t.identifier), every code at +-\(formatSignificant(testVolts, 3)) V")
        t.prepare(&deck)
        if !deck.includes.contains(block.include) { deck.includes.append(block.include) }
        deck.elements = [.dcVoltage("dd", "vdd", "0", .number(t.supplyVolts)), .dcVoltage("ref", "ref", "0", .number(referenceVolts)),
                         .dcVoltage("hi", "hi", "0", .number(referenceVolts + testVolts)),
                         .dcVoltage("lo", "lo", "0", .number(referenceVolts - testVolts))]
        var probes: [String] = []
        for code in 0..<(1 << bits) {
            for (side, column) in [("p", "hi"), ("n", "lo")] {
                let name = "c\(code)\(side)"
                // The row current flows through a 0 V source into the reference.
                deck.elements.append(.dcVoltage("\(name)", "\(name)_row", "ref", .number(0)))
                deck.elements += block.instance(name, node: { role in
                    switch role {
                    case "row": return "\(name)_row"
                    case "column": return column
                    case "vdd": return "vdd"
                    case "vss": return "0"
                    case "ref": return "ref"
                    default:
                        // bits[m] / bitsBar[m]: the stored level or its complement.
                        let complement = role.hasPrefix("bitsBar")
                        let m = Int(role.drop { !$0.isNumber }.prefix { $0.isNumber }) ?? 0
                        let set = (code >> m) & 1 == 1
                        return set != complement ? "vdd" : "0"
                    }
                })
                probes.append("i(V\(name))")
            }
        }
        deck.analyses = [.operatingPoint]
        let result = try await simulate(engine, deck, t.request(vectors: probes))
        var levels: [Double] = []
        for code in 0..<(1 << bits) {
            guard let up = try values(result, "op", "i(Vc\(code)p)").first, let down = try values(result, "op", "i(Vc\(code)n)").first else {
                throw .measurement("\(block.reference): no row current for code \(code)")
            }
            // i(V) flows from the row into the reference: the cell's current towards the row.
            levels.append((up - down) / (2 * testVolts))
        }
        let measured = CellMeasurement(levelSiemens: levels, testVolts: testVolts)
        if let code = measured.firstNonMonotonicCode {
            let shown = levels.map { engineering($0, unit: "S") }.joined(separator: ", ")
            throw .block("\(block.reference): its levels are not monotonic: code \(code) conducts \(engineering(levels[code], unit: "S")), code \(code - 1) \(engineering(levels[code - 1], unit: "S")) (codes 0..\(levels.count - 1): \(shown)); check the order of bits in the pin map, least significant first")
        }
        return measured
    }
}
