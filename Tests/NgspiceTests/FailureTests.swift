import Foundation
import Netlist
import Testing

@testable import Ngspice

/// Every failure becomes a typed error in ngspice's words, and the engine stays usable.
@Suite("Failures are typed and the engine recovers", .serialized)
struct FailureTests {
    let engine = try! NgspiceEngine()

    /// After any failure the same engine must still run a good deck correctly.
    func expectStillWorks() async throws {
        let result = try await engine.run(TestDecks.divider(volts: 2))
        let mid = try #require(result.plot("op")?["mid"]).real[0]
        #expect(abs(mid - 1.5) <= 1e-9)
    }

    func failure(_ text: String) async -> NgspiceError? {
        do {
            _ = try await engine.run(text: text)
            return nil
        } catch let error as NgspiceError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test("a syntax error is a parse error naming the offending line")
    func syntaxError() async throws {
        let error = try #require(await failure(TestDecks.syntaxError))
        #expect(error.kind == .parse)
        #expect(error.offendingLine?.lowercased() == "r1 1 0 abc", "\(error)")
        #expect(error.lineNumber == 3)
        #expect(error.message.contains("abc"))
        try await expectStillWorks()
    }

    @Test("an unknown model is reported as such")
    func unknownModel() async throws {
        let error = try #require(await failure(TestDecks.unknownModel))
        #expect(error.kind == .unknownModel, "\(error)")
        #expect(error.offendingLine?.lowercased().contains("nosuchmodel") == true)
        try await expectStillWorks()
    }

    @Test("an unknown subcircuit is reported as such")
    func unknownSubcircuit() async throws {
        let error = try #require(await failure("""
            unknown subckt
            X1 1 0 nosuchsub
            V1 1 0 1
            R1 1 0 1k
            .op
            .end
            """))
        #expect(error.kind == .unknownSubcircuit, "\(error)")
        #expect(error.description.contains("nosuchsub"))
        try await expectStillWorks()
    }

    @Test("a floating node is a singular matrix, even if ngspice's fallbacks paper over it")
    func floatingNode() async throws {
        let error = try #require(await failure(TestDecks.floatingNode))
        #expect(error.kind == .singularMatrix, "\(error)")
        #expect(error.message.contains("node"))
        try await expectStillWorks()
    }

    @Test("a designer's deck runs through ngspice's recovery: only ngspice giving up fails it")
    func recoveryAccepted() async throws {
        let result = try await engine.run(text: TestDecks.floatingNode, RunRequest(failsOnRecovery: false))
        #expect(result.plot("op")?["1"]?.real.first == 1)
        #expect(result.warnings.contains { $0.text.contains("singular matrix") })
        // Giving up still fails, in ngspice's words and once.
        let error = try #require(await failure(TestDecks.nonConvergent))
        #expect(error.kind == .noConvergence)
        #expect(!error.description.contains("singular matrix: singular matrix"))
    }

    @Test("a circuit without a DC solution does not converge")
    func nonConvergent() async throws {
        let error = try #require(await failure(TestDecks.nonConvergent))
        #expect(error.kind == .noConvergence, "\(error)")
        #expect(error.simStatus == 1)
        try await expectStillWorks()
    }

    @Test("a fatal exit of the library is reported and a fresh copy is loaded")
    func fatalExit() async throws {
        let loadsBefore = try engine.libraryLoads()
        let error = try #require(await failure(TestDecks.fatal))
        #expect(error.kind == .libraryExited, "\(error)")
        #expect(error.description.lowercased().contains("v2 1"), "\(error)")
        try await expectStillWorks()
        #expect(try engine.libraryLoads() == loadsBefore + 1)
    }

    @Test("a time limit halts a long transient and leaves the engine usable")
    func timeLimit() async throws {
        let start = Date()
        do {
            _ = try await engine.run(text: TestDecks.slow, RunRequest(timeLimit: 0.3))
            Issue.record("a 5 ms transient at 1 ns steps cannot finish in 0.3 s")
        } catch let error as NgspiceError {
            #expect(error.kind == .aborted)
            #expect(error.message.contains("time limit"))
        }
        #expect(Date().timeIntervalSince(start) < 10)
        try await expectStillWorks()
    }

    @Test("cancelling the task halts the run")
    func cancellation() async throws {
        let engine = self.engine
        let task = Task { try await engine.run(text: TestDecks.slow) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        guard case .failure(let error as NgspiceError) = result else {
            Issue.record("expected an aborted run, got \(result)")
            return
        }
        #expect(error.kind == .aborted)
        #expect(error.message == "cancelled")
        try await expectStillWorks()
    }

    @Test("a requested vector that does not exist is an error, never an empty array")
    func missingVector() async throws {
        do {
            _ = try await engine.run(TestDecks.divider(), RunRequest(vectors: ["nosuchnode"]))
            Issue.record("expected a missing-vector error")
        } catch let error as NgspiceError {
            #expect(error.kind == .missingResult)
            #expect(error.message.contains("nosuchnode"))
        }
    }

    @Test("a deck without an analysis is refused before it runs")
    func noAnalysis() async throws {
        let error = try #require(await failure("no analysis\nV1 1 0 1\nR1 1 0 1k\n.end\n"))
        #expect(error.kind == .missingResult)
        #expect(error.message.contains("no analysis"))
        try await expectStillWorks()
    }

    @Test("the title line is never taken for an error")
    func titleWithErrorWords() async throws {
        let result = try await engine.run(text: "Error: unknown subckt singular matrix\nV1 1 0 1\nR1 1 0 1k\n.op\n.end\n")
        #expect(result.plot("op")?["1"]?.real == [1])
    }

    @Test("diagnostics classify banners, notes and gmin lines as information")
    func classification() {
        #expect(Diagnostic.classify("stdout Using SPARSE 1.3 as Direct Linear Solver").severity == .info)
        #expect(Diagnostic.classify("stderr Using KLU as Direct Linear Solver").severity == .info)
        #expect(Diagnostic.classify("stderr Note: Starting dynamic gmin stepping").severity == .info)
        #expect(Diagnostic.classify("stderr Warning: Dynamic gmin stepping failed").severity == .info)
        #expect(Diagnostic.classify("stderr Trying gmin =  1.0000E-03 Note: One successful gmin step").severity == .info)
        #expect(Diagnostic.classify("stderr Supplies reduced to  50.0000% Note: One successful source step").severity == .info)
        #expect(Diagnostic.classify("stderr Reducing trtol to 1 for xspice 'A' devices").severity == .info)
        // Followed by ngspice's recovery more often than not: a warning; the outcome decides.
        #expect(Diagnostic.classify("stderr Warning: singular matrix:  check node 3").severity == .warning)
        #expect(Diagnostic.classify("stderr run simulation(s) aborted").severity == .error)
        #expect(Diagnostic.classify("stderr Error: unknown subckt: x1 1 0 nosub").severity == .error)
        #expect(Diagnostic.classify("stderr warning, can't find model 'abc' from line").severity == .warning)
        #expect(Diagnostic.classify("stderr doAnalyses: TRAN:  Timestep too small; trouble with node \"x\"").severity == .warning)
        #expect(Diagnostic.classify(" Reference value :  2.32053e-05").stream == .progress)
    }
}
