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

@Suite("INV end to end on the real engine")
struct InvTests {
    let engine = SharedEngine.engine

    @Test("ideal .op on well-conditioned mixed-sign matrices agrees with the finite-gain reference to 1e-6",
          arguments: [(16, UInt64(1)), (64, UInt64(2))])
    func idealAgreement(n: Int, seed: UInt64) async throws {
        let a = TestMatrices.wellConditioned(n, seed: seed)
        let problem = try Problem(operation: .inv, matrix: a, vector: TestMatrices.vector(n, seed: seed + 100))
        let verdict = try await Verifier.solve(problem, SolveSpecification(), engine: engine)
        // The finite-gain reference solves exactly the nodal equations of this circuit
        // (VCVS op-amps of gain 1e6, inverters of gain A0/(A0+2)); only the solver's rounding separates them.
        #expect(verdict.circuitAgreement.relativeError <= 1e-6, "relative difference \(verdict.circuitAgreement.relativeError)")
        #expect(verdict.passed, "\(verdict.checks)")
        // With 4-bit cells the answer is quantisation-limited: within the error budget of the ideal.
        #expect(verdict.metricsIdeal.relativeError <= 2 * verdict.prediction.budget.combined)
    }

    @Test("with continuous cells and ideal converters the answer is the LAPACK solution to 1/(A0 lambda_min) accuracy")
    func exactCellsMatchLapack() async throws {
        let a = TestMatrices.wellConditioned(12, seed: 7)
        let b = TestMatrices.vector(12, seed: 8)
        let verdict = try await Verifier.solve(try Problem(operation: .inv, matrix: a, vector: b), .exactCells(), engine: engine)
        let x = try a.solve(b)
        let error = verdict.solution.minus(x).norm2 / x.norm2
        // Finite gain 1e6: the first-order error is 1/(A0 lambda_min(M)).
        let bound = 2 / (1e6 * verdict.prediction.stability.minRealEigenvalue)
        #expect(error <= bound, "relative error \(error), bound \(bound)")
    }

    @Test("behavioural .tran settles within a factor 2 of the predicted time",
          arguments: ["spd", "poisson", "heat"])
    func settling(kind: String) async throws {
        let a: Matrix = switch kind {
        case "spd": TestMatrices.spd(16, seed: 3)
        case "poisson": TestMatrices.poisson(32)
        default: TestMatrices.heatStep(32)
        }
        let problem = try Problem(operation: .inv, matrix: a)
        let options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        let verdict = try await Verifier.solve(problem, options, engine: engine)
        let measured = try #require(verdict.measuredSettlingSeconds)
        let predicted = try #require(verdict.prediction.settlingSeconds)
        #expect(verdict.transientOutcome == .settled)
        #expect(measured / predicted >= 0.5 && measured / predicted <= 2, "\(kind): measured \(measured) s, predicted \(predicted) s")
        #expect(verdict.passed, "\(verdict.checks)")
    }

    @Test("Poisson is slow and the heat step fast, as the eigenvalues of M say")
    func slowAndFast() throws {
        let options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        let poisson = try Verifier.prepare(try Problem(operation: .inv, matrix: TestMatrices.poisson(64)), options).prediction
        let heat = try Verifier.prepare(try Problem(operation: .inv, matrix: TestMatrices.heatStep(64)), options).prediction
        let slow = try #require(poisson.timeConstantSeconds), fast = try #require(heat.timeConstantSeconds)
        // The Theory article, "Settling time": about 27 us against 0.08 us at 10 MHz (G_in shifts
        // both a little).
        #expect(slow > 10e-6 && slow < 60e-6, "Poisson tau \(slow)")
        #expect(fast > 0.04e-6 && fast < 0.2e-6, "heat tau \(fast)")
    }

    @Test("the counter-example is refused at G_in = G0 and forced, it runs away")
    func counterExample() async throws {
        let a = try Matrix([[-1, 2], [-10, 3]])
        let problem = try Problem(operation: .inv, matrix: a)
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        options.design.mapping.inputConductanceRatio = 1
        do {
            _ = try await Verifier.solve(problem, options, engine: engine)
            Issue.record("an unstable mapping must be refused")
        } catch {
            guard case .unstable(let prediction) = error else { Issue.record("\(error)"); return }
            #expect(!prediction.stability.isStable)
            #expect(prediction.fix?.suggestedRatio == 2.6)
            #expect(error.description.contains("design.gin-ratio 2.6"))
        }
        options.policy.force = true
        let forced = try await Verifier.solve(problem, options, engine: engine)
        let outcome = try #require(forced.transientOutcome)
        #expect(outcome == .diverged || outcome == .oscillating, "transient \(outcome)")
        #expect(forced.checks.contains { $0.name.hasPrefix("stability prediction") && $0.status == .passed })
        #expect(!forced.passed)
    }

    @Test("the counter-example solves at G_in = 5 G0: ideal .op, and .tran with fast inverters")
    func counterExampleSolved() async throws {
        let a = try Matrix([[-1, 2], [-10, 3]])
        let problem = try Problem(operation: .inv, matrix: a)
        var ideal = SolveSpecification()
        ideal.design.mapping.inputConductanceRatio = 5
        let verdict = try await Verifier.solve(problem, ideal, engine: engine)
        #expect(verdict.prediction.stability.isStable)
        #expect(verdict.passed, "\(verdict.checks)")
        // Op-amp inverters at the loop's GBW add a pole that this loop cannot afford (the
        // stricter check refuses it); inverters ten times faster leave M's verdict standing.
        var transient = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        transient.design.mapping.inputConductanceRatio = 5
        do {
            _ = try await Verifier.solve(problem, transient, engine: engine)
            Issue.record("op-amp inverters at GBW/2 make this loop unstable")
        } catch {
            guard case .unstable(let prediction) = error else { Issue.record("\(error)"); return }
            #expect(prediction.stability.isStable && prediction.loopPoles?.isStable == false)
        }
        var fast = transient.design.circuit.opAmp
        fast.gainBandwidthHertz = 1e9
        transient.design.circuit.inverterOpAmp = fast
        let settled = try await Verifier.solve(problem, transient, engine: engine)
        #expect(settled.transientOutcome == .settled)
        #expect(settled.metricsIdeal.relativeError <= 2 * settled.prediction.budget.combined)
    }

    @Test("wire resistance raises the error, more in a larger array")
    func wireResistance() async throws {
        func error(_ n: Int, wire: Double) async throws -> Double {
            var options = SolveSpecification.exactCells()
            options.design.circuit.wires = WireParasitics(resistanceOhms: wire)
            let problem = try Problem(operation: .inv, matrix: TestMatrices.spd(n, seed: 11))
            return try await Verifier.solve(problem, options, engine: engine).metricsIdeal.relativeError
        }
        let small0 = try await error(8, wire: 0), small = try await error(8, wire: 20)
        let large0 = try await error(32, wire: 0), large = try await error(32, wire: 20)
        // IR drop along lines of N segments grows with N (see the Theory article, "Wire parasitics").
        #expect(small > small0 && large > large0)
        #expect(large - large0 > 2 * (small - small0), "8x8: \(small0) -> \(small), 32x32: \(large0) -> \(large)")
    }

    @Test("the sign-bit array and the two arrays give the same answer without wires")
    func signSchemes() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(10, seed: 5))
        let two = try await Verifier.solve(problem, SolveSpecification(), engine: engine)
        var options = SolveSpecification()
        options.design.mapping.cell.sign = .signBit
        let bit = try await Verifier.solve(problem, options, engine: engine)
        #expect(two.outputVolts.minus(bit.outputVolts).norm2 <= 1e-9 * two.outputVolts.norm2)
    }

    @Test("without .nodeset the operating point is the same")
    func nodeset() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(10, seed: 6))
        var options = SolveSpecification()
        let seeded = try await Verifier.solve(problem, options, engine: engine)
        options.plan.useNodeset = false
        let plain = try await Verifier.solve(problem, options, engine: engine)
        #expect(seeded.outputVolts.minus(plain.outputVolts).norm2 <= 1e-9 * seeded.outputVolts.norm2)
        #expect(seeded.design.expectedVoltages.count > 0)
    }
}
