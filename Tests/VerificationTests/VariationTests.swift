import Reports
import Characterization
import Sweeps
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
import CircuitTheory
import Reference
import Testing
import Verification

/// The variation models reach the simulated circuit exactly as stated: each test predicts the
/// varied circuit's answer from its own nodal equations (LAPACK) and checks the engine's.
@Suite("Variation applied to generated circuits, on the real engine")
struct VariationTests {
    let engine = SharedEngine.engine

    /// An ideal-fidelity INV with continuous cells and ideal converters: the circuit solves
    /// (G_P - G_N) V = -G_in b up to the op-amps' gain of 1e6.
    func prepared(_ n: Int, seed: UInt64) throws -> (Problem, Verifier.Prepared) {
        let a = TestMatrices.wellConditioned(n, seed: seed)
        let problem = try Problem(operation: .inv, matrix: a, vector: TestMatrices.vector(n, seed: seed + 1))
        return (problem, try Verifier.prepare(problem, .exactCells()))
    }

    func simulate(_ prepared: Verifier.Prepared, _ applied: CircuitVariation.Applied) async throws -> [Double] {
        var deck = prepared.deck
        deck.elements = applied.design.deck.elements
        deck.subcircuits = applied.design.deck.subcircuits
        let result = try await engine.run(deck, RunRequest(vectors: prepared.design.outputNodes))
        let plot = try #require(result.plot("op"))
        return try prepared.design.outputNodes.map { try #require(plot[$0]?.real.first) }
    }

    /// Conductance matrices P and N (siemens) after the variation, from the site list.
    func arrays(_ design: CircuitDesign, _ changes: [CellSite: Double]) -> (p: Matrix, n: Matrix) {
        let layout = design.crossbars[0]
        var p = Matrix(rows: layout.rows, columns: layout.columns), nn = p
        for (site, nominal) in CircuitVariation.sites(of: design) {
            let g = changes[site] ?? nominal
            if site.half == .positive { p[site.row, site.column] = g } else { nn[site.row, site.column] = g }
        }
        return (p, nn)
    }

    @Test("with no variation the deck is byte-identical to the nominal one")
    func nominalUntouched() throws {
        let (_, prepared) = try prepared(6, seed: 3)
        let draw = VariationDraw.draw(VariationParameters(), design: prepared.design, fullScaleSiemens: 1e-5, sampleSeed: 9, read: 0)
        #expect(draw.conductances.isEmpty && draw.offsets.isEmpty)
        let applied = try CircuitVariation.apply(to: prepared.design, conductances: draw.conductances, offsets: draw.offsets)
        let variedText = try applied.design.deck.text(), nominalText = try prepared.design.deck.text()
        #expect(variedText == nominalText)
        #expect(prepared.design.crossbars.count == 1)
        #expect(CircuitVariation.sites(of: prepared.design).count == 2 * 6 * 6)
    }

    @Test("programming error: the simulated answer solves the perturbed conductances to 1e-5")
    func programmingError() async throws {
        let (_, prepared) = try prepared(8, seed: 11)
        let mapping = prepared.prediction.mapping
        let parameters = VariationParameters(programmingSigma: 0.05)
        let draw = VariationDraw.draw(parameters, design: prepared.design, fullScaleSiemens: mapping.unitConductanceSiemens,
                                      sampleSeed: 1234, read: 0)
        // Every programmed cell moved (a two-array 8x8 dense matrix has 64 programmed sites).
        #expect(draw.conductances.count == 64)
        let applied = try CircuitVariation.apply(to: prepared.design, conductances: draw.conductances)
        let volts = try await simulate(prepared, applied)
        let (p, n) = arrays(prepared.design, draw.conductances)
        let gIn = mapping.inputConductancesSiemens[0]
        let expected = try (p - n).solve(mapping.inputVolts.scaled(by: -gIn))
        let difference = volts.minus(expected).norm2 / expected.norm2
        #expect(difference <= 1e-5, "relative difference \(difference) between the engine and the perturbed nodal solution")
        // And the variation did move the answer away from the nominal one.
        let nominal = mapping.expectedOutputVolts
        let moved = volts.minus(nominal).norm2 / nominal.norm2
        #expect(moved > 1e-3, "the answer moved by only \(moved)")
    }

    @Test("stuck cells: stuck-off cells open, stuck-on cells conduct full scale at unprogrammed sites too")
    func stuckCells() async throws {
        let (_, prepared) = try prepared(6, seed: 5)
        let full = 3e-5
        let parameters = VariationParameters(stuckOnRate: 0.08, stuckOffRate: 0.08)
        let draw = VariationDraw.draw(parameters, design: prepared.design, fullScaleSiemens: full, sampleSeed: 77, read: 0)
        #expect(draw.stuckOn + draw.stuckOff > 0)
        #expect(draw.conductances.values.allSatisfy { $0 == 0 || $0 == full })
        let applied = try CircuitVariation.apply(to: prepared.design, conductances: draw.conductances)
        // Every stuck-on site whose drive line is driven is in the deck; the others are reported.
        let names = Set(applied.design.deck.elements.map(\.name))
        for (site, g) in draw.conductances {
            if g == 0 { #expect(!names.contains(site.elementName)) }
            else if !applied.unattached.contains(site) { #expect(names.contains(site.elementName)) }
        }
        let volts = try await simulate(prepared, applied)
        var changes = draw.conductances
        for site in applied.unattached { changes[site] = 0 }
        let (p, n) = arrays(prepared.design, changes)
        let mapping = prepared.prediction.mapping
        let expected = try (p - n).solve(mapping.inputVolts.scaled(by: -mapping.inputConductancesSiemens[0]))
        let difference = volts.minus(expected).norm2 / expected.norm2
        #expect(difference <= 1e-5, "relative difference \(difference)")
    }

    @Test("offsets: a loop amplifier's offset holds its row at -Vos, an inverter's shifts its output by -2 Vos")
    func offsets() async throws {
        let (_, prepared) = try prepared(5, seed: 21)
        let mapping = prepared.prediction.mapping
        let amplifiers = CircuitVariation.amplifiers(of: prepared.design)
        #expect(amplifiers.contains("amp1") && amplifiers.contains { $0.hasPrefix("inv") })
        let inverter = try #require(amplifiers.first { $0.hasPrefix("inv") })
        let column = try #require(Int(inverter.dropFirst(3))) - 1
        let loopOffset = 2e-3, inverterOffset = -1.5e-3
        let applied = try CircuitVariation.apply(to: prepared.design, conductances: [:],
                                                 offsets: ["amp1": loopOffset, inverter: inverterOffset])
        let volts = try await simulate(prepared, applied)
        // KCL at row i with r = -Vos: sum_j P_ij (V_j - r_i) + N_ij (w_j - r_i) + G_in (b_i - r_i) = 0,
        // w_j = -V_j, except w_c = -V_c - 2 Vos_inv.
        let (p, n) = arrays(prepared.design, [:])
        let gIn = mapping.inputConductancesSiemens[0]
        let rows = p.rows
        var r = [Double](repeating: 0, count: rows)
        r[0] = -loopOffset
        let rhs = (0..<rows).map { i -> Double in
            let load = (0..<rows).reduce(gIn) { $0 + p[i, $1] + n[i, $1] }
            return -gIn * mapping.inputVolts[i] + load * r[i] + n[i, column] * 2 * inverterOffset
        }
        let expected = try (p - n).solve(rhs)
        let difference = volts.minus(expected).norm2 / expected.norm2
        #expect(difference <= 1e-5, "relative difference \(difference)")
        #expect(applied.design.deck.subcircuits.contains { $0.name == "inverter_\(inverter)" })
    }

    @Test("draws are reproducible from the seed and common across models: raising sigma scales the same errors")
    func reproducible() throws {
        let (_, prepared) = try prepared(6, seed: 8)
        func draw(_ sigma: Double, seed: UInt64, read: Int = 0) -> [CellSite: Double] {
            VariationDraw.draw(VariationParameters(programmingSigma: sigma, readNoiseSigma: 0), design: prepared.design,
                               fullScaleSiemens: 1e-5, sampleSeed: seed, read: read).conductances
        }
        let a = draw(0.01, seed: 42), b = draw(0.01, seed: 42), c = draw(0.02, seed: 42), d = draw(0.01, seed: 43)
        #expect(a == b)
        #expect(a != d)
        let nominal = Dictionary(CircuitVariation.sites(of: prepared.design).map { ($0.site, $0.siemens) }, uniquingKeysWith: { x, _ in x })
        for (site, g) in a {
            let g0 = try #require(nominal[site])
            let relative1 = g / g0 - 1, relative2 = try #require(c[site]) / g0 - 1
            #expect(abs(relative2 - 2 * relative1) < 1e-12, "site \(site): \(relative1) then \(relative2)")
        }
        // Read noise: a new read redraws it, the programming error stays.
        let parameters = VariationParameters(programmingSigma: 0.01, readNoiseSigma: 0.01)
        let r0 = VariationDraw.draw(parameters, design: prepared.design, fullScaleSiemens: 1e-5, sampleSeed: 42, read: 0).conductances
        let r1 = VariationDraw.draw(parameters, design: prepared.design, fullScaleSiemens: 1e-5, sampleSeed: 42, read: 1).conductances
        #expect(r0 != r1)
        let spread = r0.keys.map { abs((r0[$0] ?? 0) / (r1[$0] ?? 1) - 1) }.max() ?? 0
        #expect(spread < 0.1, "two reads of one chip differ by \(spread), more than read noise of 1 % can")
    }

    @Test("with wires and with a sign bit, stuck-on cells land on existing line nodes and the deck runs",
          arguments: [SignScheme.twoArrays, .signBit])
    func wiresAndSignBit(sign: SignScheme) async throws {
        let a = TestMatrices.poisson(6)  // zeros off the tridiagonal: plenty of unprogrammed sites
        let problem = try Problem(operation: .inv, matrix: a)
        var options = SolveSpecification.exactCells()
        options.design.mapping.cell.sign = sign
        options.design.circuit.wires = WireParasitics(resistanceOhms: 5)
        let prepared = try Verifier.prepare(problem, options)
        let sites = CircuitVariation.sites(of: prepared.design)
        #expect(sites.count == (sign == .twoArrays ? 2 : 1) * 36)
        let draw = VariationDraw.draw(VariationParameters(stuckOnRate: 0.1), design: prepared.design, fullScaleSiemens: 1e-5,
                                      sampleSeed: 3, read: 0)
        let applied = try CircuitVariation.apply(to: prepared.design, conductances: draw.conductances)
        var nodes: [String: Int] = [:]
        for element in applied.design.deck.elements {
            switch element {
            case .resistor(let r): nodes[r.a, default: 0] += 1; nodes[r.b, default: 0] += 1
            case .voltageSource(let v): nodes[v.plus, default: 0] += 1; nodes[v.minus, default: 0] += 1
            case .instance(let x): for n in x.nodes { nodes[n, default: 0] += 1 }
            default: break
            }
        }
        let nominalNames = Set(prepared.design.deck.elements.map(\.name))
        var added = 0
        for case .resistor(let r) in applied.design.deck.elements where !nominalNames.contains(r.name) {
            added += 1
            // Both ends are nodes the nominal circuit already has (a line segment or a drive).
            #expect((nodes[r.a] ?? 0) >= 2 && (nodes[r.b] ?? 0) >= 2, "\(r.name) hangs on \(r.a) or \(r.b)")
        }
        #expect(added > 0)
        let volts = try await simulate(prepared, applied)
        #expect(volts.allSatisfy { $0.isFinite })
        let moved = volts.minus(prepared.prediction.mapping.expectedOutputVolts).norm2
        #expect(moved > 1e-4, "stuck cells must move the answer")
    }
}
