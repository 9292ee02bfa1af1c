import Foundation
import Testing

/// The command line as a view of the one knob table: the same settings, checks, messages
/// and exit codes from every command and from sweep files.
@Suite("One specification behind every command")
struct SpecificationCommandTests: CLISuite {
    static let commands: [[String]] = [
        ["solve"], ["generate"], ["analyze"], ["characterize"], ["simulate"], ["bench"], ["version"],
        ["sweep"], ["sweep", "run"], ["sweep", "collect"], ["sweep", "status"], ["sweep", "resubmit"], ["sweep", "deck"],
        ["run"], ["run", "rbi"], ["run", "refine"], ["run", "kalman"], ["run", "ik"], ["run", "heat"], ["run", "poisson"],
        ["run", "pagerank"],
    ]

    @Test("every command's help shows defaults as users type them", arguments: commands)
    func help(command: [String]) throws {
        let result = try CLIRunner.run(command + ["--help"])
        #expect(result.status == 0, "\(command): \(result.stderr)")
        #expect(!result.stdout.contains("Quantity(value"), "\(command) prints a Swift value as a default")
        #expect(!result.stdout.contains("Optional("), "\(command) prints a Swift optional")
        if ["solve", "generate"].contains(command[0]) {
            let text = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for fragment in ["--gbw <Hz>", "Default: 10meg.", "--energy-per-flop <J>", "Default: 1p.", "--temperature <C>",
                             "from -55 to 175 C", "--no-nodeset", "Also --tech."] {
                #expect(text.contains(fragment), "\(command) help lacks \(fragment)")
            }
        }
    }

    @Test("the same out-of-range temperature gives the same message and exit 2 from solve, characterize and a sweep file")
    func sameRule() throws {
        let dir = try directory([
            "A.mtx": "%%MatrixMarket matrix array real general\n2 2\n2\n0\n0\n2\n",
            "hot.json": "{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"design\": {\"fidelity\": \"transistor\"}, \"conditions\": {\"temperature\": 300}}",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let requirement = "300: it must be from -55 to 175 C"
        let solve = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--fidelity", "transistor", "--temperature", "300"], in: dir)
        let alias = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--fidelity", "transistor", "--temp", "300"], in: dir)
        let characterize = try CLIRunner.run(["characterize", "--temp", "300"], in: dir)
        let sweep = try CLIRunner.run(["sweep", "hot.json", "--out", "hot"], in: dir)
        for (name, result) in [("solve", solve), ("solve --temp", alias), ("characterize", characterize), ("sweep", sweep)] {
            #expect(result.status == 2, "\(name): \(result.status) \(result.stderr)")
            #expect(result.stderrLines.count == 1 && result.stderr.contains(requirement), "\(name): \(result.stderr)")
        }
        #expect(solve.stderr == "error: --temperature \(requirement)\n")
        #expect(sweep.stderr.contains("conditions.temperature = \(requirement)"))
    }

    @Test("analyze takes the solve options: --gbw 10meg sets the settling prediction")
    func analyzeTakesKnobs() throws {
        let dir = try directory(["A.mtx": "%%MatrixMarket matrix array real general\n2 2\n2\n0\n0\n2\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let slow = try CLIRunner.run(["analyze", "--matrix", "A.mtx", "--gbw", "10meg", "--json", "slow.json"], in: dir)
        let fast = try CLIRunner.run(["analyze", "--matrix", "A.mtx", "--gbw", "20megHz", "--json", "fast.json"], in: dir)
        #expect(slow.status == 0 && fast.status == 0, "\(slow.stderr) \(fast.stderr)")
        // tau = 1 / (2 pi GBW Re lambda_min(M)): doubling the GBW halves it.
        let tauSlow = try #require(value(try json(dir.appendingPathComponent("slow.json")), "stability.tauSeconds") as? Double)
        let tauFast = try #require(value(try json(dir.appendingPathComponent("fast.json")), "stability.tauSeconds") as? Double)
        #expect(abs(tauSlow / tauFast - 2) < 1e-12)
    }

    @Test("a negative value follows its flag, and a typo is named with the nearest option")
    func parsing() throws {
        let dir = try directory(["A.mtx": "%%MatrixMarket matrix array real general\n2 2\n2\n0\n0\n2\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let negative = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--fidelity", "behavioral", "--offset", "-10m", "--json", "v.json"], in: dir)
        #expect(negative.status == 0 || negative.status == 1, "\(negative.stderr)")
        let spec = try #require(try json(dir.appendingPathComponent("v.json"))["specification"] as? [[String: Any]])
        #expect(spec.first { $0["name"] as? String == "design.offset" }?["value"] as? Double == -10e-3)
        let typo = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--gbww", "1meg"], in: dir)
        #expect(typo.status == 2 && typo.stderr.contains("unknown option --gbww; did you mean --gbw?"), "\(typo.stderr)")
        let wrongCommand = try CLIRunner.run(["characterize", "--gbw", "1meg"], in: dir)
        #expect(wrongCommand.status == 2 && wrongCommand.stderr.contains("--gbw does not apply to this command"), "\(wrongCommand.stderr)")
    }

    @Test("a sweep whose problem is an unstable loop exits 4, like solve")
    func unstableSweep() throws {
        // The counter-example A = [[-1, 2], [-10, 3]] at G_in = G0 (Theory article, "The
        // associated matrix and stability"): Re lambda(M) < 0 at every grid point.
        let dir = try directory([
            "A.mtx": "%%MatrixMarket matrix array real general\n2 2\n-1\n-10\n2\n3\n",
            "unstable.json": "{\"problem\": {\"operation\": \"inv\", \"matrix\": \"A.mtx\"}, \"design\": {\"gin-ratio\": 1}, \"variables\": {\"gain\": [1e4, 1e5]}}",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let solve = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--gin-ratio", "1"], in: dir)
        let sweep = try CLIRunner.run(["sweep", "unstable.json", "--out", "u", "--jobs", "1"], in: dir)
        #expect(solve.status == 4, "\(solve.stderr)")
        #expect(sweep.status == 4, "\(sweep.status): \(sweep.stderr)")
        #expect(sweep.stderr.contains("every run of the sweep is unstable") && sweep.stderr.contains("design.gin-ratio"), "\(sweep.stderr)")
    }
}
