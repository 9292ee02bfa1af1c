import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// End-to-end tests of `crossloop run WORKLOAD` on the built binary and the real engine.
@Suite("crossloop run")
struct RunCommandTests: CLISuite {
    @Test("rbi 128: exit 0, 3^1 INVs, every parameter printed, an HTML page with plots and the same data as JSON")
    func rbi() throws {
        let dir = try CLIRunner.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["run", "rbi", "--size", "128", "--schur", "digital", "--bits", "0",
                                        "--report", "r.html", "--json", "r.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Recursive block inversion, 128x128 on 64x64 tiles: PASS"))
        #expect(result.stdout.contains("3 INV (3^1 = 3 expected)"))
        for parameter in ["chip.arraySize", "chip.arrayCount", "--bits", "--dac-bits", "--adc-bits", "opamp.dcGain", "rbi.schur"] {
            #expect(result.stdout.contains(parameter), "\(parameter) not printed")
        }
        let html = try String(contentsOf: dir.appendingPathComponent("r.html"), encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        let parser = XMLParser(data: Data(html.utf8))
        #expect(parser.parse(), "the page is not well-formed: \(String(describing: parser.parserError))")
        let report = try json(dir.appendingPathComponent("r.json"))
        #expect(report["workload"] as? String == "rbi")
        #expect(report["passed"] as? Bool == true)
        let solve = (report["operations"] as? [String: Any])?["solve"] as? [String: Any]
        #expect(solve?["inv"] as? Int == 3)
        #expect((report["figures"] as? [Any])?.count == 3)
    }

    @Test("refine: 4-bit cells reach 20 bits (exit 0); an unreachable target in too few iterations exits 1")
    func refine() throws {
        let ok = try CLIRunner.run(["run", "refine", "--size", "16", "--bits", "4", "--target-bits", "20"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("PASS"))
        let missed = try CLIRunner.run(["run", "refine", "--size", "16", "--bits", "4", "--target-bits", "45", "--max-iterations", "3"])
        #expect(missed.status == 1)
        #expect(missed.stdout.contains("FAIL"))
    }

    @Test("kalman, ik, heat, poisson and pagerank run and pass")
    func workloads() throws {
        for arguments in [["kalman", "--steps", "60"], ["ik", "--links", "3"], ["heat", "--size", "24", "--steps", "3"],
                          ["poisson", "--dim", "2", "--size", "6"], ["pagerank", "--pages", "30"]] {
            let result = try CLIRunner.run(["run"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains(": PASS"), "\(arguments): \(result.stdout.prefix(400))")
        }
        let ik = try CLIRunner.run(["run", "ik", "--links", "6", "--targets", "2,0"])
        #expect(ik.status == 0)
        #expect(ik.stdout.contains("UNREACHABLE: the target is 2 m from the base"))
    }

    @Test("invalid input exits 2 with one line saying what to type", arguments: [
        (["refine", "--target-bits", "60"], "--target-bits"),
        (["pagerank", "--fidelity", "ideal"], "behavioral"),
        (["ik", "--targets", "1,2,3"], "--targets"),
        (["rbi", "--schur", "sideways"], "--schur analogue or digital"),
        (["heat", "--dim", "3"], "--dim 1 or 2"),
        (["rbi", "--matrix", "missing.mtx"], "missing.mtx"),
        (["rbi", "--size", "96", "--arrays", "1"], "--sign sign-bit"),
    ])
    func invalid(arguments: [String], hint: String) throws {
        let result = try CLIRunner.run(["run"] + arguments)
        #expect(result.status == 2, "\(arguments): status \(result.status), \(result.stderr)")
        #expect(result.stderr.contains(hint), "\(arguments): \(result.stderr)")
    }
}
