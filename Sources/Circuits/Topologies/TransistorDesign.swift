import Netlist
import Reference

/// What a transistor-level circuit is built from: a technology, the loop op-amp's
/// specification (sized by `MillerOTA`) and the switched cells.
public struct TransistorDesign: Sendable, Hashable {
    public var technology: Technology
    /// The two-stage Miller OTA used for loop op-amps, TIAs and inverters.
    public var ota: MillerOTA.Specification
    public var cell: SwitchedCellParameters

    public init(technology: Technology, ota: MillerOTA.Specification = MillerOTA.Specification(),
                cell: SwitchedCellParameters = SwitchedCellParameters()) {
        self.technology = technology
        self.ota = ota
        self.cell = cell
    }

    /// The analogue reference: mid-rail of the single supply, volts.
    public var referenceVolts: Double { technology.midRailVolts }

    public var designValues: [DesignValue] {
        technology.designValues + [
            DesignValue("cell.ronFraction", cell.onResistanceFraction, "", "switch on-resistance / branch resistance"),
            DesignValue("cell.ronCompensated", cell.compensateOnResistance ? 1 : 0, "", "1: resistors shortened by the estimated R_on"),
            DesignValue("cell.sram", cell.sram == .full ? 1 : 0, "", "1: a 6T latch per bit, 0: DC gate levels"),
            DesignValue("reference", referenceVolts, "V", "analogue reference (mid-rail)"),
        ]
    }
}
