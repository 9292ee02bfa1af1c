import Foundation
import Testing

/// `crossloop simulate` against plain `ngspice -b` on decks written for the purpose, one per
/// feature a designer's deck may use. Both run the same library with the same solver, so the
/// vectors must agree to rounding: a relative difference of 1e-9 of each vector's largest
/// value is allowed (in practice they are bit-identical).
@Suite("simulate runs decks as plain ngspice -b does")
struct CompatibilityTests: CLISuite {
    static let folder = CLIRunner.packageRoot()!.appendingPathComponent("Tests/CrossloopCLITests/Compatibility")
    static let tolerance = 1e-9

    /// Each deck's own copy of the folder, so that files one run writes never reach the other.
    func copy() throws -> URL {
        let directory = try CLIRunner.makeTemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.folder.path) {
            try FileManager.default.copyItem(at: Self.folder.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        return directory
    }

    /// A copy of the folder with one more deck: `deck` with `old` replaced by `new`.
    func variant(of deck: String, as name: String, replacing old: String, with new: String) throws -> URL {
        let directory = try copy()
        let text = try String(contentsOf: directory.appendingPathComponent(deck), encoding: .utf8)
            .replacingOccurrences(of: old, with: new)
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return directory
    }

    struct Runs {
        var ngspice: CLIResult
        var crossloop: CLIResult
        var ngspiceRaw: RawFile?
        var crossloopRaw: RawFile?
        /// What the deck's own `write script.raw` wrote, in each run.
        var ngspiceScriptRaw: RawFile?
        var crossloopScriptRaw: RawFile?
    }

    func runBoth(_ deck: String, _ extra: [String] = []) throws -> Runs {
        let ours = try copy(), theirs = try copy()
        defer { try? FileManager.default.removeItem(at: ours); try? FileManager.default.removeItem(at: theirs) }
        let plain = try CLIRunner.runProgram("/usr/bin/env", ["ngspice", "-b", "-r", "plain.raw", deck], in: theirs)
        let crossloop = try CLIRunner.run(["simulate", deck, "--raw", "ours.raw"] + extra, in: ours)
        func raw(_ url: URL) throws -> RawFile? {
            FileManager.default.fileExists(atPath: url.path) ? try RawFile(contentsOf: url) : nil
        }
        return Runs(ngspice: plain, crossloop: crossloop,
                    ngspiceRaw: try raw(theirs.appendingPathComponent("plain.raw")),
                    crossloopRaw: try raw(ours.appendingPathComponent("ours.raw")),
                    ngspiceScriptRaw: try raw(theirs.appendingPathComponent("script.raw")),
                    crossloopScriptRaw: try raw(ours.appendingPathComponent("script.raw")))
    }

    /// ngspice's plots (those of the analysis cards) against the last as many of ours.
    func compareVectors(_ runs: Runs, _ deck: String) throws {
        let theirs = try #require(runs.ngspiceRaw, "\(deck): plain ngspice wrote no raw file\n\(runs.ngspice.stdout)")
        let ours = try #require(runs.crossloopRaw, "\(deck): crossloop wrote no raw file\n\(runs.crossloop.stderr)")
        try compare(theirs, ours, deck)
    }

    func compare(_ theirs: RawFile, _ ours: RawFile, _ deck: String) throws {
        #expect(ours.plots.count >= theirs.plots.count)
        for (plain, mine) in zip(theirs.plots, ours.plots.suffix(theirs.plots.count)) {
            #expect(plain.name == mine.name, "\(deck)")
            #expect(!plain.vectors.isEmpty)
            for (name, expected) in plain.vectors {
                let actual = try #require(mine.vectors[name], "\(deck): \(mine.name) has no \(name): \(mine.vectors.keys.sorted())")
                #expect(actual.count == expected.count, "\(deck): \(name)")
                let scale = expected.map(abs).max() ?? 0
                let worst = zip(expected, actual).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= Self.tolerance * scale, "\(deck): \(name) differs by \(worst) (scale \(scale))")
            }
        }
    }

    /// `name = value` lines that the deck's `print` commands write.
    static func printed(_ text: String) -> [(String, Double)] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].contains(" "), !parts[0].isEmpty, let value = Double(parts[1]) else { return nil }
            return (parts[0], value)
        }
    }

    func comparePrinted(_ runs: Runs, _ deck: String, atLeast count: Int) {
        let theirs = Self.printed(runs.ngspice.stdout), ours = Self.printed(runs.crossloop.stdout)
        #expect(theirs.count >= count, "\(deck): ngspice printed \(theirs.count) values\n\(runs.ngspice.stdout)")
        #expect(ours.map(\.0) == theirs.map(\.0), "\(deck)\nngspice: \(theirs)\ncrossloop: \(ours)")
        for (a, b) in zip(theirs, ours) { #expect(a.1 == b.1, "\(deck): \(a.0) ngspice \(a.1), crossloop \(b.1)") }
    }

    @Test("analysis cards give the same vectors", arguments: [
        "continuation.cir", "crlf.cir", "pz.cir", "noise.cir", "sens-tf.cir", "meas.cir", "capacitor-node.cir",
        "digital.cir", "bistable.cir",
    ])
    func cards(_ deck: String) throws {
        let runs = try runBoth(deck)
        #expect(runs.ngspice.status == 0, "\(deck): \(runs.ngspice.stderr)")
        #expect(runs.crossloop.status == 0, "\(deck): \(runs.crossloop.stderr)")
        try compareVectors(runs, deck)
    }

    @Test("control blocks print what plain ngspice prints", arguments: [("control-only.cir", 4), ("loops.cir", 6)])
    func control(_ deck: String, _ count: Int) throws {
        let runs = try runBoth(deck)
        #expect(runs.ngspice.status == 0)
        #expect(runs.crossloop.status == 0, "\(deck): \(runs.crossloop.stderr)")
        comparePrinted(runs, deck, atLeast: count)
        // The deck's own `write` wrote the same vectors in both runs.
        let theirs = try #require(runs.ngspiceScriptRaw, "\(deck): ngspice's script wrote nothing")
        let ours = try #require(runs.crossloopScriptRaw, "\(deck): the script wrote nothing under crossloop")
        try compare(theirs, ours, deck)
        // Every plot the script made is in crossloop's raw file: ops and a transient, or one op per pass.
        #expect((runs.crossloopRaw?.plots.count ?? 0) >= 2)
    }

    @Test("a quit inside a block ends the script with its status, as in ngspice -b, keeping the results")
    func quitInBlock() throws {
        let runs = try runBoth("quit.cir", ["--json", "out.json"])
        #expect(runs.ngspice.status == 0)
        #expect(runs.crossloop.status == 0, "\(runs.crossloop.stderr)")
        #expect(runs.crossloop.stdout.contains("INFO: success"))
        #expect(!runs.crossloop.stdout.contains("never printed"))
        #expect(!runs.ngspice.stdout.contains("never printed"))
        // Only the script's op ran: the .op card is skipped after a quit.
        #expect(runs.crossloopRaw?.plots.count == 1)

        let directory = try variant(of: "quit.cir", as: "fail.cir", replacing: "0.5 - 1", with: "0.4 - 1")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try CLIRunner.runProgram("/usr/bin/env", ["ngspice", "-b", "fail.cir"], in: directory)
        let ours = try CLIRunner.run(["simulate", "fail.cir"], in: directory)
        #expect(plain.status == 1)
        #expect(ours.status == 1, "\(ours.stderr)")
        #expect(ours.stderr.contains("quit with status 1"))
        #expect(ours.stdout.contains("ERROR: test failed"))
    }

    @Test("a setting made in the control block applies to the analysis cards")
    func controlSettingReachesCards() throws {
        let runs = try runBoth("noise.cir")
        let total = try #require(runs.crossloopRaw?.plots.last?.vectors["onoise_total"]?.first)
        // sqrnoise: V^2, about kT/C = 4.1e-12 V^2 for the 1 nF; as a voltage it would be ~2e-6 V.
        #expect(total > 1e-12 && total < 1e-11, "\(total)")
    }

    @Test("measurements are in the text and the JSON with ngspice's values; a failed one says why")
    func measurements() throws {
        let directory = try variant(of: "meas.cir", as: "meas2.cir", replacing: ".end\n",
                                    with: ".meas tran never TRIG v(in) VAL=5 RISE=1 TARG v(out) VAL=0.5 RISE=1\n.end\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try CLIRunner.runProgram("/usr/bin/env", ["ngspice", "-b", "meas2.cir"], in: directory)
        let result = try CLIRunner.run(["simulate", "meas2.cir", "--json", "out.json", "--vector", "out"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(directory.appendingPathComponent("out.json"))
        let list = try #require(object["measurements"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
        for name in ["tdel", "vmax"] {
            let value = try #require(byName[name]?["value"] as? Double, "\(list)")
            let line = try #require(plain.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(plain.stdout)")
            let theirs = try #require(Double(line.split(separator: "=")[1].split(separator: " ")[0]))
            #expect(value == theirs)
            #expect(result.stdout.contains("\(name) = "))
        }
        // The file states what the run was allowed and asked to do.
        let settings = try #require(object["settings"] as? [String: Any])
        #expect(settings["solver"] as? String == "ngspice")
        #expect(settings["allowsShell"] as? Bool == false)
        #expect(settings["maximumPoints"] as? Double == 1e7)
        #expect((settings["readable"] as? [String])?.count == 1)
        #expect(byName["never"]?["value"] == nil)
        #expect(byName["never"]?["failure"] is String)
        #expect(abs((byName["tdel"]?["value"] as? Double ?? 0) - 1e3 * 1e-12 * log(2.0)) < 0.1e-9)
    }

    @Test("KLU asked for a .pz deck falls back to Sparse with a note and gives Sparse's poles")
    func kluFallsBack() throws {
        let runs = try runBoth("pz.cir", ["--solver", "klu"])
        #expect(runs.crossloop.status == 0, "\(runs.crossloop.stderr)")
        #expect(runs.crossloop.stderr.contains("KLU does not support .pz"))
        try compareVectors(runs, "pz.cir")
    }

    @Test("an element line ngspice ignores fails the run unless --lenient")
    func strictElementLines() throws {
        let directory = try copy()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "ignored line\nV1 1 0 1\nR1 a\nR2 1 0 1k\n.op\n.end\n".write(to: directory.appendingPathComponent("short.cir"),
                                                                         atomically: true, encoding: .utf8)
        let strict = try CLIRunner.run(["simulate", "short.cir"], in: directory)
        #expect(strict.status == 3)
        #expect(strict.stderr.contains("short.cir:3"), "\(strict.stderr)")
        #expect(strict.stderr.contains("not a valid resistor instance line"))
        let lenient = try CLIRunner.run(["simulate", "short.cir", "--lenient"], in: directory)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stderr.contains("warning"))
    }
}
