import Netlist
import CircuitTheory
import Reference

/// A generated circuit: the deck (without analyses) and what the pipeline needs to read it.
public struct CircuitDesign: Sendable {
    public var operation: CrossbarOperation
    /// The circuit: models, subcircuits, elements. The analyses are the caller's.
    public var deck: Deck
    /// The nodes whose voltages are the answer, in the order of the solution's entries.
    public var outputNodes: [String]
    /// Every op-amp output that must settle (loop outputs, TIA outputs, intermediate stages).
    public var settlingNodes: [String]
    /// The DC voltages the mapping expects (outputs, inverted copies, intermediate stages), a
    /// good `.nodeset` for `.op`.
    public var expectedVoltages: [NodeVoltage]
    /// Node voltages that must hold while the initial operating point is found (`.ic`): the
    /// stored states of SRAM latches, which a `.nodeset` alone can let flip.
    public var heldVoltages: [NodeVoltage] = []
    /// The DAC sources in input order, as named in the deck (`Vin1`, ...).
    public var inputSources: [String]
    /// Every value the design used.
    public var values: [DesignValue]
    /// When the inputs step (or the EIG kick starts), seconds; nil for DC.
    public var stimulusTime: Double?
    /// The analogue reference, volts: node voltages minus this are the signals (0 with split
    /// supplies, mid-rail at transistor level).
    public var referenceVolts: Double = 0
    /// Every source the circuit draws energy from at transistor level (the supply, the
    /// analogue reference, the inputs, each converter block's supply and references), by
    /// block; empty otherwise.
    public var supplies: [SupplyItem] = []
    /// Simulated converters at transistor level (empty plan otherwise).
    public var converters = ConverterPlan()
    /// Where each crossbar array sits in the deck (its lines and drives), in generation order,
    /// for variation applied after generation (`CircuitVariation`). Not part of the deck text.
    public var crossbars: [CrossbarLayout] = []
    /// Transistor level: what each array's SRAM holds (its structure inside), in generation order.
    public var arrays: [StoredState] = []
    /// Transistor level: the node of every stored bit and the value written to it, for the
    /// read-back after the write phase.
    public var storedBits: [StoredBitNode] = []
    /// `--sram full`: how long the write phase lasts from t = 0, seconds; nil without one.
    public var writePhaseSeconds: Double?
    /// Switch transistors of the cells (branch and sign switches) in the deck.
    public var switchDevices = 0
    /// Count of circuit elements, a size measure for reports.
    public var elementCount: Int { deck.elements.count + deck.subcircuits.reduce(0) { $0 + $1.elements.count } }
}

/// A source that delivers energy to a block: its card name and the nodes across it.
public struct SupplyItem: Sendable, Hashable {
    public var block: String
    public var source: String
    public var plus: String
    public var minus: String
}

/// A latch output (or state source) and the bit it must hold.
public struct StoredBitNode: Sendable, Hashable {
    public var node: String
    public var stored: Bool
}

public enum CircuitError: Error, Sendable, CustomStringConvertible, Equatable {
    case unsupported(String)
    case invalidParameter(name: String, value: Double, requirement: String)

    public var description: String {
        switch self {
        case .unsupported(let what): return what
        case let .invalidParameter(name, value, requirement): return "\(name) = \(value) is invalid: it must be \(requirement)"
        }
    }
}
