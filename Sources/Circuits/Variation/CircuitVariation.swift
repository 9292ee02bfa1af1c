import Netlist
import CircuitTheory
import Reference

/// Where one crossbar array sits in a generated deck: its lines, drives and cell names, so
/// that cells can be varied after generation without knowing the topology.
public struct CrossbarLayout: Sendable, Hashable {
    /// The array's name prefix in the deck (`a`, or `b` for GINV's second array).
    public var name: String
    public var rows: Int
    public var columns: Int
    public var summingNodes: [String]
    public var positiveDrives: [String]
    public var negativeDrives: [String]
    /// Columns (0-based) whose negative drive line carries a signal (an inverter drives it);
    /// the other negative lines are left undriven by the generator.
    public var drivenNegativeColumns: [Int]
    public var sign: SignScheme
    public var hasWires: Bool
    /// The nominal conductances, siemens, signed (rows = summing lines).
    public var conductances: Matrix
    /// Cells are resistors named by `CellSite.elementName` (ideal and behavioural fidelity);
    /// false for transistor-level SRAM-switched cells, whose variation is the technology's
    /// mismatch.
    public var resistorCells: Bool

    init(_ crossbar: Crossbar, drivenNegativeColumns: [Int], resistorCells: Bool) {
        name = crossbar.name
        rows = crossbar.conductances.rows
        columns = crossbar.conductances.columns
        summingNodes = crossbar.summingNodes
        positiveDrives = crossbar.positiveDrives
        negativeDrives = crossbar.negativeDrives
        self.drivenNegativeColumns = drivenNegativeColumns
        sign = crossbar.sign
        hasWires = crossbar.wires.isPresent
        conductances = crossbar.conductances
        self.resistorCells = resistorCells
    }
}

/// One programmable cell site of a crossbar: every (row, column) of every physical array,
/// programmed or not. With two arrays each matrix entry has a site in the positive and one in
/// the negative array; with a sign bit it has one.
public struct CellSite: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Half: String, Sendable, Hashable, Comparable {
        /// Array P of the two-array scheme (driven by V).
        case positive = "p"
        /// Array N of the two-array scheme (driven by -V).
        case negative = "n"
        /// The single array of the sign-bit scheme.
        case signBit = ""
        public static func < (a: Half, b: Half) -> Bool { a.rawValue < b.rawValue }
    }

    /// The crossbar's name (`CrossbarLayout.name`).
    public var array: String
    public var half: Half
    /// 0-based.
    public var row: Int
    /// 0-based.
    public var column: Int

    public init(array: String, half: Half, row: Int, column: Int) {
        self.array = array; self.half = half; self.row = row; self.column = column
    }

    /// The cell's resistor name in the deck (`ap_2_3`), as `Crossbar` writes it.
    public var elementName: String { Crossbar.cellName(array + half.rawValue, row: row, column: column) }

    public var description: String { elementName }

    public static func < (a: CellSite, b: CellSite) -> Bool {
        (a.array, a.half, a.row, a.column) < (b.array, b.half, b.row, b.column)
    }
}

/// Variation applied to a generated circuit after generation: new conductances for cell
/// sites (programming error, read noise, stuck cells) and an input offset per op-amp
/// instance. The nominal deck is untouched when nothing is varied, so golden decks stay
/// byte-identical.
///
/// - A site whose new conductance is 0 is removed (an open cell: stuck off).
/// - A site that was not programmed and gets a conductance (stuck on) is connected between
///   its array's summing line and the drive line of its half (with wires, at the segment
///   nodes of that crossing). A negative drive line that no inverter drives is floating, so
///   a stuck cell there conducts nothing at DC and is left out; `Applied.unattached` lists it.
/// - An offset of an op-amp instance `X<name>` of the `opamp` subcircuit becomes a DC source
///   in series with its non-inverting input (`Vos_<name>`, same sign convention as the
///   behavioural op-amp's own offset: the amplifier sees V(inp) - Vos). An inverter instance
///   gets a private copy of the `inverter` subcircuit (`inverter_<name>`) with the source
///   in front of its op-amp's non-inverting input.
public enum CircuitVariation {
    /// What `apply` did.
    public struct Applied: Sendable {
        public var design: CircuitDesign
        /// Sites given a conductance but left out because their drive line is undriven.
        public var unattached: [CellSite]
    }

    /// Every cell site of the design's arrays with its nominal conductance magnitude in
    /// siemens (0 when the site is not programmed), in a fixed order (array, half, row, column).
    public static func sites(of design: CircuitDesign) -> [(site: CellSite, siemens: Double)] {
        var out: [(CellSite, Double)] = []
        for layout in design.crossbars {
            let g = layout.conductances
            let halves: [CellSite.Half] = layout.sign == .twoArrays ? [.negative, .positive] : [.signBit]
            for half in halves {
                for s in 0..<layout.rows {
                    for d in 0..<layout.columns {
                        let x = g[s, d]
                        let programmed: Double
                        switch half {
                        case .positive: programmed = max(x, 0)
                        case .negative: programmed = max(-x, 0)
                        case .signBit: programmed = abs(x)
                        }
                        out.append((CellSite(array: layout.name, half: half, row: s, column: d), programmed))
                    }
                }
            }
        }
        return out
    }

    /// The op-amp and inverter instances of the deck (top level), in deck order: the names
    /// `apply` takes offsets for.
    public static func amplifiers(of design: CircuitDesign) -> [String] {
        design.deck.elements.compactMap { element in
            guard case .instance(let x) = element, x.subcircuit == opAmpSubcircuit || x.subcircuit == inverterSubcircuit else { return nil }
            return x.name
        }
    }

    static let opAmpSubcircuit = "opamp"
    static let inverterSubcircuit = "inverter"

    /// Applies new conductances (siemens, magnitudes; 0 = open) to the given sites and
    /// offsets (volts) to the named amplifier instances. Sites and instances not named keep
    /// their nominal values.
    public static func apply(to design: CircuitDesign, conductances: [CellSite: Double],
                             offsets: [String: Double] = [:]) throws(CircuitError) -> Applied {
        var deck = design.deck
        var unattached: [CellSite] = []
        if !conductances.isEmpty {
            var index: [String: Int] = [:]
            for (k, element) in deck.elements.enumerated() {
                if case .resistor(let r) = element { index[r.name] = k }
            }
            let layouts = Dictionary(design.crossbars.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var removed = Set<Int>()
            var added: [Element] = []
            for site in conductances.keys.sorted() {
                guard let siemens = conductances[site] else { continue }
                guard siemens.isFinite, siemens >= 0 else {
                    throw .invalidParameter(name: "conductance of \(site)", value: siemens, requirement: "finite and >= 0")
                }
                guard let layout = layouts[site.array], site.row < layout.rows, site.column < layout.columns else {
                    throw .unsupported("no crossbar cell \(site) in this design")
                }
                guard layout.resistorCells else {
                    throw .unsupported("cell variation (programming error, stuck cells, read noise) applies to resistor cells; transistor-level cells vary through the technology's mismatch models")
                }
                if let k = index[site.elementName], case .resistor(var r) = deck.elements[k] {
                    if siemens == 0 {
                        removed.insert(k)
                    } else {
                        r.resistance = .number(1 / siemens)
                        deck.elements[k] = .resistor(r)
                    }
                    continue
                }
                guard siemens > 0 else { continue }
                guard let nodes = nodes(of: site, in: layout) else {
                    unattached.append(site)
                    continue
                }
                added.append(.resistor(site.elementName, nodes.0, nodes.1, .number(1 / siemens)))
            }
            deck.elements = deck.elements.enumerated().filter { !removed.contains($0.offset) }.map(\.element) + added
        }
        if !offsets.isEmpty {
            var known = Set(amplifiers(of: design))
            for name in offsets.keys.sorted() where !known.contains(name) {
                throw .unsupported("no op-amp or inverter instance \(name) in this design")
            }
            var elements: [Element] = []
            var copies: [Subcircuit] = []
            for element in deck.elements {
                guard case .instance(var x) = element, let volts = offsets[x.name], known.contains(x.name) else {
                    elements.append(element)
                    continue
                }
                known.remove(x.name)
                guard volts.isFinite else {
                    throw .invalidParameter(name: "offset of \(x.name)", value: volts, requirement: "finite")
                }
                if x.subcircuit == opAmpSubcircuit {
                    let node = "os_\(x.name)"
                    elements.append(.dcVoltage("os_\(x.name)", x.nodes[0], node, .number(volts)))
                    x.nodes[0] = node
                    elements.append(.instance(x))
                } else {
                    guard let original = deck.subcircuits.first(where: { $0.name == inverterSubcircuit }) else {
                        throw .unsupported("the deck has no inverter subcircuit for \(x.name)")
                    }
                    var copy = original
                    copy.name = "\(inverterSubcircuit)_\(x.name)"
                    copy.comments = original.comments + ["copy for instance X\(x.name) with its input offset"]
                    copy.elements = []
                    for inner in original.elements {
                        if case .instance(var amp) = inner, !amp.nodes.isEmpty {
                            copy.elements.append(.dcVoltage("os", amp.nodes[0], "os", .number(volts)))
                            amp.nodes[0] = "os"
                            copy.elements.append(.instance(amp))
                        } else {
                            copy.elements.append(inner)
                        }
                    }
                    copies.append(copy)
                    x.subcircuit = copy.name
                    elements.append(.instance(x))
                }
            }
            deck.elements = elements
            deck.subcircuits += copies
        }
        var out = design
        out.deck = deck
        return Applied(design: out, unattached: unattached)
    }

    /// The two nodes a cell at `site` connects, or nil when its drive line is undriven.
    static func nodes(of site: CellSite, in layout: CrossbarLayout) -> (String, String)? {
        let s = site.row, d = site.column
        let negative = site.half == .negative
        if negative && !layout.drivenNegativeColumns.contains(d) { return nil }
        let arrayName = layout.name + site.half.rawValue
        guard layout.hasWires else {
            let drive = negative ? layout.negativeDrives[d] : layout.positiveDrives[d]
            return (layout.summingNodes[s], drive)
        }
        switch site.half {
        case .positive, .negative:
            // The lines of a half exist only when it has at least one programmed cell.
            guard Crossbar.holdsCells(layout.conductances, positive: !negative) else { return nil }
            return (Crossbar.summingNode(arrayName, row: s, column: d), Crossbar.driveNode(arrayName, column: d, row: s))
        case .signBit:
            return (Crossbar.summingNode(arrayName, row: s, column: d), Crossbar.driveNode(arrayName, line: "dp", column: d, row: s))
        }
    }
}
