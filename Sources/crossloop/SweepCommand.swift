import ArgumentParser
import Foundation
import Ngspice
import Sweeps
import Verification

struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a Monte Carlo, corner or parameter sweep from a sweep file, locally or on SLURM.",
        discussion: """
            A sweep file (JSON, or YAML with a .yaml/.yml name) names the problem, the design \
            (the same knobs as the solve flags), the variation models, the variables (lists, \
            ranges, distributions) and the number of Monte Carlo samples. Every run is judged \
            against the nominal design's references and written as one JSON line to DIR as soon \
            as it ends, so an interrupted sweep keeps what finished and --resume completes it. \
            Rows carry no timings and are identical for equal sweep files and seeds, whatever \
            ran them. DIR then holds results.jsonl (ordered by run), summary.json, report.txt \
            and report.html.

            Exit codes: 0 sweep complete, 1 yield below --min-yield, 2 invalid input, 3 runs \
            missing (failed SLURM tasks, interrupted) or the simulator unusable.
            """,
        subcommands: [SweepRunCommand.self, SweepCollectCommand.self, SweepStatusCommand.self, SweepResubmitCommand.self,
                      SweepDeckCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

/// Reads a sweep file: JSON, or YAML by its extension.
func loadSweepSpec(_ path: String) throws(SweepError) -> SweepSpec {
    do {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return try SweepSpec(try YAMLSpec.tree(path: path), baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        }
        return try SweepSpec.load(path: path)
    }
}

enum SweepProgressText {
    /// `57/200 runs  28.5 %  3.1 runs/s  ETA 46 s  2 not passing`
    static func line(_ p: SweepProgress) -> String {
        let rate = p.elapsedSeconds > 0 ? Double(p.done) / p.elapsedSeconds : 0
        let eta = p.remainingSeconds.map { duration($0) } ?? "--"
        let bar = progressBar(Double(p.done) / Double(max(p.total, 1)), width: 24)
        var text = "\(bar) \(p.done)/\(p.total) runs \(String(format: "%5.1f", 100 * Double(p.done) / Double(max(p.total, 1)))) %  \(String(format: "%.2f", rate)) runs/s  ETA \(eta)"
        if p.notPassing > 0 { text += "  \(p.notPassing) not passing" }
        if p.failed > 0 { text += " (\(p.failed) failed)" }
        return text
    }

    static func progressBar(_ fraction: Double, width: Int) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: min(filled, width)) + String(repeating: ".", count: max(0, width - filled)) + "]"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 90 { return "\(s) s" }
        if s < 5400 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }
}

/// The end of a complete sweep: its statistics printed and its exit decided, the same way
/// for a local run and for the collect step of a SLURM sweep.
enum SweepVerdict {
    static func report(_ statistics: SweepStatistics, directory: SweepDirectory, minYield: Double?) throws {
        print(statistics.text)
        print("results: \(directory.results), report: \(directory.htmlReport)")
        // A sweep none of whose runs could even run says why, with the code solve would use.
        if let refusal = statistics.uniformRefusal { throw refusal }
        if let minYield, statistics.overall.yield.fraction < minYield { throw VerificationFailure() }
    }
}
