import CircuitTheory
import Reference

/// What fabrication fixes of one transistor-level array: its size, the bits of every cell
/// site and how signs are handled. It does not depend on the matrix; ``StoredState`` is what
/// the SRAM holds.
///
/// With two arrays (`.twoArrays`) the tile is two planes, P (driven by V) and N (driven by
/// -V), each with `magnitudeBits` branches per site; with a sign bit it is one plane whose
/// sites also store a sign that routes the cell to the V or the -V line.
public struct ArrayStructure: Sendable, Hashable {
    /// The array's name prefix in the deck (`a`, or `b` for GINV's second array).
    public var name: String
    /// Summing lines (rows) and drive lines (columns) of the tile.
    public var rows: Int
    public var columns: Int
    public var magnitudeBits: Int
    public var sign: SignScheme

    public init(name: String, rows: Int, columns: Int, magnitudeBits: Int, sign: SignScheme) {
        self.name = name; self.rows = rows; self.columns = columns
        self.magnitudeBits = magnitudeBits; self.sign = sign
    }

    /// The physical planes' names in the deck: `ap` and `an`, or `a` with a sign bit.
    public var planes: [String] {
        switch sign {
        case .twoArrays: return [name + "p", name + "n"]
        case .signBit: return [name]
        }
    }

    /// Stored bits per site: the magnitude bits, and the sign bit of the sign-bit scheme.
    public var bitsPerSite: Int { magnitudeBits + (sign == .signBit ? 1 : 0) }

    /// Resistor-and-switch branches in the whole tile (every site, every magnitude bit).
    public var switchBranches: Int { planes.count * rows * columns * magnitudeBits }

    /// Stored bits in the whole tile (SRAM cells).
    public var storedBits: Int { planes.count * rows * columns * bitsPerSite }
}

/// What the SRAM of one array holds: the signed level of every site of the tile (zero outside
/// the block the problem occupies). Reprogramming the array is replacing this.
public struct StoredState: Sendable, Hashable {
    public let structure: ArrayStructure
    /// Signed levels, `structure.rows` x `structure.columns`, row-major.
    public let levels: [Int]

    /// The integer levels of `problem` (rows x columns, entries within the magnitude bits) in
    /// the top-left block of the tile, every other site off.
    public init(_ structure: ArrayStructure, problem: Matrix) {
        precondition(problem.rows <= structure.rows && problem.columns <= structure.columns, "problem larger than the tile")
        self.structure = structure
        var levels = [Int](repeating: 0, count: structure.rows * structure.columns)
        let limit = (1 << structure.magnitudeBits) - 1
        for s in 0..<problem.rows {
            for d in 0..<problem.columns {
                let level = Int(problem[s, d].rounded())
                precondition(abs(level) <= limit, "level \(level) exceeds \(structure.magnitudeBits) bits")
                levels[s * structure.columns + d] = level
            }
        }
        self.levels = levels
    }

    public func level(row s: Int, column d: Int) -> Int { levels[s * structure.columns + d] }

    /// The stored bits of site (s, d) in plane `plane` (an index into `structure.planes`):
    /// magnitude bits from the least significant, then with a sign bit, true for negative.
    /// In the two-array scheme a site holds the magnitude in the plane of its sign, zero in
    /// the other.
    public func bits(plane: Int, row s: Int, column d: Int) -> [Bool] {
        let level = self.level(row: s, column: d)
        let magnitude: Int
        switch structure.sign {
        case .twoArrays: magnitude = (plane == 0 ? level > 0 : level < 0) ? abs(level) : 0
        case .signBit: magnitude = abs(level)
        }
        var bits = (0..<structure.magnitudeBits).map { (magnitude >> $0) & 1 == 1 }
        if structure.sign == .signBit { bits.append(level < 0) }
        return bits
    }
}
