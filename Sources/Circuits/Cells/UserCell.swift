import Netlist

extension SwitchedCell {
    /// Elements of a designer's cell at `site`: their subcircuit between the summing (row)
    /// line and the drive (column) line, its bit gates on the stored bits (state sources or
    /// 6T latches, as for Crossloop's own cells), and with a sign bit Crossloop's two sign
    /// switches between the cell and the V and -V lines, sized for `fullScaleSiemens`.
    public func userElements(_ site: CellPlacement, block: UserBlock, magnitudeBits: Int, fullScaleSiemens: Double,
                             vdd: String, vss: String) -> [Element] {
        precondition(block.bits.count == magnitudeBits, "the cell's bit gates match the design's bits")
        var out: [Element] = []
        let drive = site.negative == nil ? site.positive : "\(site.name)_c"
        var gates: [String: String] = [:]
        for bit in 0..<magnitudeBits {
            let gate = storedBit(site, bit, complement: !block.bitsBar.isEmpty, vdd: vdd, vss: vss, into: &out)
            gates["bits[\(bit)]"] = gate.q
            gates["bitsBar[\(bit)]"] = gate.qb
        }
        out += block.instance(site.name, node: { role in
            switch role {
            case "row": return site.summing
            case "column": return drive
            case "vdd": return vdd
            case "vss": return vss
            case "ref": return "ref"
            default: return gates[role] ?? role
            }
        })
        if let negative = site.negative {
            let sign = storedBit(site, magnitudeBits, complement: true, vdd: vdd, vss: vss, into: &out)
            out += signElements(name: site.name, cell: drive, positive: site.positive, negative: negative, sign: sign,
                                fullScaleSiemens: fullScaleSiemens, vdd: vdd, vss: vss)
        }
        return out
    }
}
