import Characterization
import Reports
import Verification
import Specification
import Circuits
import Foundation
import MatrixFiles
import Netlist
import CircuitTheory
import Reference

/// Why a sweep cannot be read, planned, run or collected. Each message says what to change.
public enum SweepError: Error, Sendable, CustomStringConvertible {
    /// The sweep file is not valid (syntax, unknown key, value out of range).
    case invalidSpec(String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The results directory does not belong to this sweep, or is in a state that forbids the request.
    case directory(String)
    /// The nominal design of a grid point cannot be prepared.
    case verification(VerificationError)
    /// The scheduler refused or failed.
    case scheduler(String)
    /// A knob's value, or a combination of knobs, that the specification refuses.
    case specification(SpecificationError)
    /// No run of the sweep could run, all for the same kind of reason (`status` of the rows:
    /// `unstable`, `invalid` or `failed`); `message` is the first run's.
    case everyRun(status: String, message: String)

    public var description: String {
        switch self {
        case .invalidSpec(let reason): return "invalid sweep file: \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        case .directory(let reason): return reason
        case .verification(let error): return error.description
        case .scheduler(let reason): return reason
        case .specification(let error): return "invalid sweep file: \(error)"
        case let .everyRun(status, message): return "every run of the sweep is \(status): \(message)"
        }
    }
}

/// Where the sweep's matrix and vector come from.
public enum MatrixSource: Sendable, Hashable {
    /// A Matrix Market or CSV file (absolute path, resolved against the sweep file's folder).
    case file(String)
    /// A generated matrix: `kind` of size `size` from `seed`.
    case generated(kind: GeneratedMatrix, size: Int, seed: UInt64)
}

/// Matrices a sweep can generate, reproducibly from a seed.
public enum GeneratedMatrix: String, Sendable, Hashable, CaseIterable {
    /// I + (0.5 / sqrt n) R, R standard normal (`Matrix.wellConditioned`): mixed signs, stable INV loop.
    case wellConditioned = "well-conditioned"
    /// R R^T / n + I: symmetric positive definite.
    case spd
    /// tridiag(-1, 2, -1), the 1-D Poisson matrix (no seed).
    case poisson
    /// I + 0.5 tridiag(-1, 2, -1), one implicit heat step (no seed).
    case heat

    public func matrix(size n: Int, seed: UInt64) -> Matrix {
        switch self {
        case .wellConditioned:
            return .wellConditioned(n, seed: seed)
        case .spd:
            var g = SeededGenerator(seed: seed)
            let r = Matrix(rows: n, columns: n) { _, _ in g.normal() }
            return Matrix(rows: n, columns: n) { i, j in
                (0..<n).reduce(0.0) { $0 + r[i, $1] * r[j, $1] } / Double(n) + (i == j ? 1 : 0)
            }
        case .poisson:
            return Matrix(rows: n, columns: n) { i, j in i == j ? 2 : abs(i - j) == 1 ? -1 : 0 }
        case .heat:
            return Matrix(rows: n, columns: n) { i, j in i == j ? 2 : abs(i - j) == 1 ? -0.5 : 0 }
        }
    }
}

/// The right-hand side.
public enum VectorSource: Sendable, Hashable {
    /// All ones (the CLI's default).
    case ones
    /// Standard normal entries from a seed.
    case random(seed: UInt64)
    /// A file (absolute path).
    case file(String)
}

/// The problem a sweep solves, fixed for all of its runs.
public struct ProblemSpec: Sendable, Hashable {
    public var operation: CrossbarOperation
    public var matrix: MatrixSource
    public var vector: VectorSource
    public var blockSize: Int?

    /// Reads or generates the problem.
    public func problem() throws(SweepError) -> Problem {
        let a: Matrix
        switch matrix {
        case .file(let path):
            do { a = try MatrixFiles.readMatrix(at: path) } catch { throw .io(path: path, reason: error.description) }
        case let .generated(kind, size, seed):
            a = kind.matrix(size: size, seed: seed)
        }
        let n = operation == .mvm ? a.columns : operation == .block ? a.rows - (blockSize ?? a.rows / 2) : a.rows
        let vector: [Double]?
        switch self.vector {
        case .ones: vector = nil
        case .random(let seed):
            var g = SeededGenerator(seed: seed)
            vector = (0..<n).map { _ in g.normal() }
        case .file(let path):
            do { vector = try MatrixFiles.readVector(at: path) } catch { throw .io(path: path, reason: error.description) }
        }
        do {
            if operation == .eig { return try Problem(operation: .eig, matrix: a) }
            if let vector { return try Problem(operation: operation, matrix: a, vector: vector, blockSize: blockSize) }
            return try Problem(operation: operation, matrix: a, blockSize: blockSize)
        } catch {
            throw .invalidSpec("problem: \(error.description)")
        }
    }
}

/// How a variable takes its values.
public enum VariableDomain: Sendable, Hashable {
    /// Each value in turn (a grid axis).
    case values([JSONValue])
    /// `steps` values from `from` to `to`, evenly spaced, or evenly in log scale (a grid axis).
    case range(from: Double, to: Double, steps: Int, logarithmic: Bool)
    /// A fresh draw for every Monte Carlo sample (not a grid axis).
    case normal(mean: Double, sigma: Double)
    case uniform(minimum: Double, maximum: Double)

    /// Whether the variable spans a grid axis (lists, ranges) or is drawn per sample.
    public var isGrid: Bool {
        switch self {
        case .values, .range: true
        case .normal, .uniform: false
        }
    }

    /// A value the variable takes: the first of a grid axis, the mean or minimum of a distribution.
    public var representative: JSONValue {
        switch self {
        case .values, .range: return gridValues.first ?? .null
        case .normal(let mean, _): return .number(mean)
        case .uniform(let lo, _): return .number(lo)
        }
    }

    /// The values of a grid axis.
    /// How many grid values the domain spans, counted without building them.
    public var gridCount: Int {
        switch self {
        case .values(let v): return v.count
        case .range(_, _, let steps, _): return steps
        case .normal, .uniform: return 0
        }
    }

    public var gridValues: [JSONValue] {
        switch self {
        case .values(let v): return v
        case let .range(from, to, steps, logarithmic):
            guard steps > 1 else { return [.number(from)] }
            return (0..<steps).map { k in
                let u = Double(k) / Double(steps - 1)
                if k == steps - 1 { return .number(to) }
                return .number(logarithmic ? from * pow(to / from, u) : from + (to - from) * u)
            }
        case .normal, .uniform: return []
        }
    }
}

/// One swept knob.
public struct SweepVariable: Sendable, Hashable {
    public var name: String
    public var domain: VariableDomain
}

/// A sweep file: the problem, the design (the same knobs as `crossloop solve`'s flags), the
/// variation, the variables and the Monte Carlo sample count.
///
/// ```json
/// {
///   "name": "inv8-monte-carlo",
///   "seed": 2026,
///   "problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 8, "seed": 1}},
///   "design": {"fidelity": "behavioral", "analysis": "tran", "bits": 4, "gbw": "10meg"},
///   "variation": {"programming-sigma": 0.02, "stuck-off-rate": 0.002, "offset-sigma": "1m"},
///   "variables": {"read-noise-sigma": [0, 0.01], "temperature": {"distribution": "uniform", "min": 0, "max": 85}},
///   "samples": 200,
///   "tolerance-bits": 3
/// }
/// ```
/// Knob values are numbers or strings with SPICE suffixes (`"10meg"`). Lists and ranges
/// (`{"from": 1e6, "to": 1e8, "steps": 5, "scale": "log"}`) span a grid, in the order the
/// variables are written; distributions (`{"distribution": "normal", "mean": 27, "sigma":
/// 5}` or `"uniform"` with `min`/`max`) are drawn per sample. Every grid point runs every
/// sample (and each sample `reads` reads). Relative paths are taken from the file's folder.
public struct SweepSpec: Sendable {
    public var name: String
    /// The master seed: every random number of the sweep derives from it.
    public var seed: UInt64
    public var problem: ProblemSpec
    /// Base values of the knobs (design, variation, conditions), in the file's order.
    public var knobs: [(String, JSONValue)]
    public var variables: [SweepVariable] {
        didSet { gridPoints = SweepSpec.gridPoints(of: variables) }
    }
    /// Grid points: the Cartesian product of the grid axes, the last axis fastest. Built once
    /// (every run reads its point from it), and again only when `variables` change.
    public private(set) var gridPoints: [[(String, JSONValue)]]
    /// Monte Carlo samples per grid point (chips). Default 1.
    public var samples: Int
    /// Reads per sample (fresh read noise each). Default 1.
    public var reads: Int
    /// Yield threshold in equivalent bits against the ideal answer; nil: each grid point's
    /// nominal tolerance from the error model.
    public var toleranceBits: Double?
    /// Wall-clock limit per simulation, seconds; nil: none.
    public var timeLimitSeconds: Double?
    /// The file's text, canonicalised: what identifies the sweep in its results directory.
    public var canonicalText: String

    /// Reads a sweep file (JSON).
    public static func load(path: String) throws(SweepError) -> SweepSpec {
        let text = try readText(path)
        let tree: JSONValue
        do { tree = try JSONValue.parse(text) } catch { throw .invalidSpec("\(path): \(error.description)") }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try SweepSpec(tree, baseDirectory: base)
    }

    /// Largest sweep file read, bytes: a sweep is a page of settings, not data.
    public static let maximumFileBytes = 1 << 20

    /// The text of a sweep file: a regular file of at most ``maximumFileBytes``, UTF-8.
    public static func readText(_ path: String) throws(SweepError) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attributes else { throw .io(path: path, reason: "cannot read the sweep file: no such file") }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw .io(path: path, reason: "the sweep file is not a regular file")
        }
        if let size = attributes[.size] as? NSNumber, size.intValue > maximumFileBytes {
            throw .io(path: path, reason: "the sweep file is \(size.intValue) bytes; a sweep file is at most \(maximumFileBytes / 1024) KiB")
        }
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .io(path: path, reason: "cannot read the sweep file: \(error.localizedDescription)")
        }
    }

    /// Builds a spec from a parsed document (JSON, or YAML turned into the same tree).
    public init(_ tree: JSONValue, baseDirectory: String) throws(SweepError) {
        guard let members = tree.objectMembers else { throw .invalidSpec("the top level must be an object") }
        let known = ["name", "seed", "problem", "design", "variation", "conditions", "variables", "samples", "reads",
                     "tolerance-bits", "time-limit"]
        for (key, _) in members where !known.contains(key) {
            throw .invalidSpec("unknown key \"\(key)\" at the top level; use \(known.joined(separator: ", "))")
        }
        name = tree["name"]?.stringValue ?? "sweep"
        seed = try SweepSpec.seedValue(tree["seed"] ?? .number(1), "seed")
        guard let problemTree = tree["problem"] else { throw .invalidSpec("\"problem\" is missing: give an operation and a matrix file or a generated matrix") }
        problem = try SweepSpec.problem(problemTree, base: baseDirectory)

        var knobs: [(String, JSONValue)] = []
        for section in ["design", "variation", "conditions"] {
            guard let value = tree[section] else { continue }
            guard let entries = value.objectMembers else { throw .invalidSpec("\"\(section)\" must be an object of knob: value") }
            for (key, v) in entries {
                guard Knobs.isKnown(key) else { throw .invalidSpec("unknown knob \"\(key)\" in \"\(section)\"; known knobs: \(Knobs.names.joined(separator: ", "))") }
                if knobs.contains(where: { $0.0 == key }) { throw .invalidSpec("the knob \"\(key)\" is set twice") }
                knobs.append((key, Knobs.anchored(key, v, base: baseDirectory)))
            }
        }
        self.knobs = knobs
        var variables: [SweepVariable] = []
        if let v = tree["variables"] {
            guard let entries = v.objectMembers else { throw .invalidSpec("\"variables\" must be an object of knob: values") }
            for (key, domain) in entries {
                guard Knobs.isKnown(key) else { throw .invalidSpec("unknown variable \"\(key)\"; known knobs: \(Knobs.names.joined(separator: ", "))") }
                var values = try SweepSpec.domain(domain, key)
                if case .values(let list) = values { values = .values(list.map { Knobs.anchored(key, $0, base: baseDirectory) }) }
                variables.append(SweepVariable(name: key, domain: values))
            }
        }
        self.variables = variables
        samples = try SweepSpec.count(tree["samples"], "samples", default: 1, maximum: 1_000_000)
        reads = try SweepSpec.count(tree["reads"], "reads", default: 1, maximum: 10_000)
        if let t = tree["tolerance-bits"], !t.isNull {
            guard let bits = t.numberValue, bits > 0, bits <= 60 else { throw .invalidSpec("\"tolerance-bits\" must be a number in (0, 60]") }
            toleranceBits = bits
        } else {
            toleranceBits = nil
        }
        if let t = tree["time-limit"], !t.isNull {
            guard let seconds = try? Knobs.number(t, "time-limit"), seconds > 0 else { throw .invalidSpec("\"time-limit\" must be a positive number of seconds") }
            timeLimitSeconds = seconds
        } else {
            timeLimitSeconds = nil
        }
        // Canonical: the problem's paths made absolute, so the recorded sweep reads the same files
        // from any working directory.
        canonicalText = JSONValue.object(members.map { key, value in
            guard key == "problem", var problemMembers = value.objectMembers else { return (key, value) }
            for (k, (name, v)) in problemMembers.enumerated() where name == "matrix" || name == "rhs" {
                if let text = v.stringValue, text != "ones" { problemMembers[k].1 = .string(SweepSpec.path(text, base: baseDirectory)) }
            }
            return (key, .object(problemMembers))
        }).text()
        // Sized before anything is built, in floating point so no product can overflow.
        let gridSize = variables.filter(\.domain.isGrid).reduce(1.0) { $0 * Double(max(1, $1.domain.gridCount)) }
        let runs = gridSize * Double(samples) * Double(reads)
        guard runs <= 10_000_000 else {
            throw .invalidSpec("\(formatSignificant(gridSize, 6)) grid points x \(samples) samples x \(reads) reads is more than 10 million runs; split the sweep")
        }
        // Every grid value and the base design must resolve: fail now, not after hours.
        let operation = problem.operation
        _ = try Knobs.resolve(self.knobs + variables.map { ($0.name, $0.domain.representative) }, operation: operation)
        for variable in variables {
            for value in variable.domain.gridValues {
                _ = try Knobs.resolve(self.knobs + [(variable.name, value)], operation: operation)
            }
        }
        // Built only once the size is known to be reasonable.
        gridPoints = SweepSpec.gridPoints(of: variables)
    }

    static func seedValue(_ value: JSONValue, _ name: String) throws(SweepError) -> UInt64 {
        guard let x = value.numberValue, x >= 0, x == x.rounded(), x <= Double(SeedStream.maximum) else {
            throw .invalidSpec("\"\(name)\" must be a whole number between 0 and 2^49 - 1 (\(SeedStream.maximum))")
        }
        return UInt64(x)
    }

    static func count(_ value: JSONValue?, _ name: String, default d: Int, maximum: Int) throws(SweepError) -> Int {
        guard let value, !value.isNull else { return d }
        guard let x = value.numberValue, x >= 1, x == x.rounded(), x <= Double(maximum) else {
            throw .invalidSpec("\"\(name)\" must be a whole number between 1 and \(maximum)")
        }
        return Int(x)
    }

    static func path(_ text: String, base: String) -> String {
        text.hasPrefix("/") ? text : URL(fileURLWithPath: base).appendingPathComponent(text).standardizedFileURL.path
    }

    static func problem(_ tree: JSONValue, base: String) throws(SweepError) -> ProblemSpec {
        guard let members = tree.objectMembers else { throw .invalidSpec("\"problem\" must be an object") }
        for (key, _) in members where !["operation", "matrix", "generate", "rhs", "block-size"].contains(key) {
            throw .invalidSpec("unknown key \"\(key)\" in \"problem\"; use operation, matrix or generate, rhs, block-size")
        }
        let opText = tree["operation"]?.stringValue ?? "inv"
        guard let operation = CrossbarOperation(rawValue: opText.lowercased()) else {
            throw .invalidSpec("problem.operation \"\(opText)\": use inv, mvm, ginv, eig or block")
        }
        let matrix: MatrixSource
        switch (tree["matrix"], tree["generate"]) {
        case (let file?, nil):
            guard let path = file.stringValue else { throw .invalidSpec("problem.matrix must be a file path") }
            matrix = .file(SweepSpec.path(path, base: base))
        case (nil, let g?):
            let kindText = g["kind"]?.stringValue ?? ""
            guard let kind = GeneratedMatrix(rawValue: kindText) else {
                throw .invalidSpec("problem.generate.kind \"\(kindText)\": use \(GeneratedMatrix.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let n = g["size"]?.numberValue, n >= 2, n <= 512, n == n.rounded() else {
                throw .invalidSpec("problem.generate.size must be a whole number between 2 and 512")
            }
            matrix = .generated(kind: kind, size: Int(n), seed: try seedValue(g["seed"] ?? .number(1), "problem.generate.seed"))
        default:
            throw .invalidSpec("problem needs exactly one of \"matrix\" (a file) and \"generate\" ({\"kind\", \"size\", \"seed\"})")
        }
        let vector: VectorSource
        switch tree["rhs"] {
        case nil, .null?: vector = .ones
        case .string(let s)? where s == "ones": vector = .ones
        case .string(let s)?: vector = .file(SweepSpec.path(s, base: base))
        case let r? where r["random"] != nil: vector = .random(seed: try seedValue(r["random"]!, "problem.rhs.random"))
        default: throw .invalidSpec("problem.rhs must be \"ones\", a file path or {\"random\": seed}")
        }
        var blockSize: Int?
        if let b = tree["block-size"], !b.isNull {
            guard let x = b.numberValue, x >= 1, x == x.rounded() else { throw .invalidSpec("problem.block-size must be a whole number >= 1") }
            blockSize = Int(x)
        }
        return ProblemSpec(operation: operation, matrix: matrix, vector: vector, blockSize: blockSize)
    }

    static func domain(_ tree: JSONValue, _ name: String) throws(SweepError) -> VariableDomain {
        if let list = tree.arrayValue {
            guard !list.isEmpty else { throw .invalidSpec("variable \"\(name)\" has an empty list of values") }
            return .values(list)
        }
        guard tree.objectMembers != nil else {
            return .values([tree])
        }
        if let kind = tree["distribution"]?.stringValue {
            switch kind {
            case "normal", "gaussian":
                let mean = try Knobs.number(tree["mean"] ?? .null, "\(name).mean")
                let sigma = try Knobs.number(tree["sigma"] ?? .null, "\(name).sigma")
                guard sigma >= 0 else { throw .invalidSpec("\(name).sigma must be >= 0") }
                return .normal(mean: mean, sigma: sigma)
            case "uniform":
                let lo = try Knobs.number(tree["min"] ?? .null, "\(name).min")
                let hi = try Knobs.number(tree["max"] ?? .null, "\(name).max")
                guard hi >= lo else { throw .invalidSpec("\(name): max must be >= min") }
                return .uniform(minimum: lo, maximum: hi)
            default:
                throw .invalidSpec("variable \"\(name)\": distribution \"\(kind)\" is unknown; use normal or uniform")
            }
        }
        if tree["from"] != nil {
            let from = try Knobs.number(tree["from"]!, "\(name).from")
            let to = try Knobs.number(tree["to"] ?? .null, "\(name).to")
            let scale = tree["scale"]?.stringValue ?? "linear"
            guard scale == "linear" || scale == "log" else { throw .invalidSpec("\(name).scale must be linear or log") }
            let steps: Int
            if let s = tree["steps"] {
                guard let x = s.numberValue, x >= 1, x <= 100_000, x == x.rounded() else { throw .invalidSpec("\(name).steps must be a whole number >= 1") }
                steps = Int(x)
            } else if let st = tree["step"], scale == "linear" {
                let step = try Knobs.number(st, "\(name).step")
                guard step > 0 else { throw .invalidSpec("\(name).step must be positive") }
                // Counted in floating point first: a tiny step must not overflow the count.
                let count = ((abs(to - from)) / step + 1e-9).rounded(.down) + 1
                guard count.isFinite, count <= 100_000 else {
                    throw .invalidSpec("\(name): from \(from) to \(to) in steps of \(step) is \(formatSignificant(count, 3)) values; a range takes at most 100000")
                }
                steps = Int(count)
            } else {
                throw .invalidSpec("range \"\(name)\" needs \"steps\" (or \"step\" for a linear range)")
            }
            if scale == "log" { guard from > 0, to > 0 else { throw .invalidSpec("\(name): a log range needs positive from and to") } }
            return .range(from: from, to: to, steps: steps, logarithmic: scale == "log")
        }
        throw .invalidSpec("variable \"\(name)\" must be a list, a range {from, to, steps} or a distribution {distribution, ...}")
    }

    // MARK: The runs

    /// The grid axes, in the file's order.
    public var gridVariables: [SweepVariable] { variables.filter(\.domain.isGrid) }
    /// The variables drawn per sample.
    public var randomVariables: [SweepVariable] { variables.filter { !$0.domain.isGrid } }

    /// The Cartesian product of the grid axes of `variables`, the last axis fastest.
    static func gridPoints(of variables: [SweepVariable]) -> [[(String, JSONValue)]] {
        var points: [[(String, JSONValue)]] = [[]]
        for variable in variables where variable.domain.isGrid {
            points = points.flatMap { point in variable.domain.gridValues.map { point + [(variable.name, $0)] } }
        }
        return points
    }

    public var runCount: Int { gridPoints.count * samples * reads }

    /// The seed of Monte Carlo sample `sample`: the same chip at every grid point.
    public func sampleSeed(_ sample: Int) -> UInt64 { SeedStream.derive(seed, UInt64(sample)) }

    /// Run `index` as (grid point, sample, read).
    public func coordinates(of index: Int) -> (point: Int, sample: Int, read: Int) {
        let read = index % reads
        let sample = (index / reads) % samples
        return (index / (reads * samples), sample, read)
    }

    /// The knob values of one run: the base values, then the grid point's, then the sample's
    /// draws of the random variables.
    public func assignment(point: Int, sample: Int) -> (knobs: [(String, JSONValue)], varied: [(String, JSONValue)]) {
        let grid = gridPoints[point]
        var drawn: [(String, JSONValue)] = []
        let sampleSeed = self.sampleSeed(sample)
        for variable in randomVariables {
            var g = SeededGenerator(seed: SeedStream.derive(sampleSeed, SeedStream.purpose("variable:" + variable.name)))
            switch variable.domain {
            case let .normal(mean, sigma): drawn.append((variable.name, .number(mean + sigma * g.normal())))
            case let .uniform(lo, hi): drawn.append((variable.name, .number(lo + (hi - lo) * Double.random(in: 0..<1, using: &g))))
            case .values, .range: break
            }
        }
        var merged = knobs
        for (key, value) in grid + drawn {
            if let k = merged.firstIndex(where: { $0.0 == key }) { merged[k].1 = value } else { merged.append((key, value)) }
        }
        return (merged, grid + drawn)
    }
}
