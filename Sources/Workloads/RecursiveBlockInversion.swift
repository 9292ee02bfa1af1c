import Reports
import Specification
import Foundation
import CircuitTheory
import Reference

/// How the Schur complement S = A22 - A21 A11^-1 A12 of a split is formed before solving.
public enum SchurFormation: String, Sendable, Hashable, Codable, CaseIterable {
    /// A11^-1 A12 by one analogue INV solve per non-zero column of A12 (itself recursive
    /// when A11 is larger than a tile), A21 (A11^-1 A12) by analogue MVMs, and the
    /// subtraction from A22 in the digital glue. Every step simulated and counted.
    case analogue
    /// S by LU in double precision: digital help, counted as digital operations
    /// (2 n1^3 / 3 + 2 n1^2 n2 for A11^-1 A12, 2 n2^2 n1 for the product).
    case digital
}

/// A matrix larger than one array prepared for recursive block inversion on tiles
/// (the Theory article, "Larger matrices: block inversion and refinement"): split
/// A = [[A11, A12], [A21, A22]], the Schur complement
/// S = A22 - A21 A11^-1 A12 formed once (``SchurFormation``), and both A11 and S prepared the
/// same way until every block fits one array. One solve then costs, per split,
/// 1. y1 = A11^-1 b1 (INV)   2. c = b2 - A21 y1 (MVM)   3. x2 = S^-1 c (INV)
/// 4. d = A12 x2 (MVM)       5. x1 = y1 - A11^-1 d (INV)
/// so 3^levels tile INVs for a matrix of tile * 2^levels.
///
/// The split puts n1 = tile * ceil(k / 2) rows in A11, k = ceil(n / tile) tiles, so every
/// block but the last is whole tiles.
///
/// Error model (first order, 2-norms): every primitive brings its own budget (`ErrorBudget`
/// of its mapping times the size of its exact answer: beta for an INV, gamma for a tiled MVM,
/// the per-tile budgets added within a row block). A split's five steps are linear, so each
/// error reaches x through a fixed operator, with Q = A11^-1 A12 and P = S^-1 A21:
/// ```
/// dx = [I + Q P; -P] e1 + [-Q S^-1; S^-1] m1 + [-Q; I] (e2 + S^-1 dS x2) + [-A11^-1; 0] m2 - [I; 0] e3
/// beta <= |K1| b1 + |K2| g1 + |K3| (b2 + |S^-1| |dS| |x2|) + |A11^-1| g2 + b3
/// ```
/// (e1, e2, e3 the errors of the three solves with bounds b1, b2, b3, recursively; m1, m2
/// the MVM errors with bounds g1, g2; K1, K2, K3 the three block operators, their norms by
/// LAPACK). The Schur formation error is |dS|_2 <= sqrt(sum_j (|A21| beta_j + gamma_j)^2)
/// over the columns j of A11^-1 A12. A worst case over alignments, and each budget is one
/// too, so measured errors are usually well inside it.
public struct BlockInversePlan: Sendable {
    public let matrix: Matrix
    public let tileSize: Int
    public let schurFormation: SchurFormation
    let root: BlockNode
    /// How each Schur complement came out: formed (programmed) against exact.
    public let schurRecords: [SchurRecord]

    /// Recursion depth: 0 when the matrix fits one tile.
    public var levels: Int { root.height }
    /// Tile INVs per solve of one right-hand side (3^levels for tile * 2^levels).
    public var invPerSolve: Int { root.invCount }
    /// The LU of the whole matrix (LAPACK dgetrf), made while preparing: for references.
    var factorization: LUFactorization { root.block.lu }

    /// One formed Schur complement.
    public struct SchurRecord: Sendable, Hashable, Codable {
        /// Height of the split (1 = its blocks are tiles).
        public var level: Int
        /// Order of S.
        public var size: Int
        /// |S_formed - S|_2 / |S|_2 with S by LAPACK.
        public var relativeError: Double
        /// The error model's |dS|_2 / |S|_2.
        public var predictedError: Double
        /// Columns of A12 solved (analogue formation; 0 for digital).
        public var columnSolves: Int
    }

    /// Prepares `matrix`: splits recursively and forms every Schur complement on `core`
    /// (counted in the core's current phase).
    /// - Throws: ``WorkloadError`` when a primitive fails or a block is singular.
    public static func prepare(_ matrix: Matrix, core: AnalogueCore, schur: SchurFormation) async throws(WorkloadError)
        -> BlockInversePlan
    {
        guard matrix.isSquare, !matrix.isEmpty else {
            throw .invalidParameter(name: "matrix", value: "\(matrix.rows)x\(matrix.columns)", requirement: "square and non-empty")
        }
        var records: [SchurRecord] = []
        let root = try await node(matrix, core: core, schur: schur, path: "A", records: &records)
        return BlockInversePlan(matrix: matrix, tileSize: core.resources.arraySize, schurFormation: schur,
                                root: root, schurRecords: records)
    }

    static func splitPoint(_ n: Int, tile: Int) -> Int {
        let tiles = (n + tile - 1) / tile
        return tile * ((tiles + 1) / 2)
    }

    /// Prepares the block `a`; `factorization` is its LU when the caller has made it already.
    private static func node(_ a: Matrix, factorization: LUFactorization? = nil, core: AnalogueCore, schur: SchurFormation,
                             path: String, records: inout [SchurRecord]) async throws(WorkloadError) -> BlockNode
    {
        let lu: LUFactorization
        if let factorization {
            lu = factorization
        } else {
            do { lu = try LUFactorization(a) } catch { throw .digital(label: "\(path): reference factorisation", error: error) }
        }
        let block = Block(matrix: a, lu: lu, path: path)
        let tile = core.resources.arraySize
        if a.rows <= tile { return .leaf(block) }
        let n1 = splitPoint(a.rows, tile: tile)
        let (a11, a12, a21, a22) = a.partitioned(row: n1, column: n1)
        let a11Node = try await node(a11, core: core, schur: schur, path: "\(path).11", records: &records)
        let normA21 = try norm(a21, "\(path).21")
        let formed: Matrix
        // Q = A11^-1 A12 by dgesv when the digital formation has computed it (counted there).
        var solvedQ: Matrix?
        var schurError = 0.0
        var columnSolves = 0
        switch schur {
        case .digital:
            let z = try core.digital.solve(a11, a12, label: "\(path): A11^-1 A12")
            solvedQ = z
            formed = core.digital.difference(a22, core.digital.product(a21, z))
        case .analogue:
            let columns = (0..<a12.columns).filter { j in (0..<a12.rows).contains { a12[$0, j] != 0 } }
            columnSolves = columns.count
            var s = a22
            if !columns.isEmpty {
                let solved = try await a11Node.solve(columns.map { a12.column($0) }, core: core, label: "\(path) Schur: A11^-1 A12", phaseRecords: nil)
                let products = try await core.mvm(a21, batch: solved.map(\.x), label: "\(path) Schur: A21 (A11^-1 A12)")
                var squared = 0.0
                for (k, j) in columns.enumerated() {
                    let column = core.digital.subtract(s.column(j), products[k].value)
                    for i in 0..<s.rows { s[i, j] = column[i] }
                    let bound = normA21 * solved[k].bound + products[k].errorBound
                    squared += bound * bound
                }
                schurError = squared.squareRoot()
            }
            formed = s
        }
        // References and the error model's operators (LAPACK, not counted: they judge the
        // algorithm, they are not part of it). dgesv is dgetrf then dgetrs, so solving with the
        // LUs already made (A11's by its node, S's here and handed to its node) gives the
        // same numbers without factorising again.
        let q: Matrix, formedLU: LUFactorization, sInverse: Matrix, a11Inverse: Matrix
        do {
            let a11LU = a11Node.block.lu
            if let solvedQ { q = solvedQ } else { q = try a11LU.solve(a12) }
            formedLU = try LUFactorization(formed)
            sInverse = try formedLU.solve(Matrix.identity(formed.rows))
            a11Inverse = try a11LU.solve(Matrix.identity(n1))
        } catch { throw .digital(label: "\(path): reference Schur complement and error-model operators", error: error) }
        let exact = a22 - a21 * q
        let normS = try norm(exact, "\(path) S")
        let measured = try norm(formed - exact, "\(path) dS")
        let schurNode = try await node(formed, factorization: formedLU, core: core, schur: schur, path: "\(path)/S",
                                       records: &records)
        let p = sInverse * a21
        let k1: Matrix, k2: Matrix, k3: Matrix
        do {
            k1 = try Matrix(blocks: [[Matrix.identity(n1) + q * p], [-p]])
            k2 = try Matrix(blocks: [[-(q * sInverse)], [sInverse]])
            k3 = try Matrix(blocks: [[-q], [Matrix.identity(a.rows - n1)]])
        } catch { throw .digital(label: "\(path): error-model operators", error: error) }
        let split = BlockSplit(
            block: block, n1: n1, a11: a11Node, schur: schurNode, a12: a12, a21: a21,
            normK1: try norm(k1, "\(path) K1"), normK2: try norm(k2, "\(path) K2"), normK3: try norm(k3, "\(path) K3"),
            normA11Inverse: try norm(a11Inverse, "\(path).11^-1"), normSInverse: try norm(sInverse, "\(path)/S^-1"),
            schurError: schurError)
        records.append(SchurRecord(level: split.height, size: formed.rows,
                                   relativeError: normS > 0 ? measured / normS : 0,
                                   predictedError: normS > 0 ? schurError / normS : 0, columnSolves: columnSolves))
        return .split(split)
    }

    static func norm(_ a: Matrix, _ label: String) throws(WorkloadError) -> Double {
        do { return try a.norm2() } catch { throw .digital(label: "\(label): norm", error: error) }
    }

    /// One solved right-hand side.
    public struct Solved: Sendable, Hashable {
        /// The answer as the digital side holds it (ADC codes times scales, combined digitally).
        public var x: [Double]
        /// The error model's absolute 2-norm bound on |x - A^-1 b|.
        public var bound: Double
    }

    /// How one recursion node's solve came out.
    public struct NodeRecord: Sendable, Hashable, Codable {
        /// 0 for a tile, up to ``levels`` for the whole matrix.
        public var level: Int
        public var size: Int
        /// |x - A_node^-1 b_node| / |A_node^-1 b_node|, against LAPACK on what the node was given.
        public var relativeError: Double
        /// The error model's bound, relative.
        public var predictedError: Double
    }

    /// Solves A x = b for every b of `batch` (the batch shares each primitive's programming).
    /// - Parameters:
    ///   - batch: the right-hand sides b.
    ///   - core: the analogue core that runs the primitives.
    ///   - label: prefixes the primitives' labels in the core's records.
    ///   - recordNodes: judge every node's solve against LAPACK (one exact solve per
    ///     node and right-hand side) and return the records; false returns none.
    public func solve(_ batch: [[Double]], core: AnalogueCore, label: String = "rbi",
                      recordNodes: Bool = true) async throws(WorkloadError) -> (solutions: [Solved], nodes: [NodeRecord])
    {
        for b in batch where b.count != matrix.rows {
            throw .invalidParameter(name: "right-hand side", value: "\(b.count) entries", requirement: "\(matrix.rows) entries")
        }
        let sink = recordNodes ? NodeSink() : nil
        let solved = try await root.solve(batch, core: core, label: label, phaseRecords: sink)
        return (solved, sink?.records ?? [])
    }
}

/// Collects node records from a solve (the recursion may run batches concurrently).
final class NodeSink: @unchecked Sendable {  // Safe: `items` behind `lock`.
    private let lock = NSLock()
    private var items: [BlockInversePlan.NodeRecord] = []
    func add(_ r: [BlockInversePlan.NodeRecord]) { lock.withLock { items += r } }
    var records: [BlockInversePlan.NodeRecord] { lock.withLock { items } }
}

/// What every node of the recursion holds: its block, the block's LU (LAPACK, for exact node
/// solves and the parent's error-model operators) and where it sits (`A.11/S`).
struct Block: Sendable {
    let matrix: Matrix
    let lu: LUFactorization
    let path: String
}

struct BlockSplit: Sendable {
    let block: Block
    let n1: Int
    let a11: BlockNode
    let schur: BlockNode
    let a12: Matrix
    let a21: Matrix
    /// |[I + Q P; -P]|, |[-Q S^-1; S^-1]|, |[-Q; I]| with Q = A11^-1 A12, P = S^-1 A21.
    let normK1: Double
    let normK2: Double
    let normK3: Double
    let normA11Inverse: Double
    let normSInverse: Double
    /// The error model's |S_formed - S|_2.
    let schurError: Double

    var height: Int { 1 + max(a11.height, schur.height) }
}

indirect enum BlockNode: Sendable {
    /// A block that fits one tile.
    case leaf(Block)
    case split(BlockSplit)

    var block: Block {
        switch self {
        case .leaf(let b): b
        case .split(let s): s.block
        }
    }

    var height: Int {
        switch self {
        case .leaf: 0
        case .split(let s): s.height
        }
    }

    var invCount: Int {
        switch self {
        case .leaf: 1
        case .split(let s): 2 * s.a11.invCount + s.schur.invCount
        }
    }

    var size: Int { block.matrix.rows }

    func exact(_ b: [Double]) -> [Double] {
        (try? block.lu.solve(b)) ?? b.map { _ in .nan }
    }

    func record(_ batch: [[Double]], _ solved: [BlockInversePlan.Solved], into sink: NodeSink?) {
        guard let sink else { return }
        var records: [BlockInversePlan.NodeRecord] = []
        for (b, s) in zip(batch, solved) where b.normInfinity > 0 {
            let x = exact(b)
            let norm = x.norm2
            records.append(BlockInversePlan.NodeRecord(level: height, size: size,
                                                       relativeError: s.x.minus(x).norm2 / norm,
                                                       predictedError: s.bound / norm))
        }
        sink.add(records)
    }

    func solve(_ batch: [[Double]], core: AnalogueCore, label: String, phaseRecords sink: NodeSink?) async throws(WorkloadError)
        -> [BlockInversePlan.Solved]
    {
        switch self {
        case .leaf(let leaf):
            let results = try await core.inv(leaf.matrix, batch: batch, label: "\(label) \(leaf.path)")
            let solved = results.map { BlockInversePlan.Solved(x: $0.value, bound: $0.errorBound) }
            record(batch, solved, into: sink)
            return solved
        case .split(let s):
            let n1 = s.n1
            let digital = core.digital
            let b1 = batch.map { Array($0[..<n1]) }
            let b2 = batch.map { Array($0[n1...]) }
            let y1 = try await s.a11.solve(b1, core: core, label: label, phaseRecords: sink)
            let w1 = try await core.mvm(s.a21, batch: y1.map(\.x), label: "\(label) \(s.block.path).21 y1")
            let c = zip(b2, w1).map { digital.subtract($0, $1.value) }
            let x2 = try await s.schur.solve(c, core: core, label: label, phaseRecords: sink)
            let d = try await core.mvm(s.a12, batch: x2.map(\.x), label: "\(label) \(s.block.path).12 x2")
            let z = try await s.a11.solve(d.map(\.value), core: core, label: label, phaseRecords: sink)
            var solved: [BlockInversePlan.Solved] = []
            for k in batch.indices {
                let x1 = digital.subtract(y1[k].x, z[k].x)
                let schurTerm = s.normSInverse * s.schurError * x2[k].x.norm2
                let bound = s.normK1 * y1[k].bound + s.normK2 * w1[k].errorBound + s.normK3 * (x2[k].bound + schurTerm)
                    + s.normA11Inverse * d[k].errorBound + z[k].bound
                solved.append(BlockInversePlan.Solved(x: x1 + x2[k].x, bound: bound))
            }
            record(batch, solved, into: sink)
            return solved
        }
    }
}
