import Circuits
import CircuitTheory
import Foundation
import Netlist
import Reference
import Specification
import Testing
import Verification

/// The transistor-level array as a designer tapes it out: every site and bit present, gates
/// driven by stored state, a larger tile than the problem, the SRAM written and read back,
/// and new matrices programmed into a loaded circuit.
@Suite("Physical transistor-level array")
struct PhysicalArrayTests {
    let engine = SharedEngine.engine

    func options(sram: SwitchedCellParameters.SRAMModel = .dc, array: Int? = nil, sign: SignScheme = .twoArrays,
                 writeSlot: Double = 2e-9) -> SolveSpecification {
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .transistor), analysis: .tran)
        options.design.mapping.cell.sign = sign
        // The converters have their own tests; here the array is what is measured.
        options.design.transistor = TransistorDesign(technology: .generic(),
                                                     cell: SwitchedCellParameters(sram: sram, writeSlotSeconds: writeSlot),
                                                     converters: .ideal, arraySize: array)
        options.design.fitUnitConductance = true
        return options
    }

    /// Counts in a generated deck, by element kind and name (independently of the generator's
    /// own count): branch resistors `R<plane>_<s>_<d>_b<m>` and the MOSFETs in series with them.
    static func branches(_ deck: Deck) -> (resistors: Int, switches: Int) {
        var resistors = 0, switches = 0
        for element in deck.elements {
            let name = element.name
            if case .resistor = element, name.range(of: #"^a[pn]?_\d+_\d+_b\d+$"#, options: .regularExpression) != nil { resistors += 1 }
            if case .mosfet = element, name.range(of: #"^Ma[pn]?_\d+_\d+_(n|p)\d+$"#, options: .regularExpression) != nil { switches += 1 }
        }
        return (resistors, switches)
    }

    @Test("an 8x8, 4-bit, two-array deck holds 2 x 64 x 4 branches; zeros in the matrix change no device count")
    func everySiteAndBit() throws {
        let dense = TestMatrices.wellConditioned(8, seed: 11)
        var sparse = dense
        for i in 0..<8 { for j in 0..<8 where (i + j) % 3 == 0 && i != j { sparse[i, j] = 0 } }
        let a = try Verifier.prepare(try Problem(operation: .inv, matrix: dense), options())
        let b = try Verifier.prepare(try Problem(operation: .inv, matrix: sparse), options())
        let countA = Self.branches(a.deck), countB = Self.branches(b.deck)
        #expect(countA.resistors == 2 * 64 * 4)
        #expect(countA == countB, "a matrix with zeros has the devices of one without: \(countA) vs \(countB)")
        #expect(a.design.switchDevices == countA.switches)
        #expect(a.design.switchDevices >= 2 * 64 * 4)
        // Every gate is a stored state: one source per bit (a current into the latch's output
        // resistance), none wired to the supply.
        let states = a.deck.elements.filter { if case .currentSource = $0 { $0.name.hasPrefix("q_") } else { false } }
        #expect(states.count == 2 * 64 * 4)
        for element in a.deck.elements {
            if case .mosfet(let m) = element, m.name.range(of: #"^Ma[pn]_\d+_\d+_(n|p)\d+$"#, options: .regularExpression) != nil {
                #expect(m.gate.hasPrefix("q_") || m.gate.hasPrefix("qb_"), "\(m.name) gate \(m.gate)")
            }
        }
        // The same structure: only values differ, so one loaded circuit can take either.
        #expect(a.deck.elements.count == b.deck.elements.count)
    }

    @Test("a sign-bit array holds K branches and two sign gates per site")
    func signBitSites() throws {
        let prepared = try Verifier.prepare(try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(4, seed: 12)),
                                            options(sign: .signBit))
        #expect(Self.branches(prepared.deck).resistors == 16 * 4)
        let signSwitches = prepared.deck.elements.filter { $0.name.range(of: #"_s[pn][np]$"#, options: .regularExpression) != nil }.count
        #expect(signSwitches == 16 * 4)
        #expect(prepared.design.switchDevices == Self.branches(prepared.deck).switches + signSwitches)
    }

    @Test("--array 16 on an 8x8 problem holds the 16x16 array, its spare cells off, and solves the 8x8 problem")
    func largerTile() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 13))
        let tile = try await Verifier.solve(problem, options(array: 16), engine: engine)
        #expect(Self.branches(tile.design.deck).resistors == 2 * 256 * 4)
        let state = try #require(tile.design.arrays.first)
        #expect(state.structure.rows == 16 && state.structure.columns == 16)
        for s in 0..<16 { for d in 0..<16 where s >= 8 || d >= 8 { #expect(state.level(row: s, column: d) == 0) } }
        #expect(tile.passed, "\(tile.checks.filter { $0.status == .failed })")
        // The spare cells (off switches, their capacitance) barely move the answer.
        let own = try await Verifier.solve(problem, options(), engine: engine)
        let difference = tile.analogueSolution.minus(own.analogueSolution).norm2 / own.analogueSolution.norm2
        let devices = try #require(own.prediction.deviceErrors)
        #expect(difference <= devices.switchResistance, "16x16 tile vs 8x8 array: \(difference)")
        #expect(tile.solution.count == 8)
    }

    @Test("a tile smaller than the problem is refused")
    func tileTooSmall() throws {
        #expect(throws: VerificationError.self) {
            _ = try Verifier.prepare(try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 14)), options(array: 4))
        }
    }

    /// The bits a tile must hold, from the mapping's levels, computed here.
    static func expectedBits(_ levels: Matrix, tile: Int, bits: Int) -> [Bool] {
        var out: [Bool] = []
        for plane in 0..<2 {
            for s in 0..<tile {
                for d in 0..<tile {
                    let level = s < levels.rows && d < levels.columns ? Int(levels[s, d].rounded()) : 0
                    let magnitude = (plane == 0 ? level > 0 : level < 0) ? abs(level) : 0
                    out += (0..<bits).map { (magnitude >> $0) & 1 == 1 }
                }
            }
        }
        return out
    }

    @Test("--sram full: the write phase is in the deck and the latches read back the programmed bits")
    func writePhase() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 15))
        let verdict = try await Verifier.solve(problem, options(sram: .full), engine: engine)
        let wordLines = verdict.design.deck.elements.filter { if case .voltageSource(let v) = $0 { v.name.contains("_wl") } else { false } }
        #expect(wordLines.count == 2 * 8, "a word line per row of each plane")
        let readback = try #require(verdict.sramReadback)
        let expected = Self.expectedBits(verdict.prediction.mapping.levels, tile: 8, bits: 4)
        #expect(readback.states.count == expected.count)
        #expect(readback.states == expected, "latches differing: \(readback.mismatches.prefix(8))")
        #expect(expected.contains(true) && expected.contains(false))
        let write = try #require(verdict.design.writePhaseSeconds)
        #expect(readback.readSeconds > write)
        #expect(verdict.passed, "\(verdict.checks.filter { $0.status == .failed })")
    }

    @Test("a write phase too short to flip the latches fails the read-back check")
    func writePhaseTooShort() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(3, seed: 16))
        let verdict = try await Verifier.solve(problem, options(sram: .full, writeSlot: 2e-12), engine: engine)
        let readback = try #require(verdict.sramReadback)
        #expect(!readback.mismatches.isEmpty)
        let check = try #require(verdict.checks.first { $0.name == "SRAM latches hold the programmed matrix" })
        #expect(check.status == .failed)
        #expect(!verdict.passed)
    }

    @Test("ten new matrices programmed into a loaded 8x8 circuit give the answers of ten fresh solves")
    func reprogramming() async throws {
        let base = TestMatrices.wellConditioned(8, seed: 17)
        var generator = SeededGenerator(seed: 18)
        let problems = try (0..<10).map { _ in
            try Problem(operation: .inv, matrix: base.map { $0 * (1 + 0.3 * Double.random(in: -1...1, using: &generator)) },
                        vector: (0..<8).map { _ in generator.normal() })
        }
        let options = options()
        let outcome = try await BatchSolver.solve(problems, options, engine: engine)
        #expect(outcome.reprogrammed == 9)
        #expect(outcome.alterations > 0)
        // The states changed between the matrices: the loaded circuit really was re-programmed.
        #expect(Set(outcome.verdicts.map { $0.design.arrays[0].levels }).count > 1)
        for (index, verdict) in outcome.verdicts.enumerated() {
            let fresh = try await Verifier.run(problems[index], outcome.options, outcome.prepared[index], engine: engine)
            let difference = verdict.outputVolts.minus(fresh.outputVolts).norm2 / fresh.outputVolts.norm2
            #expect(difference <= 1e-9, "matrix \(index + 1): re-programmed vs fresh \(difference)")
            #expect(verdict.passed == fresh.passed)
        }
    }
}

/// The verdict against a digital solver of the same precision.
@Suite("Equivalent precision")
struct EquivalentPrecisionTests {
    let engine = SharedEngine.engine

    /// The digital answer computed here, independently of the verdict: the quantised matrix
    /// solved by LAPACK on the DAC's quantised vector, then each output rounded to the ADC's
    /// grid in volts and scaled back.
    static func digitalAnswer(_ verdict: Verdict) throws -> [Double] {
        let mapping = verdict.prediction.mapping
        let exact = try mapping.quantisedMatrix.solve(mapping.quantisedVector)
        let scale = mapping.outputScale
        let lsb = verdict.options.design.mapping.adc.lsbVolts ?? 0
        return exact.map { x in
            let volts = x / scale
            return (lsb > 0 ? (volts / lsb).rounded() * lsb : volts) * scale
        }
    }

    static func bits(_ estimate: [Double], _ reference: [Double]) -> Double {
        -log2(max(estimate.minus(reference).norm2 / reference.norm2, 1e-300))
    }

    @Test("the penalty is the digital solver's bits minus the circuit's; a design with undersized, uncompensated switches fails it")
    func penalty() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 21))
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .transistor), analysis: .tran)
        options.design.transistor = TransistorDesign(technology: .generic(), converters: .ideal)
        options.design.fitUnitConductance = true
        let nominal = try await Verifier.solve(problem, options, engine: engine)
        let digital = try Self.digitalAnswer(nominal)
        let ideal = try problem.matrix.solve(problem.vector)
        let digitalBits = Self.bits(digital, ideal), circuitBits = Self.bits(nominal.solution, ideal)
        #expect(abs(nominal.equivalentPrecision.equivalentBits - digitalBits) <= 1e-6 * digitalBits)
        #expect(abs(nominal.analoguePenaltyBits - (digitalBits - circuitBits)) <= 1e-6 * max(digitalBits, 1))
        #expect(nominal.passed, "\(nominal.checks.filter { $0.status == .failed })")

        var degraded = options
        degraded.design.transistor?.cell.onResistanceFraction = 0.3
        degraded.design.transistor?.cell.compensateOnResistance = false
        let bad = try await Verifier.solve(problem, degraded, engine: engine)
        #expect(bad.analoguePenaltyBits > 1, "penalty \(bad.analoguePenaltyBits)")
        let check = try #require(bad.checks.first { $0.name == "penalty against a digital solver at the same precision" })
        #expect(check.status == .failed)
        #expect(!bad.passed)
    }
}

/// One degraded design per error source: each fails its verdict where the nominal design
/// passes, and the check that fails says what was lost.
@Suite("Degraded designs fail the verdict")
struct DegradedDesignTests {
    let engine = SharedEngine.engine
    static let penalty = "penalty against a digital solver at the same precision"

    func solve(_ adjust: (inout SolveSpecification) -> Void) async throws -> Verdict {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.spd(8, seed: 31))
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .behavioral), analysis: .tran)
        options.design.mapping.cell.magnitudeBits = 8
        adjust(&options)
        return try await Verifier.solve(problem, options, engine: engine)
    }

    func failed(_ verdict: Verdict) -> Set<String> { Set(verdict.checks.filter { $0.status == .failed }.map(\.name)) }

    @Test("the nominal 8-bit design passes; low gain, a large offset, wires and a transient cut short each fail")
    func degraded() async throws {
        let nominal = try await solve { _ in }
        #expect(nominal.passed, "\(nominal.checks.filter { $0.status == .failed })")
        let gain = try await solve { $0.design.circuit.opAmp.dcGain = 30 }
        #expect(failed(gain).contains(Self.penalty), "A0 = 30: \(failed(gain)), penalty \(gain.analoguePenaltyBits)")
        let offset = try await solve { $0.design.circuit.opAmp.inputOffsetVolts = 0.03 }
        #expect(failed(offset).contains(Self.penalty), "30 mV offset: \(failed(offset)), penalty \(offset.analoguePenaltyBits)")
        let wires = try await solve { $0.design.circuit.wires.resistanceOhms = 2000 }
        #expect(failed(wires).contains(Self.penalty), "2 kOhm segments: \(failed(wires)), penalty \(wires.analoguePenaltyBits)")
        // Stopped at a tenth of the predicted settling: the outputs are read before they settle.
        let settle = try #require(nominal.prediction.settlingSeconds)
        let short = try await solve { $0.plan.stopTime = settle / 10 }
        #expect(!short.passed, "stopped at \(settle / 10) s: \(failed(short))")
        #expect(failed(short).contains(Self.penalty), "\(failed(short))")
    }
}

@Suite("Error attribution")
struct AttributionTests {
    let engine = SharedEngine.engine

    func options(ron: Double = 0.02, compensated: Bool = true) -> SolveSpecification {
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .transistor), analysis: .tran)
        options.design.transistor = TransistorDesign(technology: .generic(),
                                                     cell: SwitchedCellParameters(onResistanceFraction: ron, compensateOnResistance: compensated),
                                                     converters: .ideal)
        options.design.fitUnitConductance = true
        options.plan.attribution = true
        return options
    }

    @Test("8x8 at transistor level: the terms add up to within 2x of the total; undersized switches are the largest term")
    func terms() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 41))
        let nominal = try await Verifier.solve(problem, options(), engine: engine)
        let sources = Set(nominal.attribution.map(\.source))
        #expect(sources == ["cell quantisation", "DAC", "finite gain", "ADC", "switch on-resistance", "incomplete settling"], "\(sources)")
        let sum = nominal.attribution.map(\.relativeError).reduce(0, +)
        let total = nominal.solution.minus(nominal.prediction.references.ideal).norm2 / nominal.prediction.references.ideal.norm2
        #expect(sum >= total / 2 && sum <= 2 * total, "terms sum to \(sum), total \(total)")
        // An exact term is what the references say: quantisation is A_q^-1 b against A^-1 b.
        let quantisation = try #require(nominal.attribution.first { $0.source == "cell quantisation" })
        let references = nominal.prediction.references
        #expect(abs(quantisation.relativeError - references.quantised.minus(references.ideal).norm2 / references.ideal.norm2) <= 1e-12)
        let bad = try await Verifier.solve(problem, options(ron: 0.3, compensated: false), engine: engine)
        let largest = try #require(bad.attribution.max { $0.relativeError < $1.relativeError })
        #expect(largest.source == "switch on-resistance", "\(bad.attribution.map { "\($0.source) \($0.relativeError)" })")
        #expect(!bad.passed)
    }
}

@Suite("Tolerances from the devices")
struct DeviceToleranceTests {
    let engine = SharedEngine.engine

    func options(ron: Double = 0.02, compensated: Bool = true, wireOhms: Double = 0) -> SolveSpecification {
        var options = AttributionTests().options(ron: ron, compensated: compensated)
        options.design.circuit.wires.resistanceOhms = wireOhms
        return options
    }

    func attributed(_ verdict: Verdict, _ source: String) throws -> Double {
        try #require(verdict.attribution.first { $0.source == source }).relativeError
    }

    @Test("the switch term is what the cells as measured do to the answer: within 2x of the switches' error re-simulated, nominal and undersized")
    func switchTerm() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 43))
        for (ron, compensated) in [(0.02, true), (0.3, false)] {
            let verdict = try await Verifier.solve(problem, options(ron: ron, compensated: compensated), engine: engine)
            let devices = try #require(verdict.prediction.deviceErrors)
            #expect(devices.switchMeasured)
            let cell = try #require(verdict.options.design.cellAsLaid)
            #expect(cell.levelSiemens.count == 16)
            let simulated = try attributed(verdict, "switch on-resistance")
            print("switch term R_on \(ron) compensated \(compensated): measured cells \(devices.switchResistance), re-simulated \(simulated)")
            #expect(devices.switchResistance >= simulated / 2 && devices.switchResistance <= 2 * simulated,
                    "R_on \(ron): switch term \(devices.switchResistance), the switches' own error \(simulated)")
        }
    }

    @Test("the wire term from the netlist is within 0.5x to 5x of the wires' error re-simulated; with it, long lines agree with their devices")
    func wireTerm() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(8, seed: 44))
        for ohms in [20.0, 200.0] {
            let verdict = try await Verifier.solve(problem, options(wireOhms: ohms), engine: engine)
            let devices = try #require(verdict.prediction.deviceErrors)
            let simulated = try attributed(verdict, "wire R and C")
            print("wire term at \(ohms) Ohm: \(devices.wires), re-simulated \(simulated)")
            // Every drive at full swing and every line loaded alike: a bound, to first order.
            #expect(devices.wires >= simulated / 2 && devices.wires <= 5 * simulated, "\(ohms) Ohm: wire term \(devices.wires), the wires' own error \(simulated)")
            let agreement = try #require(verdict.checks.first { $0.name == "agreement with the finite-gain circuit reference" })
            #expect(agreement.status == .passed, "\(agreement.detail)")
        }
        // Without the wire term in its tolerance, the 200-ohm design would be judged against the switches alone.
        let without = try await Verifier.solve(problem, options(wireOhms: 200), engine: engine)
        let devices = try #require(without.prediction.deviceErrors)
        let limit = 2 * (devices.switchResistance + devices.offset + pow(2, -Double(without.options.bitsForSettling)))
        #expect(without.circuitAgreement.relativeError > limit, "the wires' share: \(without.circuitAgreement.relativeError) against \(limit) without them")
    }
}
