import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Testing
import Verification

@Suite("Batch re-solves on one loaded circuit")
struct BatchSolverTests {
    @Test("re-programming a loaded circuit gives the answers of fresh solves")
    func sameAnswers() async throws {
        let engine = SharedEngine.engine
        var options = SolveSpecification()
        options.design.mapping.cell.magnitudeBits = nil
        let base = Matrix.wellConditioned(12, seed: 71)
        var generator = SeededGenerator(seed: 72)
        var problems: [Problem] = []
        for _ in 0..<4 {
            problems.append(try Problem(operation: .inv, matrix: base.map { $0 * (1 + 0.2 * Double.random(in: -1...1, using: &generator)) }))
        }
        problems.append(try Problem(operation: .inv, matrix: base, vector: (0..<12).map { _ in generator.normal() }))
        let outcome = try await BatchSolver.solve(problems, options, engine: engine)
        #expect(outcome.reprogrammed == problems.count - 1)
        #expect(outcome.alterations > 0)
        for (problem, verdict) in zip(problems, outcome.verdicts) {
            let fresh = try await Verifier.solve(problem, options, engine: engine)
            #expect(verdict.outputVolts.minus(fresh.outputVolts).norm2 <= 1e-12 * fresh.outputVolts.norm2)
            #expect(verdict.passed == fresh.passed)
        }
    }

    @Test("a circuit of another structure gets a fresh load")
    func structureChange() async throws {
        let a = try Matrix([[2, -0.5], [0.3, 1.5]])
        let b = try Matrix([[2, 0.5], [0.3, 1.5]])  // a sign flips: the cell moves to the other array
        let problems = [try Problem(operation: .inv, matrix: a), try Problem(operation: .inv, matrix: b)]
        let outcome = try await BatchSolver.solve(problems,
                                                  SolveSpecification(), engine: SharedEngine.engine)
        #expect(outcome.reprogrammed == 0)
        #expect(outcome.verdicts.count == 2)
        #expect(outcome.verdicts.allSatisfy { $0.passed })
    }
}
