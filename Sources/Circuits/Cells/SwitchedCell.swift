import Netlist
import CircuitTheory
import Reference

/// How a cell's switches are built and what holds their gates.
public struct SwitchedCellParameters: Sendable, Hashable {
    /// R_on / R of every branch at the operating point: switches are sized so that each bit's
    /// switch has this fraction of the branch's resistance. Default 2 %.
    public var onResistanceFraction: Double
    /// The resistors are shortened by the estimated R_on, so a branch's total is its nominal
    /// value at the operating point (the residual, from R_on's voltage dependence and body
    /// effect, shows up in the verdict). Default on.
    public var compensateOnResistance: Bool
    /// The stored bits: a state source per bit (default), or a 6T SRAM latch per bit.
    public var sram: SRAMModel
    /// `.full`: how long the word line of one row is high while the write phase writes it,
    /// seconds. Default 2 ns.
    public var writeSlotSeconds: Double
    /// `.dc`: the output resistance of a stored bit's level (a latch's output), ohms: each
    /// bit is a current into this resistor, not a voltage source, because ngspice gives every
    /// voltage source a branch equation and deletes each one through a linear search of its
    /// node list on every re-run of a loaded circuit (quadratic in the bits of the array).
    /// Default 1 kOhm.
    public var stateOutputOhms = 1e3
    /// Error attribution only: each branch of a set bit is its nominal resistor alone and a
    /// clear bit is open (ideal switches); the sign goes straight to its line.
    public var idealSwitches = false

    public enum SRAMModel: String, Sendable, Hashable, CaseIterable {
        /// One source per bit at the latch's output level (VDD for 1, 0 for 0).
        case dc
        /// A 6T latch per bit on word and bit lines, reset to 0 and written row by row in a
        /// write phase before the solve: costly, for small arrays.
        case full
    }

    public init(onResistanceFraction: Double = 0.02, compensateOnResistance: Bool = true, sram: SRAMModel = .dc,
                writeSlotSeconds: Double = 2e-9) {
        self.onResistanceFraction = onResistanceFraction
        self.compensateOnResistance = compensateOnResistance
        self.sram = sram
        self.writeSlotSeconds = writeSlotSeconds
    }
}

/// An SRAM-switched multi-level conductance cell: magnitude bit m is a resistor of
/// conductance 2^m G0 in series with a switch whose gate the stored bit drives.
///
/// The switch sits on the row side of the resistor, where the node is a virtual ground near
/// the analogue reference (mid-rail), so its on-resistance barely depends on the signal. An
/// NMOS alone switches there when V_DD - V_ref leaves it enough overdrive; otherwise the
/// switch is a transmission gate. Every branch is present whatever the stored value: a 0 bit
/// is a switch held off, with its leakage and its capacitance on the lines. With a sign bit, the cell's far end is routed to the V or the -V column line by two
/// transmission gates that see the full column swing.
public struct SwitchedCell: Sendable {
    public let technology: Technology
    public let parameters: SwitchedCellParameters
    /// The analogue reference, volts (the rows' voltage).
    public let referenceVolts: Double

    public init(technology: Technology, parameters: SwitchedCellParameters, referenceVolts: Double) {
        self.technology = technology
        self.parameters = parameters
        self.referenceVolts = referenceVolts
    }

    /// Gate overdrive an NMOS switch at the reference gets, volts, with a 0.1 V allowance for
    /// the body effect the triode estimate leaves out.
    var nmosOverdrive: Double {
        technology.supplyVolts - referenceVolts - technology.sizing.nmos.triodeThresholdVolts - 0.1
    }

    /// Transmission gates at the row side when an NMOS alone has less than 0.3 V overdrive.
    public var usesTransmissionGates: Bool { nmosOverdrive < 0.3 }

    /// On-conductance per unit W/L of the row-side switch, siemens.
    var conductancePerSquare: Double {
        let n = technology.sizing.nmos, p = technology.sizing.pmos
        let vgsN = technology.supplyVolts - referenceVolts
        var g = n.triodeFactor * max(vgsN - n.triodeThresholdVolts, 0.05)
        if usesTransmissionGates {
            g += p.triodeFactor * max(referenceVolts - p.triodeThresholdVolts, 0.05)
        }
        return g
    }

    /// Switch width (each device) for an on-resistance of `ohms` at minimum length, metres.
    func switchWidth(forOnResistance ohms: Double, squaresConductance g: Double) -> Double {
        let length = technology.nmos.minimumLength
        let squares = 1 / (ohms * g)  // W / L
        return technology.snapped(max(squares * length, technology.nmos.minimumWidth))
    }

    /// The estimated on-resistance of the row-side switch of a branch of `ohms`, ohms.
    public func onResistance(branchOhms ohms: Double) -> Double { parameters.onResistanceFraction * ohms }

    /// Elements of the cell at `site`: for every magnitude bit m a resistor of 1 / (2^m G0)
    /// and its switch, on or off as the stored bit says, and with a sign bit the two sign
    /// switches to the V and -V lines. `site.bits` holds the stored bits (magnitude bits, then
    /// the sign); internal nodes are `<name>_b<m>`, `<name>_c`.
    public func elements(_ site: CellPlacement, magnitudeBits: Int, unitSiemens: Double, vdd: String, vss: String) -> [Element] {
        let bits = site.bits ?? []
        precondition(bits.count == magnitudeBits + (site.negative == nil ? 0 : 1), "stored bits of \(site.name)")
        if parameters.idealSwitches {
            let line = site.negative.map { bits[magnitudeBits] ? $0 : site.positive } ?? site.positive
            return (0..<magnitudeBits).filter { bits[$0] }.map { bit in
                .resistor("\(site.name)_b\(bit)", line, site.summing, .number(1 / (unitSiemens * Double(1 << bit))))
            }
        }
        var out: [Element] = []
        let drive = site.negative == nil ? site.positive : "\(site.name)_c"
        let g = conductancePerSquare
        let length = technology.nmos.minimumLength
        for bit in 0..<magnitudeBits {
            let branch = 1 / (unitSiemens * Double(1 << bit))
            let ron = onResistance(branchOhms: branch)
            let resistor = parameters.compensateOnResistance ? branch - ron : branch
            let middle = "\(site.name)_b\(bit)"
            out.append(.resistor("\(site.name)_b\(bit)", drive, middle, .number(resistor)))
            let width = switchWidth(forOnResistance: ron, squaresConductance: g)
            let gate = storedBit(site, bit, complement: usesTransmissionGates, vdd: vdd, vss: vss, into: &out)
            out.append(technology.transistor("M\(site.name)_n\(bit)", .n, drain: middle, gate: gate.q, source: site.summing,
                                             bulk: vss, width: width, length: length))
            if usesTransmissionGates {
                out.append(technology.transistor("M\(site.name)_p\(bit)", .p, drain: middle, gate: gate.qb, source: site.summing,
                                                 bulk: vdd, width: width * pmosWidthRatio, length: technology.pmos.minimumLength))
            }
        }
        if let negative = site.negative {
            let sign = storedBit(site, magnitudeBits, complement: true, vdd: vdd, vss: vss, into: &out)
            out += signElements(name: site.name, cell: drive, positive: site.positive, negative: negative, sign: sign,
                                fullScaleSiemens: unitSiemens * Double((1 << magnitudeBits) - 1), vdd: vdd, vss: vss)
        }
        return out
    }

    /// Whether an element named `name` (without its letter) is a cell's switch: a branch
    /// switch `M<cell>_n<m>`/`_p<m>` or a sign switch `M<cell>_s<line><type>`.
    public static func isSwitchDevice(_ name: String) -> Bool {
        guard name.hasPrefix("M"), let underscore = name.lastIndex(of: "_") else { return false }
        let tail = name[name.index(after: underscore)...]
        if ["spn", "spp", "snn", "snp"].contains(tail) { return true }
        guard let kind = tail.first, kind == "n" || kind == "p", tail.count > 1 else { return false }
        return tail.dropFirst().allSatisfy(\.isNumber)
    }

    /// Switch transistors per magnitude-bit branch (two in a transmission gate).
    public var devicesPerBranch: Int { usesTransmissionGates ? 2 : 1 }

    /// Names in the deck, shared with what reads it back: the state node of bit m of a cell
    /// (`q_<cell>_<m>`), its complement, and the word and bit lines of an SRAM array.
    public static func stateNode(_ cell: String, bit: Int) -> String { "q_\(cell)_\(bit)" }
    public static func complementNode(_ cell: String, bit: Int) -> String { "qb_\(cell)_\(bit)" }
    public static func wordLine(_ plane: String, row s: Int) -> String { "\(plane)_wl\(s + 1)" }
    public static func bitLine(_ plane: String, column d: Int, bit: Int) -> String { "\(plane)_bl\(d + 1)_\(bit)" }
    public static func bitLineBar(_ plane: String, column d: Int, bit: Int) -> String { "\(plane)_blb\(d + 1)_\(bit)" }

    /// What holds bit `bit` of `site` and drives its switch gates, as the nodes q and q-bar.
    /// DC: the latch's output level (VDD for 1, 0 for 0) as a current into its output
    /// resistance (`I<q>`, `R<q>`) and, when a PMOS needs it, its complement VDD - q as a
    /// transconductance into another (`G<qb>`, `R<qb>`), so that reprogramming alters one
    /// current per bit. Full: a 6T latch (cross-coupled inverters, two access NMOS on the
    /// word line of its row and the bit-line pair of its column and bit), written by the
    /// write phase.
    func storedBit(_ site: CellPlacement, _ bit: Int, complement: Bool, vdd: String, vss: String,
                   into out: inout [Element]) -> (q: String, qb: String) {
        let q = Self.stateNode(site.name, bit: bit), qb = Self.complementNode(site.name, bit: bit)
        switch parameters.sram {
        case .dc:
            let stored = site.bits?[bit] ?? false
            let ohms = parameters.stateOutputOhms
            out.append(.dcCurrent(q, vss, q, .number(Self.stateAmperes(stored, supplyVolts: technology.supplyVolts, ohms: ohms))))
            out.append(.resistor(q, q, vss, .number(ohms)))
            if complement {
                out.append(.vccs(qb, vss, qb, vdd, q, transconductance: .number(1 / ohms)))
                out.append(.resistor(qb, qb, vss, .number(ohms)))
            }
            return (q, complement ? qb : vss)
        case .full:
            let l = technology.nmos.minimumLength, w = technology.nmos.minimumWidth
            let wl = Self.wordLine(site.plane, row: site.row)
            let bl = Self.bitLine(site.plane, column: site.column, bit: bit)
            let blb = Self.bitLineBar(site.plane, column: site.column, bit: bit)
            let name = "\(site.name)_\(bit)"
            out.append(technology.transistor("M\(name)_pu1", .p, drain: q, gate: qb, source: vdd, bulk: vdd, width: w, length: l))
            out.append(technology.transistor("M\(name)_pd1", .n, drain: q, gate: qb, source: vss, bulk: vss, width: 2 * w, length: l))
            out.append(technology.transistor("M\(name)_pu2", .p, drain: qb, gate: q, source: vdd, bulk: vdd, width: w, length: l))
            out.append(technology.transistor("M\(name)_pd2", .n, drain: qb, gate: q, source: vss, bulk: vss, width: 2 * w, length: l))
            out.append(technology.transistor("M\(name)_ax1", .n, drain: q, gate: wl, source: bl, bulk: vss, width: 2 * w, length: l))
            out.append(technology.transistor("M\(name)_ax2", .n, drain: qb, gate: wl, source: blb, bulk: vss, width: 2 * w, length: l))
            return (q, qb)
        }
    }

    /// The current that holds a stored bit's node at VDD (1) or 0 through `ohms`.
    public static func stateAmperes(_ stored: Bool, supplyVolts: Double, ohms: Double) -> Double {
        stored ? supplyVolts / ohms : 0
    }

    /// PMOS widths in a transmission gate relative to the NMOS: equal conductance shares.
    var pmosWidthRatio: Double {
        let n = technology.sizing.nmos.triodeFactor, p = technology.sizing.pmos.triodeFactor
        return n / max(p, 1e-12)
    }

    /// The two sign switches of a sign-bit cell: `cell` to `positive` when the sign bit is 0,
    /// to `negative` when it is 1, as transmission gates driven by the sign bit's q and
    /// q-bar, sized for the R_on fraction of a full-scale cell.
    func signElements(name: String, cell: String, positive: String, negative: String, sign: (q: String, qb: String),
                      fullScaleSiemens: Double, vdd: String, vss: String) -> [Element] {
        let ron = parameters.onResistanceFraction / fullScaleSiemens
        let g = technology.sizing.nmos.triodeFactor * max(technology.supplyVolts / 2 - technology.sizing.nmos.triodeThresholdVolts, 0.05)
            + technology.sizing.pmos.triodeFactor * max(technology.supplyVolts / 2 - technology.sizing.pmos.triodeThresholdVolts, 0.05)
        let width = switchWidth(forOnResistance: ron, squaresConductance: g)
        let l = technology.nmos.minimumLength
        var out: [Element] = []
        // The V line conducts while the sign bit is 0 (NMOS gate q-bar), the -V line while it is 1.
        for (suffix, line, high, low) in [("p", positive, sign.qb, sign.q), ("n", negative, sign.q, sign.qb)] {
            out.append(technology.transistor("M\(name)_s\(suffix)n", .n, drain: cell, gate: high, source: line, bulk: vss, width: width, length: l))
            out.append(technology.transistor("M\(name)_s\(suffix)p", .p, drain: cell, gate: low, source: line, bulk: vdd,
                                             width: width * pmosWidthRatio, length: technology.pmos.minimumLength))
        }
        return out
    }
}
