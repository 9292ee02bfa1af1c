import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Ngspice
import Verification

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Crossloop's speed side by side: pipeline stages, in-process vs ngspice -b, solvers, batch re-solves, parallel engines, memory, the transistor-level tile.",
        discussion: """
            Every comparison is a ratio of two things measured alternately in one run, reported \
            as the median with its spread (min-max); absolute times are printed for reference. \
            The quick suite takes well under a minute; the full suite adds larger sizes and more \
            repetitions. Use a release build (swift run -c release crossloop bench) for figures \
            worth quoting.
            """
    )

    @Option(help: ArgumentHelp("quick or full.", valueName: "suite"))
    var suite: String = "quick"

    @Option(help: ArgumentHelp("Write every measurement as JSON.", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp("Run only these sections (comma-separated): pipeline, overhead, solver, batch, parallel, memory, transient, array.", valueName: "list"))
    var only: String?

    func validate() throws {
        guard Suite(rawValue: suite) != nil else { throw ValidationError("Pass --suite quick or full.") }
        if let only {
            let unknown = only.split(separator: ",").map(String.init).filter { BenchSection(rawValue: $0) == nil }
            if !unknown.isEmpty { throw ValidationError("Unknown section(s) \(unknown.joined(separator: ", ")): pass \(BenchSection.allCases.map(\.rawValue).joined(separator: ", ")).") }
        }
    }

    func run() async throws {
        let suite = Suite(rawValue: suite) ?? .quick
        let sections = only.map { Set($0.split(separator: ",").compactMap { BenchSection(rawValue: String($0)) }) }
            ?? Set(BenchSection.allCases)
        let bench: Benchmarks
        do { bench = try Benchmarks(suite: suite) } catch { throw SimulationFailure("\(error)") }
        print("crossloop \(CrossloopVersion.string) bench, \(suite.rawValue) suite: ngspice \(bench.engine.info.ngspiceVersion), \(bench.engine.info.hasKLU ? "KLU available" : "Sparse 1.3 only"), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        #if DEBUG
        print("note: a debug build; rerun with `swift run -c release crossloop bench` for figures worth quoting")
        #endif
        var report: [(String, JSONValue)] = [
            ("crossloopVersion", .string(CrossloopVersion.string)),
            ("ngspiceVersion", .string(bench.engine.info.ngspiceVersion)),
            ("suite", .string(suite.rawValue)),
            ("cores", .number(Double(ProcessInfo.processInfo.activeProcessorCount))),
        ]
        do {
            for section in BenchSection.allCases where sections.contains(section) {
                let result = try await bench.run(section)
                print("")
                print(result.text)
                report.append((section.rawValue, result.json))
            }
        } catch {
            // A benchmark that cannot run is the simulator's failure, whatever the stage.
            throw SimulationFailure(ExitStatus.message(error))
        }
        if let json { try OutputFile.write(JSONValue.object(report).text(), to: json) }
    }
}
