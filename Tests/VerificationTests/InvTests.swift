import Reports
import Characterization
import Sweeps
import CircuitTheory
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
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
        let penalty = "penalty against a digital solver at the same precision"
        #expect(verdict.checks.filter { $0.name != penalty }.allSatisfy { $0.status != .failed }, "\(verdict.checks)")
        if kind == "poisson" {
            // A0 = 1e4 against kappa(M) ~ 400: finite gain alone costs the circuit bits a digital
            // solver at the same precision keeps, as the error model's finite-gain term says.
            #expect(verdict.prediction.budget.finiteGain > 4 * pow(2, -verdict.equivalentPrecision.equivalentBits))
            #expect(verdict.checks.first { $0.name == penalty }?.status == .failed)
        } else {
            #expect(verdict.passed, "\(verdict.checks)")
        }
    }

    @Test("Poisson is slow and the heat step fast, as the eigenvalues of M say")
    func slowAndFast() throws {
        let options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        let poisson = try Verifier.prepare(try Problem(operation: .inv, matrix: TestMatrices.poisson(64)), options).prediction
        let heat = try Verifier.prepare(try Problem(operation: .inv, matrix: TestMatrices.heatStep(64)), options).prediction
        let slow = try #require(poisson.timeConstantSeconds), fast = try #require(heat.timeConstantSeconds)
        // domain.md section 5: about 27 us against 0.08 us at 10 MHz (G_in shifts both a little).
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
        // IR drop along lines of N segments grows with N (domain.md section 6).
        #expect(small > small0 && large > large0)
        #expect(large - large0 > 2 * (small - small0), "8x8: \(small0) -> \(small), 32x32: \(large0) -> \(large)")
    }

    /// The cells of a deck without wires as (conductance, summing node, drive node), sorted:
    /// the network the crossbar is, whatever its cells are called.
    static func cellNetwork(_ deck: Deck, inputs: Set<String>) -> [String] {
        deck.elements.compactMap { element -> String? in
            guard case let .resistor(r) = element, case let .number(ohms) = r.resistance,
                  !inputs.contains(r.name), !r.name.hasPrefix("f") else { return nil }
            return "\(String(format: "%.12e", 1 / ohms)) \(r.a) \(r.b)"
        }.sorted()
    }

    @Test("without wires the sign-bit array and the two arrays are one network: the same cells between the same nodes")
    func signSchemesWithoutWires() throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(10, seed: 5))
        var options = SolveSpecification()
        let two = try Verifier.prepare(problem, options)
        options.design.mapping.cell.sign = .signBit
        let bit = try Verifier.prepare(problem, options)
        let inputs = Set((1...10).map { "in\($0)" })
        let cells = Self.cellNetwork(two.deck, inputs: inputs)
        // Two arrays, P and N, name their cells apart (ap_, an_); the sign-bit array has one (a_)
        // whose cells sit between the same rows and drive lines.
        #expect(cells.count == two.prediction.mapping.levels.storage.count { $0 != 0 } && cells.count > 80)
        #expect(cells == Self.cellNetwork(bit.deck, inputs: inputs))
        #expect(two.deck.elements.map(\.name) != bit.deck.elements.map(\.name))
    }

    @Test("with wires the sign-bit array and the two arrays are other circuits: each solves its own network, both near the reference")
    func signSchemesWithWires() async throws {
        let n = 10
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(n, seed: 5))
        let wire = 20.0
        var options = SolveSpecification()
        options.design.circuit.wires = WireParasitics(resistanceOhms: wire)
        var outputs: [SignScheme: [Double]] = [:]
        var network: [SignScheme: [Double]] = [:]
        for sign in [SignScheme.twoArrays, .signBit] {
            options.design.mapping.cell.sign = sign
            let prepared = try Verifier.prepare(problem, options)
            // Structure: two arrays have four lines per row and column pair (P and N, summing
            // and drive: 4 n^2 segments); the sign-bit array one summing and two drive lines (3 n^2).
            let segments = prepared.deck.elements.filter { $0.letter == "R" && $0.name.hasPrefix("w") }.count
            #expect(segments == (sign == .twoArrays ? 4 : 3) * n * n, "\(sign): \(segments) wire segments")
            let nodes = Set(prepared.deck.elements.flatMap { element -> [String] in
                if case let .resistor(r) = element { return [r.a, r.b] } else { return [] }
            })
            #expect(nodes.contains { $0.contains("_dp") } == (sign == .signBit) && nodes.contains { $0.hasPrefix("an_") } == (sign == .twoArrays))
            let verdict = try await Verifier.solve(problem, options, engine: engine)
            outputs[sign] = verdict.outputVolts
            // The network this scheme is, solved here (nodal analysis of the documented lines).
            let a0 = verdict.options.design.circuit.openLoopGain
            network[sign] = try WiredINV.outputVolts(verdict.prediction.mapping, sign: sign, wireOhms: wire, openLoopGain: a0)
            // Each simulation is its own network to the solver's rounding.
            let difference = verdict.outputVolts.minus(network[sign]!).norm2 / network[sign]!.norm2
            #expect(difference <= 1e-6, "\(sign): simulated against the wired network: \(difference)")
            // Against the ideal answer, within the error budget (quantisation dominates; the
            // IR drop of 20 Ohm lines is below it), and the quantised reference within the wires' share.
            #expect(verdict.metricsIdeal.relativeError <= 2 * verdict.prediction.budget.combined,
                    "\(sign): error \(verdict.metricsIdeal.relativeError), budget \(verdict.prediction.budget.combined)")
            let wires = network[sign]!.minus(verdict.prediction.references.finiteGainOutputVolts).norm2 / network[sign]!.norm2
            #expect(verdict.metricsQuantised.relativeError <= 2 * (wires + verdict.prediction.budget.dac + verdict.prediction.budget.adc + 1e-6),
                    "\(sign): against the quantised reference \(verdict.metricsQuantised.relativeError), wires \(wires)")
            print("INV \(n)x\(n), \(sign), \(wire) Ohm lines: vs its network \(difference), wires move the outputs by \(wires), error vs ideal \(verdict.metricsIdeal.relativeError)")
        }
        let two = try #require(outputs[.twoArrays]), bit = try #require(outputs[.signBit])
        // Other circuits, other answers: the schemes differ by far more than the solver's
        // rounding, and by what their networks predict.
        let simulated = two.minus(bit).norm2 / two.norm2
        let predicted = network[.twoArrays]!.minus(network[.signBit]!).norm2 / two.norm2
        print("INV \(n)x\(n), \(wire) Ohm lines: the schemes' outputs differ by \(simulated) (their networks: \(predicted))")
        #expect(simulated > 1e-4, "the two schemes gave \(simulated) apart: not different circuits")
        // Each output is its network's to 1e-6 of |V| (above), so their difference, 2e-3 of
        // |V|, is its networks' to 2e-6 / 2e-3 = 1e-3.
        expectRelative(simulated, predicted, within: 1e-3, "difference of the schemes")
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

/// The INV circuit with resistive lines, solved by nodal analysis: the network the
/// generators document (Crossbar), built here from the mapping alone.
///
/// Row i: op-amp output V_i = -A0 v(r_i), G_in from the DAC voltage into r_i. Inverted
/// copies W_j = -kappa V_j with kappa = A0 / (A0 + 2) (an op-amp with two equal resistors).
/// Every line is a chain of `n` segments of `wireOhms`, its driver (or op-amp input) at the
/// first end: summing line i passes column j at its node j, drive line j passes row i at its
/// node i, and a cell joins the two. Two arrays: lines P (cells > 0, driven by V) and N (cells
/// < 0, driven by W), each with its own summing lines. Sign bit: one summing line per row
/// and two drive lines per column (V and W).
enum WiredINV {
    static func outputVolts(_ mapping: Mapping, sign: SignScheme, wireOhms: Double, openLoopGain a0: Double) throws -> [Double] {
        let q = mapping.levels, n = q.rows, g0 = mapping.unitConductanceSiemens
        let gw = 1 / wireOhms, kappa = a0 / (a0 + 2)
        var index: [String: Int] = [:]
        func node(_ name: String) -> Int {
            if let k = index[name] { return k }
            index[name] = index.count
            return index.count - 1
        }
        for i in 0..<n { _ = node("V\(i)"); _ = node("W\(i)"); _ = node("r\(i)") }
        var conductances: [(Int, Int, Double)] = []
        var injected: [Int: Double] = [:]  // G_in * v_in into r_i
        let arrays: [(String, (Double) -> Bool)] = sign == .twoArrays ? [("P", { $0 > 0 }), ("N", { $0 < 0 })] : [("A", { $0 != 0 })]
        for (array, holds) in arrays {
            // Summing line i: r_i - s(i, 0) - s(i, 1) ... ; drive lines from V_j (and W_j).
            for i in 0..<n {
                var previous = node("r\(i)")
                for j in 0..<n { let k = node("\(array)s\(i)_\(j)"); conductances.append((previous, k, gw)); previous = k }
            }
            let drives = sign == .twoArrays ? [array == "P" ? "V" : "W"] : ["V", "W"]
            for drive in drives {
                for j in 0..<n {
                    var previous = node("\(drive)\(j)")
                    for i in 0..<n { let k = node("\(array)\(drive)\(j)_\(i)"); conductances.append((previous, k, gw)); previous = k }
                }
            }
            for i in 0..<n {
                for j in 0..<n where holds(q[i, j]) {
                    let drive = q[i, j] > 0 ? "V" : "W"
                    conductances.append((node("\(array)s\(i)_\(j)"), node("\(array)\(drive)\(j)_\(i)"), abs(q[i, j]) * g0))
                }
            }
        }
        let gin = mapping.inputConductancesSiemens
        for i in 0..<n {
            conductances.append((node("r\(i)"), -1, gin[i]))
            injected[node("r\(i)"), default: 0] += gin[i] * mapping.inputVolts[i]
        }
        // KCL at every node but the amplifier outputs, whose rows hold the amplifiers instead.
        let size = index.count
        var m = Matrix(rows: size, columns: size)
        var rhs = Array(repeating: 0.0, count: size)
        for (a, b, g) in conductances {
            m[a, a] += g
            if b >= 0 { m[b, b] += g; m[a, b] -= g; m[b, a] -= g }
        }
        for (k, current) in injected { rhs[k] += current }
        for i in 0..<n {
            let v = node("V\(i)"), w = node("W\(i)"), r = node("r\(i)")
            for c in 0..<size { m[v, c] = 0; m[w, c] = 0 }
            m[v, v] = 1; m[v, r] = a0; rhs[v] = 0            // V_i = -A0 v(r_i)
            m[w, w] = 1; m[w, v] = kappa; rhs[w] = 0         // W_i = -kappa V_i
        }
        let x = try m.solve(rhs)
        return (0..<n).map { x[node("V\($0)")] }
    }
}
