import Characterization
import Sweeps
import Reports
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
import CircuitTheory
import Reference
import Verification

enum Suite: String { case quick, full }

enum BenchSection: String, CaseIterable {
    case pipeline, overhead, solver, batch, parallel, memory, transient, array
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// What one section measured, as text for people and JSON for machines.
struct SectionResult {
    var text: String
    var json: JSONValue
}

/// A set of timings: median and spread.
struct Samples {
    var values: [Double] = []
    mutating func add(_ x: Double) { values.append(x) }
    var median: Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    var min: Double { values.min() ?? .nan }
    var max: Double { values.max() ?? .nan }
    var json: JSONValue { .object([("median", .number(median)), ("min", .number(min)), ("max", .number(max)), ("n", .number(Double(values.count)))]) }
    func seconds() -> String { "\(ms(median)) ms (\(ms(min))-\(ms(max)))" }
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
func pct(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
func ratio(_ x: Double) -> String { String(format: "%.2fx", x) }

func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now()
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

final class Benchmarks {
    let suite: Suite
    let engine: NgspiceEngine

    init(suite: Suite) throws {
        self.suite = suite
        engine = try NgspiceEngine()
    }

    var quick: Bool { suite == .quick }

    func run(_ section: BenchSection) async throws -> SectionResult {
        switch section {
        case .pipeline: return try await pipeline()
        case .overhead: return try await overhead()
        case .solver: return try await solver()
        case .batch: return try await batch()
        case .parallel: return try await parallel()
        case .memory: return try await memory()
        case .transient: return try await transient()
        case .array: return try await physicalArray()
        }
    }

    static func problem(_ n: Int, seed: UInt64 = 1) throws -> Problem {
        try Problem(operation: .inv, matrix: .wellConditioned(n, seed: seed))
    }

    // MARK: Sections

    /// Ideal INV .op, whole pipeline, and where the time goes.
    func pipeline() async throws -> SectionResult {
        let sizes = quick ? [16, 32, 64, 128] : [16, 32, 64, 128, 256]
        var lines = ["pipeline: ideal INV .op, whole solve (map, generate, simulate, verify)",
                     "     N   total (median, min-max)        analysis  generation  ngspice load  ngspice solve  verification"]
        var rows: [JSONValue] = []
        for n in sizes {
            let problem = try Self.problem(n)
            let repetitions = n <= 64 ? (quick ? 7 : 15) : (quick ? 3 : 5)
            var totals = Samples()
            var stages = StageTimings()
            _ = try await Verifier.solve(problem, SolveSpecification(), engine: engine)  // warm-up
            for _ in 0..<repetitions {
                var verdict: Verdict?
                let t = try await measure { verdict = try await Verifier.solve(problem, SolveSpecification(), engine: engine) }
                totals.add(t)
                let s = verdict!.timings
                stages.analysisSeconds += s.analysisSeconds; stages.generationSeconds += s.generationSeconds
                stages.loadSeconds += s.loadSeconds; stages.runSeconds += s.runSeconds
                stages.verificationSeconds += s.verificationSeconds
            }
            let sum = stages.totalSeconds
            let shares = [stages.analysisSeconds, stages.generationSeconds, stages.loadSeconds, stages.runSeconds,
                          stages.verificationSeconds].map { $0 / sum }
            lines.append(pad(String(n), 6, right: true) + "   " + pad(totals.seconds(), 31) + pad(pct(shares[0]), 10)
                         + pad(pct(shares[1]), 12) + pad(pct(shares[2]), 14) + pad(pct(shares[3]), 15) + pct(shares[4]))
            rows.append(.object([
                ("n", .number(Double(n))), ("seconds", totals.json),
                ("share", .object(zip(["analysis", "generation", "load", "solve", "verification"], shares).map { ($0, .number($1)) })),
            ]))
        }
        lines.append("targets: 64x64 <= 150 ms, 128x128 <= 1 s (release build, KLU)")
        return SectionResult(text: lines.joined(separator: "\n"), json: .array(rows))
    }

    /// The same deck in process vs the plain ngspice binary, alternating.
    func overhead() async throws -> SectionResult {
        let n = 64
        let prepared = try Verifier.prepare(try Self.problem(n), SolveSpecification())
        let deck = Verifier.standalone(prepared, generatedBy: "crossloop bench", options: SolveSpecification())
        let text = try deck.text()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("inv64.cir")
        try text.write(to: file, atomically: true, encoding: .utf8)
        var inProcess = Samples(), subprocess = Samples()
        let repetitions = quick ? 7 : 15
        _ = try await engine.run(text: text)
        for _ in 0..<repetitions {
            inProcess.add(try await measure { _ = try await engine.run(text: text) })
            subprocess.add(try await measure { try Self.ngspiceBatch(file, in: directory) })
        }
        let r = inProcess.median / subprocess.median
        let lines = [
            "overhead: the same \(n)x\(n) INV deck, in process (parse, run, copy vectors) vs `ngspice -b` as a subprocess",
            "  in process     \(inProcess.seconds())",
            "  ngspice -b     \(subprocess.seconds())",
            "  ratio          \(ratio(r)) (target <= 1.05x)",
        ]
        return SectionResult(text: lines.joined(separator: "\n"), json: .object([
            ("n", .number(Double(n))), ("inProcess", inProcess.json), ("subprocess", subprocess.json), ("ratio", .number(r)),
        ]))
    }

    static func ngspiceBatch(_ file: URL, in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ngspice", "-b", file.path]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError(description: "ngspice -b exited \(process.terminationStatus)") }
    }

    /// KLU against Sparse 1.3 on the same decks, alternating.
    func solver() async throws -> SectionResult {
        guard engine.info.hasKLU else {
            return SectionResult(text: "solver: skipped, this ngspice has no KLU", json: .null)
        }
        var cases: [(String, Int, Double)] = [("ideal, no wires", 64, 0), ("ideal, wire segments", 32, 1)]
        if !quick { cases += [("ideal, no wires", 128, 0), ("ideal, wire segments", 64, 1)] }
        var lines = ["solver: KLU vs Sparse 1.3, the same .op decks"]
        var rows: [JSONValue] = []
        for (label, n, wire) in cases {
            var options = SolveSpecification()
            options.design.circuit.wires = WireParasitics(resistanceOhms: wire)
            let prepared = try Verifier.prepare(try Self.problem(n), options)
            let deck = try PreparedDeck(deck: prepared.deck)
            var klu = Samples(), sparse = Samples()
            for _ in 0..<(quick ? 3 : 5) {
                klu.add(try await engine.run(deck, RunRequest(solver: .klu)).runSeconds)
                sparse.add(try await engine.run(deck, RunRequest(solver: .sparse)).runSeconds)
            }
            let r = sparse.median / klu.median
            lines.append("  \(n)x\(n) \(label): KLU \(klu.seconds()), Sparse \(sparse.seconds()): Sparse/KLU \(ratio(r))")
            rows.append(.object([("n", .number(Double(n))), ("case", .string(label)), ("klu", klu.json), ("sparse", sparse.json), ("ratio", .number(r))]))
        }
        return SectionResult(text: lines.joined(separator: "\n"), json: .array(rows))
    }

    /// K problems of one shape: re-programming one loaded circuit vs a fresh deck each, for
    /// new matrices (every cell changes) and for new right-hand sides (only the inputs do).
    func batch() async throws -> SectionResult {
        let n = 64, k = quick ? 10 : 30
        var options = SolveSpecification()
        options.design.mapping.cell.magnitudeBits = nil  // continuous cells: every cell exists in every sample
        let base = Matrix.wellConditioned(n, seed: 3)
        var generator = SeededGenerator(seed: 4)
        let matrices = try (0..<k).map { _ in
            try Problem(operation: .inv, matrix: base.map { $0 * (1 + 0.2 * Double.random(in: -1...1, using: &generator)) })
        }
        let rightHandSides = try (0..<k).map { _ in
            try Problem(operation: .inv, matrix: base, vector: (0..<n).map { _ in generator.normal() })
        }
        var lines = ["batch: \(k) problems of one \(n)x\(n) shape (continuous cells), whole solves: a fresh deck each vs one loaded circuit re-programmed with `alter`"]
        var rows: [(String, JSONValue)] = []
        for (label, problems) in [("new matrices", matrices), ("new right-hand sides", rightHandSides)] {
            var fresh = Samples(), batched = Samples()
            var last: BatchSolver.Outcome?
            var freshVerdicts: [Verdict] = []
            for _ in 0..<(quick ? 2 : 3) {
                freshVerdicts = []
                fresh.add(try await measure {
                    for problem in problems { freshVerdicts.append(try await Verifier.solve(problem, options, engine: engine)) }
                })
                batched.add(try await measure { last = try await BatchSolver.solve(problems, options, engine: engine) })
            }
            let outcome = last!
            let worst = zip(outcome.verdicts, freshVerdicts).map { a, b in a.outputVolts.minus(b.outputVolts).norm2 / b.outputVolts.norm2 }.max() ?? 0
            let r = batched.median / fresh.median
            lines.append("  \(label): fresh \(fresh.seconds()), loaded \(batched.seconds()): \(ratio(r)) (target <= 0.2x)")
            lines.append("    \(outcome.alterations) alters in \(ms(outcome.alterSeconds)) ms (\(String(format: "%.1f", outcome.alterSeconds / Double(max(outcome.alterations, 1)) * 1e6)) us each); results differ by at most \(String(format: "%.1e", worst))")
            rows.append((label == "new matrices" ? "matrices" : "rightHandSides", .object([
                ("fresh", fresh.json), ("batched", batched.json), ("ratio", .number(r)),
                ("alterations", .number(Double(outcome.alterations))), ("alterSeconds", .number(outcome.alterSeconds)),
                ("maxRelativeDifference", .number(worst)),
            ])))
        }
        return SectionResult(text: lines.joined(separator: "\n"), json: .object([("n", .number(Double(n))), ("k", .number(Double(k)))] + rows))
    }

    /// A sweep of independent solves on one engine vs two.
    func parallel() async throws -> SectionResult {
        let count = quick ? 16 : 40
        let options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        let problems = try (0..<count).map { try Problem(operation: .inv, matrix: .wellConditioned(24, seed: UInt64(100 + $0))) }
        let one = try EnginePool(size: 1), two = try EnginePool(size: 2)
        var single = Samples(), double = Samples()
        for _ in 0..<(quick ? 2 : 3) {
            single.add(try await measure { _ = try await one.map(problems) { engine, p in try await Verifier.solve(p, options, engine: engine).passed } })
            double.add(try await measure { _ = try await two.map(problems) { engine, p in try await Verifier.solve(p, options, engine: engine).passed } })
        }
        let r = single.median / double.median
        let lines = [
            "parallel: \(count) behavioural 24x24 INV transients",
            "  1 engine    \(single.seconds())",
            "  2 engines   \(double.seconds())",
            "  throughput  \(ratio(r)) of one engine (target >= 1.8x on 2 cores)",
        ]
        return SectionResult(text: lines.joined(separator: "\n"), json: .object([
            ("count", .number(Double(count))), ("oneEngine", single.json), ("twoEngines", double.json), ("throughputRatio", .number(r)),
        ]))
    }

    /// Resident memory before and after many runs in one engine.
    func memory() async throws -> SectionResult {
        let runs = 1000
        let text = "rc step\nV1 in 0 pulse(0 1 0 1n 1n 1 2)\nR1 in out 1k\nC1 out 0 1n\n.tran 10n 2u\n.end\n"
        for _ in 0..<50 { _ = try await engine.run(text: text) }
        let before = Self.residentBytes()
        let elapsed = try await measure { for _ in 0..<runs { _ = try await engine.run(text: text) } }
        let after = Self.residentBytes()
        let growth = Double(after - before) / 1_048_576
        let sweep = try await sweepMemory()
        let lines = [
            "memory: \(runs) small transients in one engine (\(ms(elapsed / Double(runs))) ms each)",
            String(format: "  RSS %.1f MB -> %.1f MB: growth %.2f MB (target < 10 MB)", Double(before) / 1_048_576, Double(after) / 1_048_576, growth),
            "memory: a sweep of \(sweep.runs) runs (8x8 INV transients, programming error and the swing drawn per sample)",
            String(format: "  RSS at run 100 %.1f MB -> at run %d %.1f MB: growth %.2f MB (target < 10 MB)",
                   Double(sweep.at100) / 1_048_576, sweep.runs, Double(sweep.atEnd) / 1_048_576, sweep.growthMB),
        ]
        return SectionResult(text: lines.joined(separator: "\n"), json: .object([
            ("runs", .number(Double(runs))), ("rssBeforeBytes", .number(Double(before))), ("rssAfterBytes", .number(Double(after))),
            ("growthMB", .number(growth)),
            ("sweep", .object([("runs", .number(Double(sweep.runs))), ("rssAtRun100Bytes", .number(Double(sweep.at100))),
                               ("rssAtEndBytes", .number(Double(sweep.atEnd))), ("growthMB", .number(sweep.growthMB))])),
        ]))
    }

    /// Resident memory over the runs of a sweep whose every run has its own nominal design
    /// (a design knob drawn per sample): what grows per run shows here.
    func sweepMemory() async throws -> (runs: Int, at100: Int, atEnd: Int, growthMB: Double) {
        let runs = quick ? 300 : 1000
        let text = """
            {"name": "bench-memory", "seed": 1,
             "problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 8, "seed": 1}},
             "design": {"fidelity": "behavioral", "analysis": "tran"}, "variation": {"programming-sigma": 0.02},
             "variables": {"swing": {"distribution": "uniform", "min": 0.45, "max": 0.55}}, "samples": \(runs)}
            """
        let executor = try SweepExecutor(spec: try SweepSpec(try JSONValue.parse(text), baseDirectory: "."))
        var at100 = 0
        for index in 0..<runs {
            _ = await executor.run(index, engine: engine)
            if index == 99 { at100 = Self.residentBytes() }
        }
        let atEnd = Self.residentBytes()
        return (runs, at100, atEnd, Double(atEnd - at100) / 1_048_576)
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Behavioural and transistor-level INV transients across sizes, and how their cost scales.
    func transient() async throws -> SectionResult {
        var lines = ["transient: INV .tran (step response to 8 bits), behavioural and transistor level (generic card, ideal converters; the full 64x64 array is the array section's)"]
        var sections: [(String, JSONValue)] = []
        for fidelity in [Fidelity.behavioral, .transistor] {
            lines.append("  \(fidelity.rawValue)")
            lines.append("       N   simulation (median, min-max)   timepoints")
            var rows: [JSONValue] = []
            var points: [(Double, Double)] = []
            for n in fidelity == .transistor ? [8, 16, 32] : [8, 32, 64] {
                let problem = try Self.problem(n, seed: 9)
                var options = SolveSpecification(circuit: DesignParameters(fidelity: fidelity), analysis: .tran)
                if fidelity == .transistor {
                    options.design.transistor = TransistorDesign(technology: .generic(), converters: .ideal)
                    options.design.fitUnitConductance = true
                }
                var times = Samples()
                var timepoints = 0
                for _ in 0..<(quick ? 2 : 3) {
                    let verdict = try await Verifier.solve(problem, options, engine: engine)
                    times.add(verdict.simulation.seconds)
                    timepoints = verdict.simulation.timepoints
                }
                lines.append("  " + pad(String(n), 6, right: true) + "   " + pad(times.seconds(), 31) + String(timepoints))
                rows.append(.object([("n", .number(Double(n))), ("seconds", times.json), ("timepoints", .number(Double(timepoints)))]))
                points.append((log(Double(n)), log(times.median)))
            }
            let exponent = Self.slope(points)
            lines.append(String(format: "    cost grows as N^%.2f", exponent))
            sections.append((fidelity.rawValue, .object([("runs", .array(rows)), ("exponent", .number(exponent))])))
        }
        return SectionResult(text: lines.joined(separator: "\n"), json: .object(sections))
    }

    /// Least-squares slope of y on x.
    static func slope(_ points: [(Double, Double)]) -> Double {
        let n = Double(points.count)
        let mx = points.map(\.0).reduce(0, +) / n, my = points.map(\.1).reduce(0, +) / n
        let sxy = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        return sxx > 0 ? sxy / sxx : .nan
    }

    /// The transistor-level array as the chip has it: one transient of the full tile (every
    /// site and bit, its switches, the loop OTAs and inverters) with its size in devices, and
    /// new matrices programmed into a loaded array (`alter` of the state sources) against a
    /// fresh deck each.
    func physicalArray() async throws -> SectionResult {
        let n = quick ? 16 : 64, m = quick ? 8 : 32, k = quick ? 3 : 5
        var lines = ["array: the transistor-level tile (generic card, 4-bit cells, two arrays, ideal converters)"]
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .transistor), analysis: .tran)
        options.design.transistor = TransistorDesign(technology: .generic(), converters: .ideal)
        options.design.fitUnitConductance = true
        // One device thread (as engines side by side run), then every core (as `solve` runs).
        let threads = EngineConfiguration.wholeMachine.deviceThreads
        let wide = threads > 1 ? try NgspiceEngine(configuration: .wholeMachine) : engine
        let problem = try Self.problem(n, seed: 9)
        var runs: [(threads: Int, verdict: Verdict, seconds: Double)] = []
        for (count, simulator) in [(1, engine), (threads, wide)] where count == 1 || threads > 1 {
            let clock = Stopwatch()
            runs.append((count, try await Verifier.solve(problem, options, engine: simulator), clock.seconds))
        }
        let verdict = runs[runs.count - 1].verdict, whole = runs[runs.count - 1].seconds
        let devices = verdict.design.deck.elements.filter { if case .mosfet = $0 { true } else { false } }.count
        let timings = runs.map { "\($0.threads) device thread\($0.threads == 1 ? "" : "s") \(String(format: "%.1f", $0.verdict.simulation.seconds)) s" }
        lines.append("  \(n)x\(n) transient to settling in ngspice: \(timings.joined(separator: ", ")) (\(String(format: "%.1f", whole)) s in all), \(verdict.simulation.timepoints) timepoints, \(verdict.design.switchDevices) switch transistors, \(devices) MOSFETs outside the op-amps, \(verdict.design.elementCount) elements; \(verdict.passed ? "PASS" : "FAIL") at \(String(format: "%.2f", verdict.metricsIdeal.equivalentBits)) bits (aim <= 60 s)")
        // Re-programming: operating points, where loading the deck is what a fresh solve repeats.
        var op = options
        op.plan.analysis = .op
        let base = Matrix.wellConditioned(m, seed: 5)
        var generator = SeededGenerator(seed: 6)
        let problems = try (0..<k).map { _ in
            try Problem(operation: .inv, matrix: base.map { $0 * (1 + 0.3 * Double.random(in: -1...1, using: &generator)) })
        }
        var fresh = Samples(), loaded = Samples()
        var outcome: BatchSolver.Outcome?
        var freshVerdicts: [Verdict] = []
        for _ in 0..<2 {
            loaded.add(try await measure { outcome = try await BatchSolver.solve(problems, op, engine: engine) })
            let batch = outcome!
            freshVerdicts = []
            fresh.add(try await measure {
                for problem in problems { freshVerdicts.append(try await Verifier.solve(problem, batch.options, engine: engine)) }
            })
        }
        let batch = outcome!
        let worst = zip(batch.verdicts, freshVerdicts).map { a, b in a.outputVolts.minus(b.outputVolts).norm2 / b.outputVolts.norm2 }.max() ?? 0
        let r = loaded.median / fresh.median
        lines.append("  \(k) matrices on a \(m)x\(m) array (.op): fresh deck each \(fresh.seconds()), one loaded array re-programmed \(loaded.seconds()): \(ratio(r)) (aim <= 0.3x)")
        let freshEngine = freshVerdicts.map(\.simulation.seconds).reduce(0, +)
        let loadedEngine = batch.verdicts.map(\.simulation.seconds).reduce(0, +)
        lines.append("    whole solves, as a user runs them; in ngspice (load and analysis) fresh \(String(format: "%.2f", freshEngine)) s, loaded \(String(format: "%.2f", loadedEngine)) s")
        lines.append("    \(batch.alterations) alters (\(batch.prepared[0].design.arrays.map(\.structure.storedBits).reduce(0, +)) stored bits) in \(ms(batch.alterSeconds)) ms; results differ by at most \(String(format: "%.1e", worst))")
        let tile: [(String, JSONValue)] = [
            ("n", .number(Double(n))), ("simulationSeconds", .number(verdict.simulation.seconds)),
            ("deviceThreads", .number(Double(threads))), ("oneThreadSeconds", .number(runs[0].verdict.simulation.seconds)),
            ("totalSeconds", .number(whole)), ("timepoints", .number(Double(verdict.simulation.timepoints))),
            ("switchDevices", .number(Double(verdict.design.switchDevices))), ("mosfets", .number(Double(devices))),
            ("elements", .number(Double(verdict.design.elementCount))), ("passed", .bool(verdict.passed)),
        ]
        return SectionResult(text: lines.joined(separator: "\n"), json: .object([
            ("tile", .object(tile)),
            ("reprogramming", .object([("n", .number(Double(m))), ("k", .number(Double(k))), ("fresh", fresh.json),
                                       ("loaded", loaded.json), ("ratio", .number(r)),
                                       ("alterations", .number(Double(batch.alterations))), ("maxRelativeDifference", .number(worst))])),
        ]))
    }
}
