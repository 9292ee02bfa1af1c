import Netlist
import CircuitTheory
import Reference

/// Where one cell stands and what it is to conduct.
public struct CellPlacement: Sendable, Hashable {
    /// Unique per cell in a deck: `<plane>_<s>_<d>`.
    public var name: String
    /// The plane's name (`ap`, `an`, or `a` for a sign-bit array).
    public var plane: String
    /// 0-based row (summing line) and column (drive line) in the tile.
    public var row: Int
    public var column: Int
    public var summing: String
    /// The drive line's node, or for a sign-bit cell the V line's.
    public var positive: String
    /// The -V line's node of a sign-bit cell; nil in the two-array scheme.
    public var negative: String?
    /// Signed conductance, siemens (0 for a site that is programmed off).
    public var siemens: Double
    /// The site's stored bits in a physical array (``StoredState/bits(plane:row:column:)``).
    public var bits: [Bool]?

    public init(name: String, plane: String, row: Int, column: Int, summing: String, positive: String, negative: String?,
                siemens: Double, bits: [Bool]?) {
        self.name = name; self.plane = plane; self.row = row; self.column = column; self.summing = summing
        self.positive = positive; self.negative = negative; self.siemens = siemens; self.bits = bits
    }
}

/// Resistance and capacitance of the metal lines, per segment between adjacent cells.
public struct WireParasitics: Sendable, Hashable, Codable {
    /// Ohms per segment of every row and column line. Default 0 (no wires).
    public var resistanceOhms: Double
    /// Farads to the reference per segment. Default 0.
    public var capacitanceFarads: Double

    public init(resistanceOhms: Double = 0, capacitanceFarads: Double = 0) {
        self.resistanceOhms = resistanceOhms
        self.capacitanceFarads = capacitanceFarads
    }

    public var isPresent: Bool { resistanceOhms > 0 || capacitanceFarads > 0 }
}

/// One crossbar array as elements: a conductance between summing line s and drive line d
/// for every non-zero entry.
///
/// Summing lines are the virtual grounds (op-amp inputs) or, for GINV's second array, the
/// nodes that feed the second stage; drive lines are driven by op-amp outputs or DACs. The
/// sign of an entry selects its drive: `positive[d]` for > 0, `negative[d]` (the inverted
/// copy) for < 0. With `.twoArrays` the positive and negative cells sit in two arrays with
/// separate summing wires; with `.signBit` they share one array whose every column carries
/// both lines. With wire parasitics every line is a chain of segments with its driver (or its
/// op-amp) at the first end, so IR drop is simulated rather than assumed.
public struct Crossbar: Sendable {
    /// Builds one cell from its placement. Names of internal nodes start with its name.
    public typealias CellFactory = @Sendable (CellPlacement) -> [Element]

    /// A plain resistor of 1/|G| to the line of the conductance's sign.
    public static let resistorCell: CellFactory = { cell in
        [.resistor(cell.name, cell.summing, cell.siemens < 0 ? (cell.negative ?? cell.positive) : cell.positive,
                   .number(1 / abs(cell.siemens)))]
    }

    /// Siemens, rows = summing lines, columns = drive lines; the sign picks the drive.
    public var conductances: Matrix
    public var summingNodes: [String]
    public var positiveDrives: [String]
    public var negativeDrives: [String]
    public var sign: SignScheme
    public var wires: WireParasitics
    /// The columns whose negative drive line carries a signal (an inverter or a TIA drives
    /// it); nil: every column. With wires, an undriven line is left out: a chain of
    /// segments tied to nothing would leave its nodes without a DC path (a singular matrix).
    public var drivenNegativeColumns: Set<Int>?
    /// Prefix for instance and internal node names, unique per array in a deck.
    public var name: String
    public var cell: CellFactory
    /// A physical array (transistor level): every site of every plane is laid, programmed
    /// or not, and each cell is given its stored bits. nil: only the non-zero entries.
    public var stored: StoredState?

    public init(name: String, conductances: Matrix, summingNodes: [String], positiveDrives: [String],
                negativeDrives: [String], sign: SignScheme, wires: WireParasitics, drivenNegativeColumns: Set<Int>? = nil,
                stored: StoredState? = nil, cell: @escaping CellFactory = Crossbar.resistorCell) {
        precondition(conductances.rows == summingNodes.count && conductances.columns == positiveDrives.count
                     && positiveDrives.count == negativeDrives.count, "crossbar dimensions")
        precondition(stored.map { $0.structure.rows == conductances.rows && $0.structure.columns == conductances.columns } ?? true,
                     "stored state dimensions")
        self.name = name; self.conductances = conductances; self.summingNodes = summingNodes
        self.positiveDrives = positiveDrives; self.negativeDrives = negativeDrives
        self.sign = sign; self.wires = wires; self.cell = cell
        self.drivenNegativeColumns = drivenNegativeColumns
        self.stored = stored
    }

    /// Whether site (s, d) of a plane is laid: every site of a physical array, else the
    /// entries of the plane's sign (any non-zero entry with a sign bit).
    func laysSite(_ s: Int, _ d: Int, positive: Bool?) -> Bool {
        if stored != nil { return true }
        let g = conductances[s, d]
        switch positive {
        case true?: return g > 0
        case false?: return g < 0
        case nil: return g != 0
        }
    }

    /// Whether negative drive line `d` is driven.
    func drivesNegative(_ d: Int) -> Bool { drivenNegativeColumns?.contains(d) ?? true }

    /// The cells and wires.
    public func elements() -> [Element] {
        switch sign {
        case .twoArrays:
            return half(positive: true, arrayName: name + "p") + half(positive: false, arrayName: name + "n")
        case .signBit:
            return signBitArray()
        }
    }

    // Names in the deck, shared with what reads a deck back (`CircuitVariation`). Row s and
    // column d are 0-based; names count from 1.

    /// A cell: `<array>_<s>_<d>`.
    public static func cellName(_ array: String, row s: Int, column d: Int) -> String { "\(array)_\(s + 1)_\(d + 1)" }
    /// With wires, where cell (s, d) meets summing line s: `<array>_s<s>_<d>`.
    public static func summingNode(_ array: String, row s: Int, column d: Int) -> String { "\(array)_s\(s + 1)_\(d + 1)" }
    /// With wires, where drive line d (`d`, or `dp`/`dn` for the sign-bit array's two) meets
    /// row s: `<array>_<line><d>_<s>`.
    public static func driveNode(_ array: String, line: String = "d", column d: Int, row s: Int) -> String {
        "\(array)_\(line)\(d + 1)_\(s + 1)"
    }
    /// Whether one array of the two-array scheme holds any cell: it has no lines otherwise.
    public static func holdsCells(_ g: Matrix, positive: Bool) -> Bool {
        g.storage.contains { positive ? $0 > 0 : $0 < 0 }
    }

    /// One array of the two-array scheme: the cells of one sign.
    private func half(positive: Bool, arrayName: String) -> [Element] {
        let g = conductances
        let drives = positive ? positiveDrives : negativeDrives
        var elements: [Element] = []
        guard stored != nil || Self.holdsCells(g, positive: positive) else { return [] }
        let plane = positive ? 0 : 1
        func site(_ s: Int, _ d: Int, summing: String, drive: String) -> CellPlacement {
            let matches = positive ? g[s, d] > 0 : g[s, d] < 0
            return CellPlacement(name: Self.cellName(arrayName, row: s, column: d), plane: arrayName, row: s, column: d,
                                 summing: summing, positive: drive, negative: nil, siemens: matches ? abs(g[s, d]) : 0,
                                 bits: stored?.bits(plane: plane, row: s, column: d))
        }
        if !wires.isPresent {
            for s in 0..<g.rows {
                for d in 0..<g.columns where laysSite(s, d, positive: positive) {
                    elements += cell(site(s, d, summing: summingNodes[s], drive: drives[d]))
                }
            }
            return elements
        }
        // Summing line s runs past every drive line d: node <array>_s<s>_<d>, its op-amp end first.
        // Drive line d runs past every summing line s: node <array>_d<d>_<s>, its driver end first.
        for s in 0..<g.rows {
            elements += line(name: "\(arrayName)_s\(s + 1)", start: summingNodes[s], count: g.columns)
        }
        for d in 0..<g.columns where positive || drivesNegative(d) {
            elements += line(name: "\(arrayName)_d\(d + 1)", start: drives[d], count: g.rows)
        }
        for s in 0..<g.rows {
            for d in 0..<g.columns where laysSite(s, d, positive: positive) {
                elements += cell(site(s, d, summing: Self.summingNode(arrayName, row: s, column: d),
                                      drive: Self.driveNode(arrayName, column: d, row: s)))
            }
        }
        return elements
    }

    /// The sign-bit array: one summing line per row, two drive lines per column.
    private func signBitArray() -> [Element] {
        let g = conductances
        var elements: [Element] = []
        func site(_ s: Int, _ d: Int, summing: String, positive: String, negative: String) -> CellPlacement {
            CellPlacement(name: Self.cellName(name, row: s, column: d), plane: name, row: s, column: d, summing: summing,
                          positive: positive, negative: negative, siemens: g[s, d], bits: stored?.bits(plane: 0, row: s, column: d))
        }
        if !wires.isPresent {
            for s in 0..<g.rows {
                for d in 0..<g.columns where laysSite(s, d, positive: nil) {
                    elements += cell(site(s, d, summing: summingNodes[s], positive: positiveDrives[d], negative: negativeDrives[d]))
                }
            }
            return elements
        }
        for s in 0..<g.rows {
            elements += line(name: "\(name)_s\(s + 1)", start: summingNodes[s], count: g.columns)
        }
        for d in 0..<g.columns {
            elements += line(name: "\(name)_dp\(d + 1)", start: positiveDrives[d], count: g.rows)
            if drivesNegative(d) { elements += line(name: "\(name)_dn\(d + 1)", start: negativeDrives[d], count: g.rows) }
        }
        for s in 0..<g.rows {
            for d in 0..<g.columns where laysSite(s, d, positive: nil) {
                elements += cell(site(s, d, summing: Self.summingNode(name, row: s, column: d),
                                      positive: Self.driveNode(name, line: "dp", column: d, row: s),
                                      negative: Self.driveNode(name, line: "dn", column: d, row: s)))
            }
        }
        return elements
    }

    /// A wire from `start` through nodes `<name>_1 ... <name>_count`, one segment (R, and C
    /// to the reference at its far node) per step.
    private func line(name: String, start: String, count: Int) -> [Element] {
        var elements: [Element] = []
        var previous = start
        for k in 1...count {
            let node = "\(name)_\(k)"
            if wires.resistanceOhms > 0 {
                elements.append(.resistor("w\(name)_\(k)", previous, node, .number(wires.resistanceOhms)))
            } else {
                // A zero-ohm segment: keep the node distinct for the capacitance, tied by a 0 V source.
                elements.append(.dcVoltage("w\(name)_\(k)", node, previous, 0))
            }
            if wires.capacitanceFarads > 0 {
                elements.append(.capacitor("w\(name)_\(k)", node, "0", .number(wires.capacitanceFarads)))
            }
            previous = node
        }
        return elements
    }
}
