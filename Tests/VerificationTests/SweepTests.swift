import Reports
import Characterization
import Sweeps
import Specification
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Circuits
import Netlist
import Ngspice
import CircuitTheory
import Reference
import Testing
import Verification

enum SweepFixtures {
    static func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func spec(_ text: String, base: String = "/tmp") throws -> SweepSpec {
        try SweepSpec(try JSONValue.parse(text), baseDirectory: base)
    }

    /// A small Monte Carlo of an 6x6 INV at ideal fidelity: fast enough for unit tests.
    static let monteCarlo = """
        {"name": "mc6", "seed": 7,
         "problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 6, "seed": 3}},
         "design": {"bits": 6},
         "variation": {"programming-sigma": 0.03, "stuck-off-rate": 0.01, "offset-sigma": "2m"},
         "variables": {"read-noise-sigma": [0, 0.02]},
         "samples": 12, "tolerance-bits": 4}
        """

    /// Two engines for the runner tests (one per core).
    static let engines: [NgspiceEngine] = {
        do { return try EnginePool(size: 2).engines } catch { fatalError("libngspice is required: \(error)") }
    }()
}

@Suite("Sweep files")
struct SweepSpecTests {
    @Test("grid axes multiply, distributions draw per sample, runs number grid x samples x reads")
    func expansion() throws {
        let spec = try SweepFixtures.spec("""
            {"problem": {"generate": {"kind": "spd", "size": 4}},
             "variables": {"gbw": {"from": "1meg", "to": "100meg", "steps": 3, "scale": "log"},
                           "bits": [3, 4],
                           "temperature": {"distribution": "uniform", "min": 0, "max": 85}},
             "design": {"fidelity": "behavioral", "technology": "generic"},
             "samples": 5, "reads": 2}
            """)
        #expect(spec.gridPoints.count == 6)
        #expect(spec.runCount == 60)
        let gbws = spec.gridVariables[0].domain.gridValues.compactMap(\.numberValue)
        #expect(gbws.count == 3 && abs(gbws[1] - 1e7) < 1e-3 && gbws[2] == 1e8)
        // The last axis runs fastest; run index = (point * samples + sample) * reads + read.
        #expect(spec.gridPoints[1].map(\.0) == ["gbw", "bits"] && spec.gridPoints[1][1].1 == .number(4))
        let c = spec.coordinates(of: 37)
        #expect(c.point == 3 && c.sample == 3 && c.read == 1)
        // A distribution is drawn per sample, the same at every grid point, inside its bounds.
        let t0 = spec.assignment(point: 0, sample: 2).varied.first { $0.0 == "temperature" }?.1.numberValue
        let t5 = spec.assignment(point: 5, sample: 2).varied.first { $0.0 == "temperature" }?.1.numberValue
        let u = spec.assignment(point: 0, sample: 3).varied.first { $0.0 == "temperature" }?.1.numberValue
        #expect(t0 != nil && t0 == t5 && t0 != u)
        #expect((0...85).contains(t0!))
    }

    @Test("mistakes are refused with a message that says what to change",
          arguments: [
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"desing\": {}}", "unknown key \"desing\""),
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"design\": {\"gbww\": 1}}", "unknown knob \"gbww\""),
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"variables\": {\"bits\": [4, 40]}}", "bits = 40"),
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"conditions\": {\"corner\": \"ss\"}}", "use design.technology"),
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"variation\": {\"stuck-on-rate\": 2}}", "variation.stuck-on-rate = 2: it must be from 0 to 1"),
            ("{\"problem\": {\"matrix\": \"a.mtx\", \"generate\": {\"kind\": \"spd\", \"size\": 4}}}", "exactly one of"),
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}},\n \"samples\": 0}", "\"samples\" must be a whole number"),
            ("{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}},\n \"samples\": }", "line 2, column 13"),
          ])
    func refusals(text: String, message: String) throws {
        do {
            _ = try SweepFixtures.spec(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "message: \(error)")
        }
    }

    @Test("a shard's runs and their count, by stride and arithmetic, are the runs it contains")
    func shardRuns() throws {
        for count in 1...7 {
            for index in 0..<count {
                let shard = try Shard(index: index, count: count)
                for total in 0...30 {
                    let filtered = (0..<total).filter(shard.contains)
                    #expect(Array(shard.runs(among: total)) == filtered, "shard \(shard) of \(total)")
                    #expect(shard.runCount(among: total) == filtered.count, "shard \(shard) of \(total)")
                }
            }
        }
    }

    @Test("JSON lines: parse and write round-trip numbers bit for bit and keep key order")
    func jsonRoundTrip() throws {
        let values: [Double] = [0.1, 1e-300, 6.02214076e23, -2.5e-7, 1 / 3, 123456789012345, Double.leastNonzeroMagnitude]
        let value = JSONValue.object([("z", .numbers(values)), ("a", .string("q\"\\\n\u{1}é")), ("m", .bool(true)), ("n", .null)])
        let line = value.line()
        #expect(!line.contains("\n"))
        let back = try JSONValue.parse(line)
        #expect(back.line() == line)
        #expect(back["z"]?.arrayValue?.compactMap(\.numberValue) == values)
        #expect(back.objectMembers?.map(\.0) == ["z", "a", "m", "n"])
    }
}

@Suite("Sweeps on the real engine")
struct SweepRunnerTests {
    @Test("nominal designs are kept one per grid point, and none when a design knob is drawn per sample")
    func nominalCache() async throws {
        let engine = SharedEngine.engine
        let problem = "\"problem\": {\"operation\": \"inv\", \"generate\": {\"kind\": \"well-conditioned\", \"size\": 4, \"seed\": 1}}"
        let grid = try SweepExecutor(spec: try SweepFixtures.spec("{\(problem), \"variables\": {\"swing\": [0.4, 0.5]}, \"samples\": 5}"))
        for index in 0..<grid.spec.runCount { _ = await grid.run(index, engine: engine) }
        #expect(grid.cachedNominalCount == 2)
        // Every run its own nominal: keeping them would grow the process by a design per run.
        let drawn = try SweepExecutor(spec: try SweepFixtures.spec(
            "{\(problem), \"variables\": {\"swing\": {\"distribution\": \"uniform\", \"min\": 0.4, \"max\": 0.5}}, \"samples\": 10}"))
        var rows: [JSONValue] = []
        for index in 0..<drawn.spec.runCount { rows.append(await drawn.run(index, engine: engine)) }
        #expect(drawn.cachedNominalCount == 0)
        #expect(rows.allSatisfy { $0["status"]?.stringValue == "ok" })
    }

    @Test("a Monte Carlo gives identical rows on 1 and 2 engines and again with the same seed; a new seed changes them")
    func deterministic() async throws {
        let spec = try SweepFixtures.spec(SweepFixtures.monteCarlo)
        #expect(spec.runCount == 24)
        // Returns the results, the statistics and the keys of timings.jsonl (the per-run wall-clock
        // and host record, which must stay out of the rows).
        func run(_ engines: [NgspiceEngine], seed: UInt64? = nil) async throws -> (String, SweepStatistics, Set<String>) {
            var text = SweepFixtures.monteCarlo
            if let seed { text = text.replacingOccurrences(of: "\"seed\": 7,", with: "\"seed\": \(seed),") }
            let spec = try SweepFixtures.spec(text)
            let dir = SweepDirectory(try SweepFixtures.directory())
            defer { try? FileManager.default.removeItem(atPath: dir.path) }
            let executor = try SweepExecutor(spec: spec)
            let outcome = try await SweepRunner(executor: executor, directory: dir).run(shard: nil, resume: false, engines: engines)
            #expect(outcome.complete && outcome.ran == spec.runCount)
            let statistics = try dir.finish(executor)
            var timingKeys = Set<String>()
            for line in try String(contentsOfFile: dir.timings, encoding: .utf8).split(separator: "\n") {
                timingKeys.formUnion(try #require(try JSONValue.parse(String(line)).objectMembers).map(\.0))
            }
            return (try String(contentsOfFile: dir.results, encoding: .utf8), statistics, timingKeys)
        }
        let (two, statistics, timingKeys) = try await run(SweepFixtures.engines)
        let (one, _, _) = try await run([SweepFixtures.engines[0]])
        let (again, _, _) = try await run(SweepFixtures.engines)
        let (other, _, _) = try await run(SweepFixtures.engines, seed: 8)
        #expect(two == one)
        #expect(two == again)
        #expect(two != other)
        let rows = two.split(separator: "\n")
        #expect(rows.count == 24)
        // Rows are ordered by run and carry their seed; the read-noise axis shares the samples' seeds.
        let parsed = try rows.map { try JSONValue.parse(String($0)) }
        // No wall-clock or host field leaks into a row: what timings.jsonl records per run (its
        // seconds, engine and host; "run" is the join key) is absent from every row, and the only
        // time a row holds is the simulated settling time.
        let hostKeys = timingKeys.subtracting(["run"])
        #expect(hostKeys.isSuperset(of: ["seconds", "engine", "host"]), "timings.jsonl keys: \(timingKeys.sorted())")
        for row in parsed {
            let keys = Set(try #require(row.objectMembers).map(\.0))
            #expect(keys.isDisjoint(with: hostKeys), "row \(row["run"]?.line() ?? "?") has \(keys.intersection(hostKeys).sorted())")
            #expect(keys.filter { $0.lowercased().contains("second") }.isSubset(of: ["settlingSeconds"]), "row keys: \(keys.sorted())")
        }
        #expect(parsed.map { Int($0["run"]!.numberValue!) } == Array(0..<24))
        #expect(parsed[3]["seed"] == parsed[15]["seed"])
        #expect(parsed[3]["variables"]?["read-noise-sigma"] == .number(0))
        // Variation degrades accuracy against the nominal answer, and the statistics say by how much.
        #expect(statistics.overall.runs == 24 && statistics.overall.failed == 0)
        let bits = try #require(statistics.overall.equivalentBits)
        #expect(bits.mean > 1 && bits.mean < 12, "mean equivalent bits \(bits.mean)")
        #expect(bits.sigma > 0)
        let passed = parsed.filter { $0["pass"]?.boolValue == true }.count
        #expect(statistics.overall.yield.passed == passed)
        #expect(statistics.points.count == 2 && statistics.marginals.count == 1)
        let noisy = try #require(statistics.points[1].relativeError), quiet = try #require(statistics.points[0].relativeError)
        #expect(noisy.mean > quiet.mean, "read noise 2 % should add error: \(noisy.mean) vs \(quiet.mean)")
        #expect(statistics.worst.count == 5)
        #expect(statistics.worst[0]["equivalentBits"]?.numberValue == bits.minimum)
    }

    @Test("the HTML report is well-formed XHTML with histograms per grid point and a scatter per variable")
    func htmlReport() async throws {
        let spec = try SweepFixtures.spec(SweepFixtures.monteCarlo)
        let dir = SweepDirectory(try SweepFixtures.directory())
        defer { try? FileManager.default.removeItem(atPath: dir.path) }
        let executor = try SweepExecutor(spec: spec)
        _ = try await SweepRunner(executor: executor, directory: dir).run(shard: nil, resume: false, engines: SweepFixtures.engines)
        _ = try dir.finish(executor)
        let html = try String(contentsOfFile: dir.htmlReport, encoding: .utf8)
        let parser = XMLParser(data: Data(html.utf8))
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")")
        #expect(html.components(separatedBy: "<svg").count - 1 >= 3)
        #expect(html.contains("Equivalent bits against read-noise-sigma"))
        #expect(html.contains("read-noise-sigma=0.02"))
        #expect(html.contains("Worst runs"))
    }

    @Test("resume: an interrupted journal (a torn last line) is completed without redoing its runs")
    func resume() async throws {
        let spec = try SweepFixtures.spec(SweepFixtures.monteCarlo)
        let dir = SweepDirectory(try SweepFixtures.directory())
        defer { try? FileManager.default.removeItem(atPath: dir.path) }
        let executor = try SweepExecutor(spec: spec)
        let runner = SweepRunner(executor: executor, directory: dir)
        _ = try await runner.run(shard: nil, resume: false, engines: SweepFixtures.engines)
        let full = try String(contentsOfFile: dir.journal, encoding: .utf8)
        _ = try dir.finish(executor)
        let reference = try String(contentsOfFile: dir.results, encoding: .utf8)
        // Keep 10 rows and half of the 11th, as a kill would.
        let lines = full.split(separator: "\n", omittingEmptySubsequences: true)
        let torn = lines.prefix(10).joined(separator: "\n") + "\n" + lines[10].prefix(lines[10].count / 2)
        try torn.write(toFile: dir.journal, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: dir.results)
        try? FileManager.default.removeItem(atPath: dir.timings)
        await #expect(throws: SweepError.self) { try await runner.run(shard: nil, resume: false, engines: SweepFixtures.engines) }
        let outcome = try await runner.run(shard: nil, resume: true, engines: SweepFixtures.engines)
        #expect(outcome.skipped == 10 && outcome.ran == 14 && outcome.complete)
        _ = try dir.finish(executor)
        let resumed = try String(contentsOfFile: dir.results, encoding: .utf8)
        #expect(resumed == reference)
        let timed = try String(contentsOfFile: dir.timings, encoding: .utf8).split(separator: "\n").count
        #expect(timed == 14)
    }

    @Test("shards partition the runs, and merged shards equal the local run")
    func shards() async throws {
        let spec = try SweepFixtures.spec(SweepFixtures.monteCarlo)
        let executor = try SweepExecutor(spec: spec)
        let local = SweepDirectory(try SweepFixtures.directory()), sharded = SweepDirectory(try SweepFixtures.directory())
        defer { for d in [local, sharded] { try? FileManager.default.removeItem(atPath: d.path) } }
        _ = try await SweepRunner(executor: executor, directory: local).run(shard: nil, resume: false, engines: SweepFixtures.engines)
        _ = try local.finish(executor)
        for i in 0..<3 {
            let outcome = try await SweepRunner(executor: executor, directory: sharded)
                .run(shard: try Shard(index: i, count: 3), resume: false, engines: [SweepFixtures.engines[i % 2]])
            #expect(outcome.ran == 8 && outcome.complete)
            #expect(FileManager.default.fileExists(atPath: sharded.doneMarker(try Shard(index: i, count: 3))))
        }
        _ = try sharded.finish(executor)
        let shardedResults = try String(contentsOfFile: sharded.results, encoding: .utf8)
        let localResults = try String(contentsOfFile: local.results, encoding: .utf8)
        #expect(shardedResults == localResults)
        let shardedSummary = try String(contentsOfFile: sharded.summary, encoding: .utf8)
        let localSummary = try String(contentsOfFile: local.summary, encoding: .utf8)
        #expect(shardedSummary == localSummary)
    }

    @Test("a results directory of another sweep is refused")
    func foreignDirectory() async throws {
        let dir = SweepDirectory(try SweepFixtures.directory())
        defer { try? FileManager.default.removeItem(atPath: dir.path) }
        try dir.claim(try SweepFixtures.spec(SweepFixtures.monteCarlo))
        let other = try SweepFixtures.spec(SweepFixtures.monteCarlo.replacingOccurrences(of: "\"samples\": 12", with: "\"samples\": 13"))
        #expect(throws: SweepError.self) { try dir.claim(other) }
    }

    @Test("unstable grid points give rows with status unstable instead of stopping the sweep")
    func unstableRows() async throws {
        // [[-1, 2], [-10, 3]]: unstable at G_in = 0.5 G0, stable at 5 G0 (see the Theory article,
        // "The associated matrix and stability").
        let dir = try SweepFixtures.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "%%MatrixMarket matrix array real general\n2 2\n-1\n-10\n2\n3\n".write(toFile: dir + "/a.mtx", atomically: true, encoding: .utf8)
        let spec = try SweepFixtures.spec("""
            {"problem": {"operation": "inv", "matrix": "a.mtx"}, "design": {"bits": 4},
             "variables": {"gin-ratio": [0.5, 5]}}
            """, base: dir)
        let results = SweepDirectory(dir + "/out")
        let executor = try SweepExecutor(spec: spec)
        _ = try await SweepRunner(executor: executor, directory: results).run(shard: nil, resume: false, engines: SweepFixtures.engines)
        let rows = try results.mergedRows()
        #expect(rows.map { $0["status"]?.stringValue } == ["unstable", "ok"])
        #expect(rows[0]["message"]?.stringValue?.contains("design.gin-ratio") == true)
    }
}

@Suite("Sweeps over corners, temperature, supply and mismatch (technology-backed op-amps)")
struct SweepConditionsTests {
    func run(_ text: String) async throws -> [JSONValue] {
        let spec = try SweepFixtures.spec(text)
        let dir = SweepDirectory(try SweepFixtures.directory())
        defer { try? FileManager.default.removeItem(atPath: dir.path) }
        let executor = try SweepExecutor(spec: spec)
        let outcome = try await SweepRunner(executor: executor, directory: dir).run(shard: nil, resume: false, engines: SweepFixtures.engines)
        #expect(outcome.complete)
        return try dir.mergedRows()
    }

    @Test("generic card: temperature and supply move the OTA's gain, bandwidth and power, and so settling and energy")
    func genericTemperatureAndSupply() async throws {
        let rows = try await run("""
            {"problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 4, "seed": 2}},
             "design": {"fidelity": "behavioral", "analysis": "tran", "technology": "generic", "gain": 3000, "gbw": "30meg"},
             "variables": {"temperature": [0, 85], "supply": [1.1, 1.2]}}
            """)
        #expect(rows.count == 4 && rows.allSatisfy { $0["status"]?.stringValue == "ok" })
        func value(_ row: Int, _ key: String) throws -> Double { try #require(rows[row][key]?.numberValue) }
        // Hot silicon is slower: less GBW at 85 C than at 0 C (same supply), and so slower settling.
        #expect(try value(3, "opAmpGBW") < value(1, "opAmpGBW"))
        #expect(try value(3, "settlingSeconds") > value(1, "settlingSeconds"))
        // A lower supply draws less power.
        #expect(try value(0, "powerWatts") < value(1, "powerWatts"))
        let mapping = try SweepPredictions.mapping(size: 4, seed: 2, SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran))
        let count = SweepPredictions.amplifierCount(mapping)
        for (k, (temperature, supply)) in [(0.0, 1.1), (0, 1.2), (85, 1.1), (85, 1.2)].enumerated() {
            // Power: the OTA's supply power at these conditions, measured here on another
            // testbench, times the amplifiers counted from the mapping (to 1 %: the two
            // testbenches hold the same operating point).
            var conditions = Technology.generic(temperatureCelsius: temperature)
            conditions.supplyVolts = supply
            let perAmplifier = try await SweepPredictions.otaOperatingPoint(gain: 3000, gbw: 30e6, nominal: .generic(), at: conditions,
                                                                            engine: SweepFixtures.engines[0]).powerWatts
            let power = Double(count) * perAmplifier
            let settling = try value(k, "settlingSeconds")
            expectRelative(try value(k, "powerWatts"), power, within: 0.01, "run \(k): power of \(count) amplifiers")
            // Energy: that power over the measured settling time.
            expectRelative(try value(k, "energyJoules"), power * settling, within: 0.01, "run \(k): energy")
            // Settling against the prediction from the loop's poles at the run's A0 and GBW.
            // The first-order model leaves out the OTA's own second pole (near 1.6 GBW) and the
            // slewing of the step; measured/predicted is 1.09 here and 0.93 on sky130's OTA:
            // required within [0.8, 1.3], the spread of those left-out terms, where the
            // verdict's own check allows [0.5, 2].
            let predicted = try SweepPredictions.settlingSeconds(mapping, gain: try value(k, "opAmpGain"), gbw: try value(k, "opAmpGBW"))
            let ratio = settling / predicted
            print("generic sweep run \(k) (\(temperature) C, \(supply) V): \(count) amplifiers x \(perAmplifier) W; settling \(settling) s, predicted \(predicted) s, ratio \(ratio)")
            #expect(ratio >= 0.8 && ratio <= 1.3, "run \(k): settling \(settling) s against the predicted \(predicted) s")
        }
    }

    @Test("sky130 behind behavioural op-amps: tt/ss/ff at 0/27/85 C each give their own OTA", .enabled(if: PDK.available, PDK.skipMessage))
    func sky130Corners() async throws {
        let rows = try await run("""
            {"problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 4, "seed": 1}},
             "design": {"fidelity": "behavioral", "analysis": "tran", "bits": 0, "dac-bits": 0, "adc-bits": 0,
                        "technology": "sky130", "gain": 3000, "gbw": "30meg"},
             "variables": {"corner": ["tt", "ss", "ff"], "temperature": [0, 27, 85]}}
            """)
        #expect(rows.count == 9)
        var mappingOptions = MappingParameters()
        mappingOptions.cell = CellFormat(magnitudeBits: nil)
        mappingOptions.dac = ConverterParameters(bits: nil)
        mappingOptions.adc = ConverterParameters(bits: nil)
        let mapping = try SweepPredictions.mapping(size: 4, seed: 1, SolveSpecification(mapping: mappingOptions, circuit: DesignParameters(fidelity: .behavioral), analysis: .tran))
        let lambda = try SweepPredictions.minRealEigenvalue(mapping)
        for row in rows {
            #expect(row["status"]?.stringValue == "ok", "\(row.line())")
            let error = try #require(row["relativeError"]?.numberValue), settling = try #require(row["settlingSeconds"]?.numberValue)
            let gain = try #require(row["opAmpGain"]?.numberValue), gbw = try #require(row["opAmpGBW"]?.numberValue)
            // Continuous cells and ideal converters: what is left is the OTA's finite gain and
            // its systematic offset, both of this corner. Predicted here: the finite-gain
            // circuit at this corner's A0 (LAPACK; the row itself is judged against the
            // nominal one) plus the shift of this corner's offset (~0.45 mV), measured here on
            // a follower. The two are linear and superpose; what they leave out is their
            // product (finite gain ~1e-3 times offset ~2e-3) and the settling residue (2^-32
            // after four predicted settling times). So the solution must be the predicted one
            // to 1e-5 (1.8e-6 today) and its error the predicted error to 1 % (0.1 % today).
            let corner = try #require(ProcessCorner(rawValue: row["variables"]?["corner"]?.stringValue ?? ""))
            let temperature = try #require(row["variables"]?["temperature"]?.numberValue)
            let conditions = try Technology.sky130(pdk: Sky130PDK.locate(), corner: corner, temperatureCelsius: temperature)
            let amplifier = try await SweepPredictions.otaOperatingPoint(gain: 3000, gbw: 30e6, nominal: try PDK.technology(), at: conditions,
                                                                         engine: SweepFixtures.engines[0])
            let references = try mapping.references(openLoopGain: gain, inverterGain: Mapping.inverterGain(openLoopGain: gain))
            let volts = references.finiteGainOutputVolts.plus(try SweepPredictions.offsetShift(mapping, offsetVolts: amplifier.offsetVolts))
            let predictedSolution = try #require(mapping.solution(fromOutputVolts: volts))
            let predicted = predictedSolution.minus(references.ideal).norm2 / references.ideal.norm2
            let solution = try #require(row["solution"]?.arrayValue).compactMap { $0.numberValue }
            let apart = solution.minus(predictedSolution).norm2 / predictedSolution.norm2
            // The first-order finite-gain term alone, 1 / (A0 lambda_min(M)), is the error's order.
            let firstOrder = 1 / (gain * lambda)
            #expect(apart <= 1e-5, "\(row["variables"]?.line() ?? ""): the solution is \(apart) from the predicted one")
            expectRelative(error, predicted, within: 0.01, "\(row["variables"]?.line() ?? ""): error against finite gain and offset at this corner")
            #expect(predicted > firstOrder / 2 && predicted < 4 * firstOrder, "predicted error \(predicted), first-order finite-gain term \(firstOrder)")
            // Settling against the loop's poles at this corner's A0 and GBW (as for the generic card).
            let expected = try SweepPredictions.settlingSeconds(mapping, gain: gain, gbw: gbw)
            print("sky130 behavioural \(row["variables"]?.line() ?? ""): error \(error) / predicted \(predicted) = \(error / predicted) (offset \(amplifier.offsetVolts) V, first-order finite gain \(firstOrder)); solution \(apart) from the predicted; settling \(settling) / \(expected) = \(settling / expected)")
            #expect(settling / expected >= 0.8 && settling / expected <= 1.3, "\(row["variables"]?.line() ?? ""): settling \(settling) s, predicted \(expected) s")
        }
        let gains = rows.compactMap { $0["opAmpGain"]?.numberValue }
        #expect(Set(gains).count == 9, "every corner and temperature gives its own OTA")
        let bits = rows.compactMap { $0["equivalentBits"]?.numberValue }
        #expect(Set(bits).count > 1, "finite gain differs by corner, so the bits do")
    }

    @Test("sky130 mismatch: every amplifier gets its own offset from the PDK's models, reproducibly", .enabled(if: PDK.available, PDK.skipMessage))
    func sky130Mismatch() async throws {
        let text = """
            {"seed": 5, "problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 4, "seed": 1}},
             "design": {"fidelity": "behavioral", "analysis": "op", "adc-bits": 12, "technology": "sky130", "gain": 3000, "gbw": "30meg"},
             "variation": {"mismatch": true}, "samples": 3}
            """
        let first = try await run(text), second = try await run(text)
        #expect(first.map { $0.line() } == second.map { $0.line() })
        let rms = first.compactMap { $0["offsetRMSVolts"]?.numberValue }
        #expect(rms.count == 3)
        // Pelgrom mismatch of small sky130 devices: offsets of a few tenths to tens of millivolts.
        #expect(rms.allSatisfy { $0 > 1e-4 && $0 < 0.05 }, "\(rms)")
        #expect(Set(rms).count == 3, "each sample is its own chip")
    }

    @Test("transistor level on sky130: an 8x8 INV at tt/ss/ff and 0/27/85 C reports bits, settling and energy per corner",
          .enabled(if: PDK.available, PDK.skipMessage))
    func transistorCorners() async throws {
        let rows = try await run("""
            {"problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 8, "seed": 1}},
             "design": {"fidelity": "transistor", "technology": "sky130", "bits": 4, "converters": "ideal"},
             "variables": {"corner": ["tt", "ss", "ff"], "temperature": [0, 27, 85]}}
            """)
        #expect(rows.count == 9)
        var settling: [String: Double] = [:]
        func key(_ row: JSONValue) -> String {
            "\(row["variables"]?["corner"]?.stringValue ?? "?")\(Int(row["variables"]?["temperature"]?.numberValue ?? -1))"
        }
        let nominal = try #require(rows.first { key($0) == "tt27" })
        let nominalSolution = try #require(nominal["solution"]?.arrayValue).compactMap { $0.numberValue }
        let nominalTechnology = try PDK.technology()
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .transistor), analysis: .tran)
        options.design.transistor = TransistorDesign(technology: nominalTechnology, converters: .ideal)
        options.design.fitUnitConductance = true
        let mapping = try SweepPredictions.mapping(size: 8, seed: 1, options)
        let count = SweepPredictions.amplifierCount(mapping)
        // What a corner may change: the devices' terms of the error model, twice their
        // first-order sum (switch R_on fraction, settling residue 2^-8; finite gain at the
        // worst A0 measured below); two corners differ by at most twice that.
        let switchFraction = SwitchedCellParameters().onResistanceFraction
        var worstFiniteGain = 0.0
        for row in rows {
            #expect(row["status"]?.stringValue == "ok", "\(row.line())")
            let t = try #require(row["settlingSeconds"]?.numberValue)
            let energy = try #require(row["energyJoules"]?.numberValue)
            settling[key(row)] = t
            // This corner's OTA, measured here: the design sized at tt 27 C, simulated on the
            // corner's models (CharacterizationOTATests' procedure).
            let corner = try #require(ProcessCorner(rawValue: row["variables"]?["corner"]?.stringValue ?? ""))
            let temperature = try #require(row["variables"]?["temperature"]?.numberValue)
            let technology = try Technology.sky130(pdk: Sky130PDK.locate(), corner: corner, temperatureCelsius: temperature)
            let ota = try MillerOTA(technology: technology)
            let m = try await OTACharacterization.measure(ota, engine: SweepFixtures.engines[0])
            worstFiniteGain = max(worstFiniteGain, 1 / (m.dcGain * (try SweepPredictions.minRealEigenvalue(mapping))))
            // Settling against the loop's poles at this corner's measured A0 and GBW.
            let predicted = try SweepPredictions.settlingSeconds(mapping, gain: m.dcGain, gbw: m.gainBandwidthHertz)
            // Energy: the supply power of the amplifiers over the solve, from the step to the
            // settled outputs (the row's, integrated from the supply current), against the
            // quiescent power of the corner's OTAs measured here times the measured settling:
            // within 10 % (0.98 today; a class-A stage's current moves with its output's).
            let quiescent = Double(count) * m.powerWatts * t
            print("sky130 transistor \(key(row)): settling \(t) / predicted \(predicted) = \(t / predicted); energy \(energy) / (\(count) x \(m.powerWatts) W x settling) = \(energy / quiescent); bits \(row["equivalentBits"]?.numberValue ?? .nan)")
            // Settling: 1.01 to 1.16 of the prediction today; within [0.8, 1.4] (the transistor
            // OTA's second pole and slewing, as above, and its load: the array).
            #expect(t / predicted >= 0.8 && t / predicted <= 1.4, "\(key(row)): settling \(t) s, predicted \(predicted) s")
            #expect(energy / quiescent >= 0.9 && energy / quiescent <= 1.1, "\(key(row)): energy \(energy) J, quiescent power x settling \(quiescent) J")
        }
        let deviceBound = 2 * (switchFraction + pow(2, -8) + worstFiniteGain)
        for row in rows {
            // Against the nominal run: the cells (4 bits, quantisation-limited) are the same
            // at every corner, so two corners' answers differ by at most twice the devices' bound.
            let solution = try #require(row["solution"]?.arrayValue).compactMap { $0.numberValue }
            let apart = solution.minus(nominalSolution).norm2 / nominalSolution.norm2
            #expect(apart <= 2 * deviceBound, "\(key(row)): \(apart) from the tt 27 C answer, bound \(2 * deviceBound)")
            let bits = try #require(row["equivalentBits"]?.numberValue), nominalBits = try #require(nominal["equivalentBits"]?.numberValue)
            print("sky130 transistor \(key(row)): \(apart) from tt 27 C (bound \(2 * deviceBound)), bits \(bits) against \(nominalBits)")
        }
        // Hot silicon is slower at every corner.
        for corner in ["tt", "ss", "ff"] {
            #expect(try #require(settling[corner + "85"]) > (try #require(settling[corner + "0"])), "\(corner): \(settling)")
        }
    }

    @Test("transistor level on sky130 with mismatch: the PDK's own draws, seeded per sample, reproducible",
          .enabled(if: PDK.available, PDK.skipMessage))
    func transistorMismatch() async throws {
        let text = """
            {"seed": 4, "problem": {"operation": "inv", "generate": {"kind": "well-conditioned", "size": 4, "seed": 1}},
             "design": {"fidelity": "transistor", "technology": "sky130", "bits": 4, "analysis": "op"},
             "variation": {"mismatch": true}, "samples": 2}
            """
        let first = try await run(text), second = try await run(text)
        #expect(first.map { $0.line() } == second.map { $0.line() })
        #expect(first.allSatisfy { $0["status"]?.stringValue == "ok" })
        let a = try #require(first[0]["solution"]?.arrayValue), b = try #require(first[1]["solution"]?.arrayValue)
        #expect(a != b, "two samples are two chips")
        // Cell variation models are refused at transistor level with a pointer to mismatch.
        #expect(throws: SweepError.self) {
            _ = try SweepFixtures.spec("""
                {"problem": {"generate": {"kind": "spd", "size": 4}}, "design": {"fidelity": "transistor", "technology": "sky130"},
                 "variation": {"programming-sigma": 0.01}}
                """)
        }
    }
}

/// Predictions for sweep rows made here, from the mapping and independent measurements, not
/// from the row's own fields.
enum SweepPredictions {
    /// The mapping of a sweep's INV problem (`generate` well-conditioned, rhs ones), as the
    /// nominal design maps it.
    static func mapping(size: Int, seed: UInt64, _ options: SolveSpecification) throws -> Mapping {
        let problem = try Problem(operation: .inv, matrix: Matrix.wellConditioned(size, seed: seed))
        return try Verifier.prepare(problem, options).prediction.mapping
    }

    /// The amplifiers of the INV circuit: a loop op-amp per row and an inverter per column
    /// that holds a negative level.
    static func amplifierCount(_ mapping: Mapping) -> Int {
        let q = mapping.levels
        return q.rows + (0..<q.columns).filter { j in (0..<q.rows).contains { q[$0, j] < 0 } }.count
    }

    /// Settling to `bits` bits from the loop's slowest pole (eigenvalues of the loop with its
    /// inverters at GBW/2, LoopPoles) at the run's A0 and GBW: bits ln 2 / (2 pi GBW rate).
    static func settlingSeconds(_ mapping: Mapping, gain: Double, gbw: Double, bits: Int = 8) throws -> Double {
        let poles = try #require(mapping.loopPoles(openLoopGain: gain))
        #expect(poles.isStable)
        return Double(bits) * log(2.0) / (2 * Double.pi * gbw * poles.slowestRate)
    }

    /// lambda_min(M) for M = D^-1 Q, D = diag(sum_j |Q_ij| + G_in / G0), built here from the
    /// levels (eigenvalues by LAPACK).
    static func minRealEigenvalue(_ mapping: Mapping) throws -> Double {
        let q = mapping.levels, r = try #require(mapping.inputConductanceRatio)
        let m = Matrix(rows: q.rows, columns: q.columns) { i, j in
            q[i, j] / ((0..<q.columns).reduce(0) { $0 + abs(q[i, $1]) } + r)
        }
        return try #require(try m.eigenvalues().map(\.real).min())
    }

    /// One Miller OTA sized at `nominal` for (gain, gbw) into 2 pF, simulated at `conditions`
    /// as a unity-gain follower at mid-rail (another testbench than the sweep's open-loop
    /// one): its supply power V_DD I_DD, and its input offset as the behavioural model takes
    /// it (the amplifier sees V(inp) - Vos - V(inn), so Vos = V(inp) - V(out) here).
    static func otaOperatingPoint(gain: Double, gbw: Double, nominal: Technology, at conditions: Technology,
                                  engine: NgspiceEngine) async throws -> (powerWatts: Double, offsetVolts: Double) {
        let ota = try MillerOTA(.init(dcGain: gain, gainBandwidthHertz: gbw, loadCapacitanceFarads: 2e-12), technology: nominal)
        var deck = Deck(title: "OTA follower, supply power and offset")
        conditions.prepare(&deck)
        deck.subcircuits = [ota.subcircuit(name: "ota")]
        deck.elements = [
            .dcVoltage("dd", "vdd", "0", .number(conditions.supplyVolts)),
            .dcVoltage("in", "inp", "0", .number(conditions.midRailVolts)),
            .instance(SubcircuitInstance(name: "ota", nodes: ["inp", "out", "out", "vdd", "0"], subcircuit: "ota")),
            .capacitor("load", "out", "0", .number(2e-12)),
        ]
        deck.analyses = [.operatingPoint]
        let result = try await engine.run(try PreparedDeck(deck: deck), RunRequest(vectors: ["i(Vdd)", "v(out)"], timeLimit: 60,
                                                                                   variables: conditions.engineVariables))
        let op = try #require(result.plot("op"))
        let current = try #require(op["i(Vdd)"]?.real.first), out = try #require(op["v(out)"]?.real.first)
        return (-current * conditions.supplyVolts, conditions.midRailVolts - out)
    }

    /// The INV outputs' shift when every op-amp (loop and inverter) has the same offset Vos,
    /// ideal gain: row node r_i sits at -Vos and an inverter writes W = -V - 2 Vos, so KCL at
    /// r_i gives Q dV = Vos (2 Q- 1 - d), d_i = sum_j |Q_ij| + G_in / G0 (units of G0).
    static func offsetShift(_ mapping: Mapping, offsetVolts vos: Double) throws -> [Double] {
        let q = mapping.levels, r = try #require(mapping.inputConductanceRatio)
        let negative = q.negativePart
        let rhs = (0..<q.rows).map { i in
            (0..<q.columns).reduce(0.0) { $0 + 2 * negative[i, $1] - abs(q[i, $1]) } - r
        }
        return try q.solve(rhs).scaled(by: vos)
    }
}
