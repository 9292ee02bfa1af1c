import Characterization
import Reports
import Verification
import Specification
import Foundation
import CircuitTheory
import Reference

/// Mean, sigma and quantiles of one quantity.
public struct Distribution: Sendable, Hashable {
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (n - 1); 0 for one value.
    public var sigma: Double
    public var minimum: Double
    public var maximum: Double
    /// 5th, 25th, 50th, 75th and 95th percentiles (linear interpolation between order statistics).
    public var p05: Double, p25: Double, median: Double, p75: Double, p95: Double

    /// nil for no finite values.
    public init?(_ values: [Double]) {
        let x = values.filter(\.isFinite).sorted()
        guard !x.isEmpty else { return nil }
        count = x.count
        mean = x.reduce(0, +) / Double(x.count)
        let m = mean
        sigma = x.count > 1 ? (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot() : 0
        minimum = x[0]
        maximum = x[x.count - 1]
        func q(_ p: Double) -> Double {
            let h = p * Double(x.count - 1)
            let lo = Int(h.rounded(.down)), hi = min(lo + 1, x.count - 1)
            return x[lo] + (h - Double(lo)) * (x[hi] - x[lo])
        }
        p05 = q(0.05); p25 = q(0.25); median = q(0.5); p75 = q(0.75); p95 = q(0.95)
    }

    public var json: JSONValue {
        .object([("count", .number(Double(count))), ("mean", .number(mean)), ("sigma", .number(sigma)),
                 ("min", .number(minimum)), ("p05", .number(p05)), ("p25", .number(p25)), ("median", .number(median)),
                 ("p75", .number(p75)), ("p95", .number(p95)), ("max", .number(maximum))])
    }
}

/// Yield: the share of runs that passed, with a 95 % Wilson score interval.
public struct Yield: Sendable, Hashable {
    public var passed: Int
    public var total: Int
    public var fraction: Double { total > 0 ? Double(passed) / Double(total) : .nan }
    public var interval: (low: Double, high: Double) {
        guard total > 0 else { return (.nan, .nan) }
        let z = 1.959964, n = Double(total), p = fraction
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / (1 + z * z / n)
        return (max(0, centre - half), min(1, centre + half))
    }
    public var json: JSONValue {
        .object([("passed", .number(Double(passed))), ("total", .number(Double(total))), ("fraction", .number(fraction)),
                 ("low95", .number(interval.low)), ("high95", .number(interval.high))])
    }
}

/// The statistics of a group of rows.
public struct GroupStatistics: Sendable {
    /// What the rows share (grid values), or empty for all rows.
    public var label: [(String, JSONValue)]
    public var runs: Int
    public var failed: Int
    public var yield: Yield
    public var equivalentBits: Distribution?
    public var relativeError: Distribution?
    public var settlingSeconds: Distribution?
    public var energyJoules: Distribution?
    /// Per output entry, sigma of (x_hat - x_ideal) in the solution's units.
    public var entryErrorSigma: [Double]

    init(label: [(String, JSONValue)], rows: [JSONValue], ideal: [Double]?) {
        self.label = label
        runs = rows.count
        failed = rows.filter { $0["status"]?.stringValue != "ok" }.count
        yield = Yield(passed: rows.filter { $0["pass"]?.boolValue == true }.count, total: rows.count)
        func values(_ key: String) -> [Double] { rows.compactMap { $0[key]?.numberValue } }
        equivalentBits = Distribution(values("equivalentBits"))
        relativeError = Distribution(values("relativeError"))
        settlingSeconds = Distribution(values("settlingSeconds"))
        energyJoules = Distribution(values("energyJoules"))
        var sigmas: [Double] = []
        if let ideal {
            let solutions = rows.compactMap { $0["solution"]?.arrayValue?.compactMap(\.numberValue) }.filter { $0.count == ideal.count }
            for i in ideal.indices {
                sigmas.append(Distribution(solutions.map { $0[i] - ideal[i] })?.sigma ?? .nan)
            }
        }
        entryErrorSigma = sigmas
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if !label.isEmpty { members.append(("values", .object(label))) }
        members += [
            ("runs", .number(Double(runs))), ("failed", .number(Double(failed))), ("yield", yield.json),
            ("equivalentBits", equivalentBits?.json ?? .null), ("relativeError", relativeError?.json ?? .null),
            ("settlingSeconds", settlingSeconds?.json ?? .null), ("energyJoules", energyJoules?.json ?? .null),
            ("entryErrorSigma", .numbers(entryErrorSigma)),
        ]
        return .object(members)
    }
}

/// The statistics of a finished sweep: everything the reports show, computed from the rows
/// alone (a local run and a collected SLURM run give the same).
public struct SweepStatistics: Sendable {
    public var spec: SweepSpec
    /// Every row, ordered by run.
    public var rows: [JSONValue]
    public var overall: GroupStatistics
    /// One per grid point, in grid order.
    public var points: [GroupStatistics]
    /// Per grid variable, one group per value.
    public var marginals: [(variable: String, groups: [GroupStatistics])]
    /// The runs with the fewest equivalent bits (failed runs first), with their seeds.
    public var worst: [JSONValue]

    /// When no run could run and all for the same kind of reason (every row `unstable`, or
    /// every row `invalid`, or every row `failed`), that reason; nil otherwise.
    public var uniformRefusal: SweepError? {
        guard let first = rows.first?["status"]?.stringValue, first != "ok",
              rows.allSatisfy({ $0["status"]?.stringValue == first }) else { return nil }
        return .everyRun(status: first, message: rows.first?["message"]?.stringValue ?? "")
    }

    public init(spec: SweepSpec, rows: [JSONValue], problem: Problem, worstCount: Int = 5) {
        self.spec = spec
        self.rows = rows
        // The ideal solution of the problem (nil for EIG, compared by direction).
        let ideal = problem.operation == .eig ? nil
            : try? Mapping.exactSolution(operation: problem.operation, matrix: problem.matrix, vector: problem.vector,
                                         blockSize: problem.blockSize)
        overall = GroupStatistics(label: [], rows: rows, ideal: ideal)
        let grid = spec.gridPoints
        var byPoint = [[JSONValue]](repeating: [], count: grid.count)
        for row in rows {
            if let p = row["point"]?.numberValue, Int(p) >= 0, Int(p) < grid.count { byPoint[Int(p)].append(row) }
        }
        points = grid.indices.map { GroupStatistics(label: grid[$0].map { ($0.0, SweepExecutor.normalised($0.1)) }, rows: byPoint[$0], ideal: ideal) }
        marginals = spec.gridVariables.filter { $0.domain.gridValues.count > 1 }.map { variable in
            let groups = variable.domain.gridValues.map { value -> GroupStatistics in
                let v = SweepExecutor.normalised(value)
                let members = rows.filter { $0["variables"]?[variable.name] == v }
                return GroupStatistics(label: [(variable.name, v)], rows: members, ideal: ideal)
            }
            return (variable.name, groups)
        }
        let ranked = rows.sorted { a, b in
            let fa = a["status"]?.stringValue != "ok", fb = b["status"]?.stringValue != "ok"
            if fa != fb { return fa }
            let ba = a["equivalentBits"]?.numberValue ?? -.infinity, bb = b["equivalentBits"]?.numberValue ?? -.infinity
            if ba != bb { return ba < bb }
            return (a["run"]?.numberValue ?? 0) < (b["run"]?.numberValue ?? 0)
        }
        worst = ranked.prefix(worstCount).map { row in
            .object(["run", "point", "sample", "read", "seed", "variables", "status", "equivalentBits", "relativeError",
                     "settlingSeconds", "stuckOn", "stuckOff", "message"].compactMap { key in row[key].map { (key, $0) } })
        }
    }

    public var json: JSONValue {
        .object([
            ("name", .string(spec.name)),
            ("seed", .number(Double(spec.seed))),
            ("runs", .number(Double(spec.runCount))),
            ("rows", .number(Double(rows.count))),
            ("samples", .number(Double(spec.samples))),
            ("reads", .number(Double(spec.reads))),
            ("toleranceBits", .optional(spec.toleranceBits)),
            ("overall", overall.json),
            ("points", .array(points.map(\.json))),
            ("marginals", .object(marginals.map { ($0.variable, .array($0.groups.map(\.json))) })),
            ("worst", .array(worst)),
        ])
    }

    /// A few lines for a person.
    public var text: String {
        var lines: [String] = []
        let tolerance = spec.toleranceBits.map { "\(significant($0, 3)) bits" } ?? "each grid point's nominal tolerance (error model)"
        lines.append("sweep \(spec.name): \(rows.count) of \(spec.runCount) runs (\(spec.gridPoints.count) grid points x \(spec.samples) samples x \(spec.reads) reads), seed \(spec.seed)")
        lines.append("  yield     \(yieldText(overall.yield)) at \(tolerance)\(overall.failed > 0 ? ", \(overall.failed) runs failed to simulate or were refused" : "")")
        if let b = overall.equivalentBits {
            lines.append("  bits      mean \(significant(b.mean, 3)), sigma \(significant(b.sigma, 3)), p05 \(significant(b.p05, 3)), median \(significant(b.median, 3)), p95 \(significant(b.p95, 3)), min \(significant(b.minimum, 3))")
        }
        if let e = overall.relativeError {
            lines.append("  error     relative error mean \(scientific(e.mean, 3)), sigma \(scientific(e.sigma, 3)), p95 \(scientific(e.p95, 3)), max \(scientific(e.maximum, 3))")
        }
        if let s = overall.settlingSeconds {
            lines.append("  settling  mean \(engineeringSeconds(s.mean)), sigma \(engineeringSeconds(s.sigma)), p95 \(engineeringSeconds(s.p95)), max \(engineeringSeconds(s.maximum))")
        }
        if let j = overall.energyJoules {
            lines.append("  energy    mean \(scientific(j.mean, 3)) J, sigma \(scientific(j.sigma, 3)) J, p95 \(scientific(j.p95, 3)) J per solve")
        }
        if points.count > 1 {
            lines.append("  per grid point:")
            for p in points {
                let label = p.label.map { "\($0.0)=\(valueText($0.1))" }.joined(separator: " ")
                var line = "    \(label): yield \(yieldText(p.yield))"
                if let b = p.equivalentBits { line += ", bits \(significant(b.mean, 3)) +- \(significant(b.sigma, 3)) (p05 \(significant(b.p05, 3)))" }
                if let s = p.settlingSeconds { line += ", settling \(engineeringSeconds(s.median)) (p95 \(engineeringSeconds(s.p95)))" }
                if let j = p.energyJoules { line += ", energy \(scientific(j.median, 3)) J" }
                lines.append(line)
            }
        }
        if !worst.isEmpty {
            lines.append("  worst runs (reproduce one with its run index and the same sweep file):")
            for w in worst {
                let vars = w["variables"]?.objectMembers?.map { "\($0.0)=\(valueText($0.1))" }.joined(separator: " ") ?? ""
                let bits = w["equivalentBits"]?.numberValue.map { "\(significant($0, 3)) bits" } ?? (w["status"]?.stringValue ?? "?")
                lines.append("    run \(Int(w["run"]?.numberValue ?? -1)) sample \(Int(w["sample"]?.numberValue ?? -1)) seed \(Int64(w["seed"]?.numberValue ?? -1)): \(bits)\(vars.isEmpty ? "" : " [\(vars)]")")
            }
        }
        return lines.joined(separator: "\n")
    }

    func yieldText(_ y: Yield) -> String {
        let i = y.interval
        return "\(String(format: "%.1f", 100 * y.fraction)) % (\(y.passed)/\(y.total); 95 % interval \(String(format: "%.1f", 100 * i.low))-\(String(format: "%.1f", 100 * i.high)) %)"
    }
    func engineeringSeconds(_ x: Double) -> String { x == 0 ? "0 s" : String(format: "%.4g ns", x * 1e9) }
    func valueText(_ v: JSONValue) -> String {
        switch v {
        case .number(let x): return String(format: "%g", x)
        case .string(let s): return s
        default: return v.line()
        }
    }
}

extension SweepDirectory {
    /// Every row of the directory's journals (the local one and all shards), ordered by run.
    /// - Parameter skippingDamaged: leave out a shard whose file is damaged (for status
    ///   listings, where that task shows as failed) instead of failing.
    public func mergedRows(skippingDamaged: Bool = false) throws(SweepError) -> [JSONValue] {
        var rows = try SweepDirectory.readRows(journal, repair: false)
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: shards)) ?? []).filter { $0.hasPrefix("shard-") && $0.hasSuffix(".jsonl") }.sorted()
        for name in names {
            let shardRows: [Int: JSONValue]
            do { shardRows = try SweepDirectory.readRows(shards + "/" + name, repair: false) } catch {
                if skippingDamaged { continue }
                throw error
            }
            for (run, row) in shardRows where rows[run] == nil {
                rows[run] = row
            }
        }
        return rows.keys.sorted().map { rows[$0]! }
    }

    /// Writes `results.jsonl`, `summary.json` and `report.txt` (and the HTML report) from the
    /// rows, when every run of the sweep has one.
    public func finish(_ executor: SweepExecutor) throws(SweepError) -> SweepStatistics {
        let rows = try mergedRows()
        let spec = executor.spec
        let statistics = SweepStatistics(spec: spec, rows: rows, problem: executor.problem)
        try write(rows.map { $0.line() + "\n" }.joined(), to: results)
        try write(statistics.json.text(), to: summary)
        try write(statistics.text + "\n", to: textReport)
        try write(SweepHTML.page(statistics), to: htmlReport)
        return statistics
    }
}
