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

/// Transistor-level solves: SRAM-switched cells and Miller OTAs on a real model card.
@Suite("Transistor level end to end")
struct TransistorTests {
    let engine = SharedEngine.engine

    static var sky130Available: Bool { (try? Sky130PDK.locate()) != nil }

    func options(_ technology: Technology, sram: SwitchedCellParameters.SRAMModel = .dc) -> SolveSpecification {
        var options = SolveSpecification(circuit: DesignParameters(fidelity: .transistor), analysis: .tran)
        options.design.transistor = TransistorDesign(technology: technology, cell: SwitchedCellParameters(sram: sram))
        options.design.fitUnitConductance = true
        return options
    }

    func solveAndCheck(_ problem: Problem, _ options: SolveSpecification) async throws -> Verdict {
        let verdict = try await Verifier.solve(problem, options, engine: engine)
        // Against the quantised finite-gain reference (measured A0), within the devices' own
        // first-order terms: switch resistance, offset, settling.
        let devices = try #require(verdict.prediction.deviceErrors)
        let bound = 2 * (devices.combined + pow(2, -Double(options.bitsForSettling)))
        #expect(verdict.circuitAgreement.relativeError <= bound,
                "relative difference \(verdict.circuitAgreement.relativeError) > bound \(bound)")
        #expect(verdict.passed, "\(verdict.checks.filter { $0.status == .failed })")
        return verdict
    }

    @Test("8x8 INV on the generic card: within the error model, with energy and latency")
    func inv8Generic() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.spd(8, seed: 81))
        let verdict = try await solveAndCheck(problem, options(.generic()))
        let energy = try #require(verdict.energy)
        #expect(energy.joulesPerSolve > 0 && energy.latencySeconds > 0)
        #expect(energy.averageWatts > 0.1 * energy.quiescentWatts && energy.averageWatts < 10 * energy.quiescentWatts)
        #expect(energy.digitalFlops == 2.0 / 3.0 * 512 + 128)
        let measured = try #require(verdict.options.design.measuredOpAmp)
        #expect(measured.dcGain > 1000 && measured.gainBandwidthHertz > 10e6)
        #expect(verdict.options.design.circuit.opAmp.dcGain == measured.dcGain, "the predictions use the measured gain")
    }

    @Test("8x8 INV on sky130 tt", .enabled(if: TransistorTests.sky130Available, "the sky130 models are not fetched: run Scripts/fetch-pdk.sh"))
    func inv8Sky130() async throws {
        let technology = try Technology.named("sky130:tt")
        let problem = try Problem(operation: .inv, matrix: TestMatrices.spd(8, seed: 82))
        let verdict = try await solveAndCheck(problem, options(technology))
        #expect(verdict.energy != nil)
    }

    @Test("MVM and GINV run at transistor level on small cases")
    func mvmAndGinv() async throws {
        let mvm = try Problem(operation: .mvm, matrix: TestMatrices.random(6, 6, seed: 83), vector: TestMatrices.vector(6, seed: 84))
        _ = try await solveAndCheck(mvm, options(.generic()))
        let ginv = try Problem(operation: .ginv, matrix: TestMatrices.random(6, 3, seed: 85), vector: TestMatrices.vector(6, seed: 86))
        _ = try await solveAndCheck(ginv, options(.generic()))
    }

    @Test("a 6T latch per bit holds the programmed cells")
    func fullSRAM() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(3, seed: 87))
        let verdict = try await solveAndCheck(problem, options(.generic(), sram: .full))
        #expect(verdict.design.heldVoltages.count > 0)
    }

    @Test("simulated R-2R DACs and SAR ADCs: codes within 1 LSB of an ideal quantiser, energy over settling and conversion")
    func converters() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(3, seed: 89))
        var options = options(.generic())
        options.design.transistor?.converters = .transistor
        let verdict = try await solveAndCheck(problem, options)
        let adc = try #require(verdict.adc)
        #expect(adc.codes.count == 3)
        #expect(adc.worstDifference <= 1, "codes \(adc.codes), ideal \(adc.idealCodes)")
        let energy = try #require(verdict.energy)
        let settling = try #require(verdict.measuredSettlingSeconds)
        #expect(energy.latencySeconds > settling, "latency includes the conversion")
    }

    @Test("G0 is lowered until the op-amps can drive the array")
    func unitConductanceFit() throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.spd(32, seed: 88))
        let prepared = try Verifier.prepare(problem, options(.generic()))
        let devices = try #require(prepared.prediction.deviceErrors)
        let available = try #require(devices.availableOutputAmperes)
        #expect(devices.requiredOutputAmperes <= available / 2 * (1 + 1e-9))
        #expect(prepared.prediction.mapping.unitConductanceSiemens < 10e-6)
    }
}
