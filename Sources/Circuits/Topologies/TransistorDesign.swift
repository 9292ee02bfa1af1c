import Netlist
import CircuitTheory
import Reference

/// What a transistor-level circuit is built from: a technology, the loop op-amp's
/// specification (sized by `MillerOTA`) and the switched cells.
public struct TransistorDesign: Sendable, Hashable {
    public var technology: Technology
    /// The two-stage Miller OTA used for loop op-amps, TIAs and inverters.
    public var ota: MillerOTA.Specification
    public var cell: SwitchedCellParameters
    /// Converters: ideal (quantised sources and a quantiser in the readout) or simulated (an
    /// R-2R DAC per input line and a SAR ADC per output, at transistor level).
    public var converters: ConverterModel
    /// Rows and columns of every array tile; nil: each array is the size of its block of the
    /// problem. A larger tile holds the problem in its top-left block and every other cell
    /// programmed off, its spare lines parked at the reference.
    public var arraySize: Int?
    /// The designer's own loop op-amp (`--opamp FILE:SUBCKT`), used for the loop op-amps, the
    /// TIAs and the inverters; nil: the Miller OTA sized from ``ota``.
    public var opAmpBlock: UserBlock?
    /// The designer's own cell (`--cell FILE:SUBCKT`) at every site; nil: ``SwitchedCell``.
    public var cellBlock: UserBlock?
    /// The designer's DAC (`design.dac`) on every input, and its output resistance as
    /// measured, ohms (the input resistors are shortened by it).
    public var dacBlock: UserBlock?
    public var dacOutputOhms: Double?
    /// The designer's ADC (`design.adc`) on every output, clocked as its description says.
    public var adcBlock: UserBlock?
    /// The designer's blocks in the design (each measured before it is used).
    public var userBlocks: [UserBlock] { [opAmpBlock, cellBlock, dacBlock, adcBlock].compactMap { $0 } }
    public var hasUserBlocks: Bool { !userBlocks.isEmpty }

    public enum ConverterModel: String, Sendable, Hashable, CaseIterable {
        case ideal
        case transistor
    }

    public init(technology: Technology, ota: MillerOTA.Specification = MillerOTA.Specification(),
                cell: SwitchedCellParameters = SwitchedCellParameters(), converters: ConverterModel = .transistor,
                arraySize: Int? = nil) {
        self.technology = technology
        self.ota = ota
        self.cell = cell
        self.converters = converters
        self.arraySize = arraySize
    }

    /// The analogue reference: mid-rail of the single supply, volts.
    public var referenceVolts: Double { technology.midRailVolts }

    public var designValues: [DesignValue] {
        technology.designValues + userBlockValues + [
            DesignValue("cell.ronFraction", cell.onResistanceFraction, "", "switch on-resistance / branch resistance"),
            DesignValue("cell.ronCompensated", text: cell.compensateOnResistance ? "yes" : "no", "whether the resistors are shortened by the estimated R_on"),
            DesignValue("cell.sram", text: cell.sram.rawValue, "the stored bits: dc (a state source per bit), or full (a 6T latch per bit, written before the solve)"),
            DesignValue("reference", referenceVolts, "V", "analogue reference (mid-rail)"),
            DesignValue("converters", text: converters.rawValue, "ideal, or transistor (R-2R DACs and SAR ADCs simulated)"),
        ] + (cell.sram == .full ? [DesignValue("cell.writeSlot", cell.writeSlotSeconds, "s", "word-line pulse per row in the write phase")]
             : [DesignValue("cell.stateOutput", cell.stateOutputOhms, "Ohm", "output resistance of each stored bit's level")])
    }
}

extension TransistorDesign {
    var userBlockValues: [DesignValue] {
        var values: [DesignValue] = []
        if let block = opAmpBlock { values.append(DesignValue("opamp.block", text: block.reference, "the designer's op-amp, by reference")) }
        if let block = cellBlock { values.append(DesignValue("cell.block", text: block.reference, "the designer's cell, by reference")) }
        if let block = dacBlock { values.append(DesignValue("dac.block", text: block.reference, "the designer's DAC, by reference")) }
        if let block = adcBlock, let c = block.clock {
            values += [
                DesignValue("adc.block", text: block.reference, "the designer's ADC, by reference"),
                DesignValue("adc.clock", c.periodSeconds, "s", "clock period of the designer's ADC"),
                DesignValue("adc.sampleCycles", Double(c.sampleCycles), "cycles", "periods the designer's ADC samples"),
                DesignValue("adc.conversionCycles", Double(c.conversionCycles), "cycles", "periods from the end of sampling to a valid code"),
            ]
        }
        return values
    }
}

/// Where the simulated converters of a transistor-level design are and when they convert.
public struct ConverterPlan: Sendable {
    /// The input DAC of each DAC input, with its bit nodes; empty when the inputs are ideal.
    public var dac: ResistorLadderDAC?
    /// The SAR ADC of each output and its bit output nodes `d0 ... d{N-1}` per output.
    public var adc: SARADC?
    public var adcOutputs: [[String]] = []
    /// The conversion's timing (one conversion after the loop has settled).
    public var timing: SARADC.Timing?
}
