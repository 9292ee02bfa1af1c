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
    /// The stored bits: DC gate levels (default), or a 6T SRAM latch per bit holding its state.
    public var sram: SRAMModel

    public enum SRAMModel: String, Sendable, Hashable, CaseIterable {
        /// Each gate sits at VDD or 0: the bits are set, nothing models how.
        case dc
        /// A cross-coupled 6T latch per bit (word line off) drives each switch: costly, for small arrays.
        case full
    }

    public init(onResistanceFraction: Double = 0.02, compensateOnResistance: Bool = true, sram: SRAMModel = .dc) {
        self.onResistanceFraction = onResistanceFraction
        self.compensateOnResistance = compensateOnResistance
        self.sram = sram
    }
}

/// An SRAM-switched multi-level conductance cell: magnitude bit m is a resistor of
/// conductance 2^m G0 in series with a switch whose gate the stored bit drives.
///
/// The switch sits on the row side of the resistor, where the node is a virtual ground near
/// the analogue reference (mid-rail), so its on-resistance barely depends on the signal. An
/// NMOS alone switches there when V_DD - V_ref leaves it enough overdrive; otherwise the
/// switch is a transmission gate. Bits that are 0 are left out (their switches are off: the
/// subthreshold leakage at |V_DS| <= swing is orders of magnitude below G0 times the swing).
/// With a sign bit, the cell's far end is routed to the V or the -V column line by two
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

    /// Elements of one cell between `row` and `drive` (the column line, or for a sign bit the
    /// node the sign switches feed), for a magnitude `level` (>= 1) of `unitSiemens`.
    /// `name` is unique per cell; internal nodes are `<name>_b<m>`.
    public func elements(name: String, row: String, drive: String, level: Int, unitSiemens: Double,
                         vdd: String, vss: String) -> [Element] {
        var out: [Element] = []
        let g = conductancePerSquare
        let length = technology.nmos.minimumLength
        var bit = 0
        var remaining = level
        while remaining > 0 {
            defer { remaining >>= 1; bit += 1 }
            guard remaining & 1 == 1 else { continue }
            let branch = 1 / (unitSiemens * Double(1 << bit))
            let ron = onResistance(branchOhms: branch)
            let resistor = parameters.compensateOnResistance ? branch - ron : branch
            let middle = "\(name)_b\(bit)"
            out.append(.resistor("\(name)_b\(bit)", drive, middle, .number(resistor)))
            let width = switchWidth(forOnResistance: ron, squaresConductance: g)
            let on = gate(name: "\(name)_q\(bit)", vdd: vdd, vss: vss, into: &out)
            out.append(technology.transistor("M\(name)_n\(bit)", .n, drain: middle, gate: on.high, source: row, bulk: vss,
                                             width: width, length: length))
            if usesTransmissionGates {
                out.append(technology.transistor("M\(name)_p\(bit)", .p, drain: middle, gate: on.low, source: row, bulk: vdd,
                                                 width: width * pmosWidthRatio, length: technology.pmos.minimumLength))
            }
        }
        return out
    }

    /// PMOS widths in a transmission gate relative to the NMOS: equal conductance shares.
    var pmosWidthRatio: Double {
        let n = technology.sizing.nmos.triodeFactor, p = technology.sizing.pmos.triodeFactor
        return n / max(p, 1e-12)
    }

    /// The gate levels of an on-switch: VDD/0 directly, or the outputs of a 6T latch holding 1.
    func gate(name: String, vdd: String, vss: String, into out: inout [Element]) -> (high: String, low: String) {
        switch parameters.sram {
        case .dc:
            return (vdd, vss)
        case .full:
            // Cross-coupled inverters (q, qb) with access devices off (word line at 0, bit
            // lines at VDD/2): the latch holds q = 1 from its initial condition.
            let q = "\(name)", qb = "\(name)b"
            let l = technology.nmos.minimumLength, w = technology.nmos.minimumWidth
            out.append(technology.transistor("M\(name)_pu1", .p, drain: q, gate: qb, source: vdd, bulk: vdd, width: w, length: l))
            out.append(technology.transistor("M\(name)_pd1", .n, drain: q, gate: qb, source: vss, bulk: vss, width: 2 * w, length: l))
            out.append(technology.transistor("M\(name)_pu2", .p, drain: qb, gate: q, source: vdd, bulk: vdd, width: w, length: l))
            out.append(technology.transistor("M\(name)_pd2", .n, drain: qb, gate: q, source: vss, bulk: vss, width: 2 * w, length: l))
            out.append(technology.transistor("M\(name)_ax1", .n, drain: q, gate: vss, source: "blh", bulk: vss, width: w, length: l))
            out.append(technology.transistor("M\(name)_ax2", .n, drain: qb, gate: vss, source: "blh", bulk: vss, width: w, length: l))
            return (q, qb)
        }
    }

    /// The two sign switches of a sign-bit cell: `cell` to `positive` when the sign bit is 0,
    /// to `negative` when it is 1, as transmission gates sized like the largest branch's switch.
    public func signElements(name: String, cell: String, positive: String, negative: String, negativeSign: Bool,
                             conductance: Double, vdd: String, vss: String) -> [Element] {
        let ron = parameters.onResistanceFraction / conductance
        let g = technology.sizing.nmos.triodeFactor * max(technology.supplyVolts / 2 - technology.sizing.nmos.triodeThresholdVolts, 0.05)
            + technology.sizing.pmos.triodeFactor * max(technology.supplyVolts / 2 - technology.sizing.pmos.triodeThresholdVolts, 0.05)
        let width = switchWidth(forOnResistance: ron, squaresConductance: g)
        let l = technology.nmos.minimumLength
        var out: [Element] = []
        for (suffix, line, on) in [("p", positive, !negativeSign), ("n", negative, negativeSign)] {
            let high = on ? vdd : vss, low = on ? vss : vdd
            out.append(technology.transistor("M\(name)_s\(suffix)n", .n, drain: cell, gate: high, source: line, bulk: vss, width: width, length: l))
            out.append(technology.transistor("M\(name)_s\(suffix)p", .p, drain: cell, gate: low, source: line, bulk: vdd,
                                             width: width * pmosWidthRatio, length: technology.pmos.minimumLength))
        }
        return out
    }
}
