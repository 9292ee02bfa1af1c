import Foundation
import Testing

/// What cannot work is refused before simulating, as what it is; what should work does.
@Suite("Refusals and wires on the command line")
struct RefusalTests: CLISuite {
    static func csv(_ rows: [[Double]]) -> String { rows.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n" }

    /// A rank-4 5x5 matrix (the last row is the sum of the first two).
    static let singular = csv([[2, 1, 0, 0, 1], [1, 3, 1, 0, 0], [0, 1, 4, 1, 0], [0, 0, 1, 5, 1], [3, 4, 1, 0, 1]])
    /// The 8x8 Hilbert matrix: SPD, but its small eigenvalues vanish at 4-bit cells.
    static let hilbert = csv((1...8).map { i in (1...8).map { j in 1 / Double(i + j - 1) } })

    @Test("an exactly singular matrix is refused as singular, with kappa, exit 2, by solve and analyze")
    func singularMatrix() throws {
        let dir = try directory(["s.csv": Self.singular])
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in [["solve"], ["analyze"], ["solve", "--fidelity", "behavioral", "--analysis", "tran"], ["solve", "--bits", "0"]] {
            let result = try CLIRunner.run(command + ["--matrix", "s.csv"], in: dir)
            #expect(result.status == 2, "\(command): exit \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("the matrix is singular: kappa_2 = ") && !result.stderr.contains("cell bits"), "\(command): \(result.stderr)")
        }
    }

    @Test("an SPD matrix whose quantised cells are not is refused saying so, not blaming A")
    func quantisedEigenvalue() throws {
        let dir = try directory(["h.csv": Self.hilbert])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["solve", "--matrix", "h.csv"], in: dir)
        #expect(result.status == 4, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("A's eigenvalues have positive real parts, but the matrix as quantised to the cells"), "\(result.stderr)")
        #expect(result.stderr.contains("raise --bits"))
    }

    @Test("a transient of ideal op-amps is refused: it has nothing to settle")
    func idealTransient() throws {
        let dir = try directory(["h.csv": Self.csv([[2, 0], [0, 2]])])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["solve", "--matrix", "h.csv", "--analysis", "tran"], in: dir)
        #expect(result.status == 2 && result.stderr.contains("ideal op-amps have no dynamics"), "\(result.stderr)")
    }

    @Test("--wire-r 10 solves INV at every fidelity, 8x8 and 32x32, with a column that drives no negative cell",
          arguments: [8, 32], ["ideal", "behavioral", "transistor"])
    func wires(size: Int, fidelity: String) throws {
        // I + 0.5 R / sqrt(n) from a fixed LCG, column 2 made positive.
        var state: UInt64 = 12345
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) - 0.5 }
        let rows = (0..<size).map { i in (0..<size).map { j -> Double in
            let x = (i == j ? 1 : 0) + 0.5 / Double(size).squareRoot() * 2 * next()
            return j == 1 ? abs(x) : x
        } }
        let dir = try directory(["a.csv": Self.csv(rows)])
        defer { try? FileManager.default.removeItem(at: dir) }
        // The converters are tested on their own; here the wires are.
        let converters = fidelity == "transistor" ? ["--converters", "ideal"] : []
        let result = try CLIRunner.run(["solve", "--matrix", "a.csv", "--wire-r", "10", "--fidelity", fidelity, "--json", "v.json"] + converters, in: dir)
        #expect(result.status == 0 || result.status == 1, "\(size)x\(size) \(fidelity): exit \(result.status): \(result.stderr)")
        let bits = try #require(value(try json(dir.appendingPathComponent("v.json")), "metrics.equivalentBits") as? Double)
        #expect(bits > 1, "\(size)x\(size) \(fidelity): \(bits) bits")
    }

    @Test("entries double precision cannot work with are refused, naming the entry, before LAPACK gets them wrong")
    func magnitudes() throws {
        let dir = try directory(["big.csv": "1e308,0\n0,1e308\n", "I.csv": "2,0\n0,2\n", "tiny.csv": "1\n1e-310\n",
                                 "long.csv": "1," + String(repeating: "9", count: 1_000_000) + "\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let big = try CLIRunner.run(["solve", "--matrix", "big.csv"], in: dir)
        #expect(big.status == 2 && big.stderr.contains("entry (1, 1) of the matrix, 1e+308, is beyond 1e+150"), "\(big.stderr)")
        let tiny = try CLIRunner.run(["solve", "--matrix", "I.csv", "--rhs", "tiny.csv"], in: dir)
        #expect(tiny.status == 2 && tiny.stderr.contains("entry 2 of the vector b, 1e-310, is subnormal"), "\(tiny.stderr)")
        let long = try CLIRunner.run(["analyze", "--matrix", "long.csv"], in: dir)
        #expect(long.status == 2 && long.stderr.count < 300, "\(long.stderr.count) characters of stderr")
        let block = try CLIRunner.run(["solve", "--matrix", "I.csv", "--op", "block", "--block-size", "5"], in: dir)
        #expect(block.status == 2 && block.stderr.contains("the block size n1 = 5 is invalid: it must be between 1 and 1"), "\(block.stderr)")
    }
}
