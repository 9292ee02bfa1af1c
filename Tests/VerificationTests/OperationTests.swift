import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
import Ngspice
import CircuitTheory
import Reference
import Testing
import Verification

@Suite("MVM, GINV, EIG and block end to end")
struct OperationTests {
    let engine = SharedEngine.engine

    @Test("MVM 8x8 matches A x within the error budget, ideal and behavioural")
    func mvm() async throws {
        let a = TestMatrices.random(8, 8, seed: 21)
        let x = TestMatrices.vector(8, seed: 22)
        let problem = try Problem(operation: .mvm, matrix: a, vector: x)
        let ideal = try await Verifier.solve(problem, SolveSpecification(), engine: engine)
        #expect(ideal.passed, "\(ideal.checks)")
        #expect(ideal.circuitAgreement.relativeError <= 1e-6)
        let exact = try await Verifier.solve(problem, .exactCells(), engine: engine)
        let y = try a.multiplied(by: x)
        #expect(exact.solution.minus(y).norm2 / y.norm2 <= 1e-4)
        let behavioural = try await Verifier.solve(problem, SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran), engine: engine)
        #expect(behavioural.passed, "\(behavioural.checks)")
    }

    @Test("GINV matches LAPACK least squares")
    func ginv() async throws {
        let x = TestMatrices.random(6, 3, seed: 31)
        let y = TestMatrices.vector(6, seed: 32)
        let problem = try Problem(operation: .ginv, matrix: x, vector: y)
        let exact = try await Verifier.solve(problem, .exactCells(), engine: engine)
        let lstsq = try x.leastSquares(y).solution
        let error = exact.solution.minus(lstsq).norm2 / lstsq.norm2
        #expect(error <= 1e-4, "relative error against dgelsd \(error)")
        #expect(exact.circuitAgreement.relativeError <= 1e-6)
        let quantised = try await Verifier.solve(problem, SolveSpecification(), engine: engine)
        #expect(quantised.passed, "\(quantised.checks)")
    }

    @Test("GINV wired on the wrong polarity has the same operating point, but the transient catches it")
    func ginvWrongPolarity() async throws {
        let x = TestMatrices.random(6, 3, seed: 31)
        let problem = try Problem(operation: .ginv, matrix: x, vector: TestMatrices.vector(6, seed: 32))
        var wrong = SolveSpecification.exactCells()
        wrong.design.circuit.wrongPolarity = true
        wrong.policy.force = true
        let op = try await Verifier.solve(problem, wrong, engine: engine)
        let right = try await Verifier.solve(problem, .exactCells(), engine: engine)
        // The DC point cannot tell: the two differ only by the sign of a 1/A0 term (A0 = 1e6).
        #expect(op.outputVolts.minus(right.outputVolts).norm2 <= 1e-3 * right.outputVolts.norm2, "the DC point cannot tell")

        wrong.design.circuit.fidelity = .behavioral
        wrong.plan.analysis = .tran
        let transient = try await Verifier.solve(problem, wrong, engine: engine)
        #expect(!transient.prediction.isStable)
        let outcome = try #require(transient.transientOutcome)
        #expect(outcome != .settled, "the wrong polarity must not settle, got \(outcome)")

        var correct = SolveSpecification.exactCells(fidelity: .behavioral, analysis: .tran)
        correct.policy.force = false
        let settled = try await Verifier.solve(problem, correct, engine: engine)
        #expect(settled.transientOutcome == .settled)
    }

    @Test("EIG on a symmetric 8x8 finds LAPACK's dominant eigenvector, |cos| > 0.999")
    func eig() async throws {
        let a = TestMatrices.spd(8, seed: 41)
        let problem = try Problem(operation: .eig, matrix: a)
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        options.design.mapping.cell.magnitudeBits = 8
        let verdict = try await Verifier.solve(problem, options, engine: engine)
        let decomposition = try a.eigenDecomposition()
        let dominant = decomposition.values.indices.max { decomposition.values[$0].real < decomposition.values[$1].real }!
        let expected = decomposition.vectors[dominant].map(\.real)
        let c = cosine(verdict.solution, expected)
        #expect(c > 0.999, "|cos| = \(c)")
        #expect(verdict.transientOutcome == .grew)
        #expect(verdict.passed, "\(verdict.checks)")
    }

    @Test("EIG growth is judged by its direction: one real mode keeps it, a complex pair turns it")
    func growthDirection() throws {
        let time = (0...400).map { Double($0) * 1e-8 }
        let envelope = time.map { 1e-3 * exp($0 / 5e-7) }
        let oneMode = [envelope.map { 0.6 * $0 }, envelope.map { -0.8 * $0 }]
        let pair = [zip(time, envelope).map { $1 * cos($0 / 2e-7) }, zip(time, envelope).map { $1 * sin($0 / 2e-7) }]
        for (waves, expected) in [(oneMode, TransientOutcome.grew), (pair, .turned)] {
            let threshold = 0.25
            let k = try #require(time.indices.first { i in waves.contains { abs($0[i]) >= threshold } })
            #expect(Readout.classifyGrowth(waveforms: waves, readoutIndex: k, threshold: threshold) == expected)
        }
    }

    @Test("block form computes the Schur complement (D - C A^-1 B) u")
    func block() async throws {
        var m = TestMatrices.wellConditioned(6, seed: 51)
        for i in 0..<6 { m[i, i] += 1 }
        let u = TestMatrices.vector(3, seed: 52)
        let problem = try Problem(operation: .block, matrix: m, vector: u, blockSize: 3)
        let verdict = try await Verifier.solve(problem, .exactCells(), engine: engine)
        let schur = try Mapping.schurComplement(of: m, blockSize: 3).multiplied(by: u)
        #expect(verdict.solution.minus(schur).norm2 / schur.norm2 <= 1e-4)
        #expect(verdict.circuitAgreement.relativeError <= 1e-6)
        let behavioural = try await Verifier.solve(problem, SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran), engine: engine)
        #expect(behavioural.passed, "\(behavioural.checks)")
    }
}
