import Foundation
import Netlist
import Testing

@testable import Ngspice

@Suite("Runs leave no trace on a library copy")
struct HygieneTests {
    @Test("interpreter variables a run sets are gone after it")
    func variablesDoNotLeak() async throws {
        let engine = try NgspiceEngine()
        let before = try engine.interpreterVariables()
        _ = try await engine.run(text: "divider\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\n.op\n.end\n",
                                 RunRequest(commands: ["set crossloop_probe=7"], variables: ["crossloop_flag": nil]))
        let after = try engine.interpreterVariables()
        #expect(!before.contains("crossloop_probe"))
        #expect(after == before, "left behind: \(after.subtracting(before).sorted())")
    }
}
