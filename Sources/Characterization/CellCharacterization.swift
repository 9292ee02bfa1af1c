import Reports
import Circuits
import Foundation
import Netlist
import Ngspice

/// A cell on the bench, a designer's or Crossloop's own: every code's conductance between its
/// row and column, the row held at the reference (where the loop's virtual grounds sit) and
/// the column `testVolts` above and below it, the gates driven as the stored bits drive them.
/// What the switches' on-conductance at that operating point does to each level is what the
/// verdict's switch term is made of.
public enum CellCharacterization {
    public static func measure(_ block: UserBlock, technology t: Technology, referenceVolts: Double, testVolts: Double,
                               engine: NgspiceEngine) async throws(CharacterizationError) -> CellMeasurement {
        let measured = try await measure(
            title: "\(block.reference) on \(t.identifier)", bits: block.bits.count, includes: [block.include], technology: t,
            referenceVolts: referenceVolts, testVolts: testVolts, engine: engine
        ) { name, code, row, column in
            block.instance(name, node: { role in
                switch role {
                case "row": return row
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
        }
        if let code = measured.firstNonMonotonicCode {
            let levels = measured.levelSiemens
            let shown = levels.map { engineering($0, unit: "S") }.joined(separator: ", ")
            throw .block("\(block.reference): its levels are not monotonic: code \(code) conducts \(engineering(levels[code], unit: "S")), code \(code - 1) \(engineering(levels[code - 1], unit: "S")) (codes 0..\(levels.count - 1): \(shown)); check the order of bits in the pin map, least significant first")
        }
        return measured
    }

    /// A cell as the array lays it at the unit conductance `unitSiemens`: Crossloop's own
    /// (every magnitude branch and its switch), or `block` (a designer's), with a sign bit
    /// inside Crossloop's two sign switches (the sign set to the V line, the -V line held
    /// opposite); its bits held by state sources.
    public static func measure(_ cell: SwitchedCell, block: UserBlock? = nil, magnitudeBits: Int, unitSiemens: Double, signBit: Bool,
                               testVolts: Double, engine: NgspiceEngine) async throws(CharacterizationError) -> CellMeasurement {
        var parameters = cell.parameters
        parameters.sram = .dc
        let bench = SwitchedCell(technology: cell.technology, parameters: parameters, referenceVolts: cell.referenceVolts)
        let t = cell.technology
        let what = block.map { "\($0.reference) as laid" } ?? "Crossloop's \(magnitudeBits)-bit cell"
        return try await measure(
            title: "\(what) at G0 = \(engineering(unitSiemens, unit: "S")) on \(t.identifier)",
            bits: magnitudeBits, includes: block.map { [$0.include] } ?? [], technology: t, referenceVolts: cell.referenceVolts,
            testVolts: testVolts, engine: engine
        ) { name, code, row, column in
            let stored = (0..<magnitudeBits).map { (code >> $0) & 1 == 1 } + (signBit ? [false] : [])
            let site = CellPlacement(name: name, plane: "bench", row: 0, column: 0, summing: row, positive: column,
                                     negative: signBit ? (column == "hi" ? "lo" : "hi") : nil,
                                     siemens: Double(code) * unitSiemens, bits: stored)
            if let block {
                return bench.userElements(site, block: block, magnitudeBits: magnitudeBits,
                                          fullScaleSiemens: unitSiemens * Double((1 << magnitudeBits) - 1), vdd: "vdd", vss: "0")
            }
            return bench.elements(site, magnitudeBits: magnitudeBits, unitSiemens: unitSiemens, vdd: "vdd", vss: "0")
        }
    }

    /// Every code of a cell between a row held at the reference (through a 0 V source whose
    /// current is the cell's) and a column `testVolts` above and below it; each level is the
    /// mean conductance of the two.
    static func measure(title: String, bits: Int, includes: [Include], technology t: Technology, referenceVolts: Double,
                        testVolts: Double, engine: NgspiceEngine,
                        cell: (_ name: String, _ code: Int, _ row: String, _ column: String) -> [Element])
        async throws(CharacterizationError) -> CellMeasurement
    {
        var deck = Deck(title: "crossloop cell characterisation: \(title), every code at +-\(formatSignificant(testVolts, 3)) V")
        t.prepare(&deck)
        for include in includes where !deck.includes.contains(include) { deck.includes.append(include) }
        deck.elements = [.dcVoltage("dd", "vdd", "0", .number(t.supplyVolts)), .dcVoltage("ref", "ref", "0", .number(referenceVolts)),
                         .dcVoltage("hi", "hi", "0", .number(referenceVolts + testVolts)),
                         .dcVoltage("lo", "lo", "0", .number(referenceVolts - testVolts))]
        var probes: [String] = []
        for code in 0..<(1 << bits) {
            for (side, column) in [("p", "hi"), ("n", "lo")] {
                let name = "c\(code)\(side)"
                // The row current flows through a 0 V source into the reference.
                deck.elements.append(.dcVoltage("\(name)", "\(name)_row", "ref", .number(0)))
                deck.elements += cell(name, code, "\(name)_row", column)
                probes.append("i(V\(name))")
            }
        }
        deck.analyses = [.operatingPoint]
        let result = try await simulate(engine, deck, t.request(vectors: probes))
        var levels: [Double] = []
        for code in 0..<(1 << bits) {
            guard let up = try values(result, "op", "i(Vc\(code)p)").first, let down = try values(result, "op", "i(Vc\(code)n)").first else {
                throw .measurement("\(title): no row current for code \(code)")
            }
            // i(V) flows from the row into the reference: the cell's current towards the row.
            levels.append((up - down) / (2 * testVolts))
        }
        return CellMeasurement(levelSiemens: levels, testVolts: testVolts)
    }
}
