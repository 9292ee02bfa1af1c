import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Testing
import Verification
@testable import Workloads

@Suite("Recursive block inversion on the real engine")
struct RBITests {
    @Test("the split keeps whole tiles in A11 and one solve takes 3^levels tile INVs")
    func structure() {
        #expect(BlockInversePlan.splitPoint(128, tile: 64) == 64)
        #expect(BlockInversePlan.splitPoint(256, tile: 64) == 128)
        #expect(BlockInversePlan.splitPoint(192, tile: 64) == 128)
        #expect(BlockInversePlan.splitPoint(100, tile: 64) == 64)
    }

    /// The acceptance system: 128x128 SPD, continuous cells, 8-bit converters, ideal fidelity,
    /// Schur complement formed on the circuit (64 column solves).
    @Test("128x128 SPD at ideal fidelity, analogue Schur complement: within the error model's bound, 3 INVs")
    func spd128() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: nil, converterBits: 8), pool: SharedPool.pool)
        let a = WorkloadMatrices.spd(128, seed: 1)
        let b = WorkloadMatrices.vector(128, seed: 2)
        let (r, seconds) = try await timed { try await RBIWorkload.run(matrix: a, rhs: b, core: core, schur: .analogue) }
        print("RBI 128 analogue Schur: \(String(format: "%.1f", seconds)) s, error \(r.relativeError), bound \(r.predictedError)")
        #expect(r.levels == 1)
        #expect(r.solveCounts.inv == 3 && r.expectedINVPerSolve == 3)
        #expect(r.solveCounts.mvm == 2)
        #expect(r.setupCounts.inv == 64 && r.setupCounts.mvm == 64)
        #expect(r.relativeError <= r.predictedError, "error \(r.relativeError) above the bound \(r.predictedError)")
        // The bound is informative (not vacuous) and the converters are really in the loop:
        // 8-bit outputs cannot give much more than 8 bits.
        #expect(r.predictedError < 0.5)
        #expect(r.equivalentBits < 11, "\(r.equivalentBits) bits from 8-bit converters")
        let schur = try #require(r.schurRecords.first)
        #expect(schur.columnSolves == 64)
        #expect(schur.relativeError <= schur.predictedError)
        #expect(r.levelStatistics.map(\.level) == [0, 1])
        #expect(r.levelStatistics.allSatisfy { $0.maxRelativeError <= $0.maxPredictedError })
        // Every primitive (64 + 3 INVs, 64 + 2 MVMs) passes its own checks.
        expectEveryPrimitivePasses(core.records(), count: 133)
    }

    @Test("256x256 SPD at ideal fidelity, digital Schur complements: within the bound, 9 INVs, 14 tile MVMs")
    func spd256() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: nil, converterBits: 8), pool: SharedPool.pool)
        let a = WorkloadMatrices.spd(256, seed: 3)
        let b = WorkloadMatrices.vector(256, seed: 4)
        let (r, seconds) = try await timed { try await RBIWorkload.run(matrix: a, rhs: b, core: core, schur: .digital) }
        print("RBI 256 digital Schur: \(String(format: "%.1f", seconds)) s, error \(r.relativeError), bound \(r.predictedError)")
        #expect(r.levels == 2)
        #expect(r.solveCounts.inv == 9 && r.expectedINVPerSolve == 9)
        // Top split: A21 and A12 are 128x128, four tiles each; three 128 solves with one tile each way.
        #expect(r.solveCounts.mvm == 4 + 4 + 3 * 2)
        #expect(r.setupCounts.primitives == 0 && r.setupCounts.digitalMultiplies > 0)
        #expect(r.relativeError <= r.predictedError, "error \(r.relativeError) above the bound \(r.predictedError)")
        #expect(r.predictedError < 0.5)
        #expect(r.levelStatistics.map(\.level) == [0, 1, 2])
        #expect(r.levelStatistics.map(\.solves) == [9, 3, 1])
        // Every primitive (9 INVs, 14 tile MVMs) passes its own checks.
        expectEveryPrimitivePasses(core.records(), count: 23)
    }

    @Test("128x128 at behavioural fidelity with transients completes, settles and keeps waveforms")
    func behavioural128() async throws {
        let options = SolveSpecification.workload(cellBits: 8, converterBits: 8, fidelity: .behavioral, analysis: .tran)
        let core = try AnalogueCore(options: options, pool: SharedPool.pool)
        let a = WorkloadMatrices.spd(128, seed: 5)
        let b = WorkloadMatrices.vector(128, seed: 6)
        let (r, seconds) = try await timed { try await RBIWorkload.run(matrix: a, rhs: b, core: core, schur: .digital) }
        print("RBI 128 behavioural .tran: \(String(format: "%.1f", seconds)) s, error \(r.relativeError), bound \(r.predictedError)")
        #expect(r.solveCounts.inv == 3)
        #expect(r.relativeError <= r.predictedError)
        let records = core.records()
        let invs = records.filter { $0.kind == .inv }, mvms = records.filter { $0.kind == .mvm }
        #expect(invs.count == 3 && mvms.count == 2 && records.count == 5, "\(records.map(\.label))")
        // Every INV primitive passes its own checks (accuracy, range, stability, settling).
        expectEveryPrimitivePasses(invs, count: 3)
        // Known, and asserted as such: a behavioural MVM tile with 8-bit cells gets
        // G_f ~ 560 G0 (~180 Ohm), close to the op-amp's 50 Ohm output resistance, which
        // neither the finite-gain reference nor the budget models. Both tiles (A21 y1 and
        // A12 x2) miss their accuracy check, today by 2.7 and 3.0 equivalent bits against a
        // tolerance of 3.3, and their penalty against digital at the same precision, and nothing else: stability, range and settling pass. Their error
        // still stays under 5 budgets (0.16 and 0.12 against budgets of 0.046 and 0.047), and
        // the RBI answer inside its bound (above). When this changes, for better or worse,
        // this test says so.
        let failed = mvms.filter { !$0.passed }
        print("RBI 128 behavioural: \(failed.count) of \(mvms.count) MVM tiles fail their own checks: "
              + failed.map { "\($0.label): error \($0.relativeError), budget \($0.predictedError), \($0.failedChecks)" }.joined(separator: "; "))
        #expect(failed.count == 2, "expected both MVM tiles to miss their accuracy check (the known output-resistance limit), got \(failed.count)")
        for record in failed {
            // The same error fails the penalty against a digital solver at the same precision.
            #expect(record.failedChecks.count == 2 && record.failedChecks[0].hasPrefix("accuracy against the ideal solution")
                    && record.failedChecks[1].hasPrefix("penalty against a digital solver"),
                    "\(record.label) fails more than its accuracy and penalty checks: \(record.failedChecks)")
            #expect(record.relativeError < 5 * record.predictedError,
                    "\(record.label): error \(record.relativeError) beyond 5 x its budget \(record.predictedError)")
        }
        let (sample, _) = await core.waveformSample(.inv)
        let wave = try #require(sample)
        #expect(!wave.probe && wave.fidelity == .behavioral)
        #expect(wave.waveforms.nodes.count == 64 && wave.waveforms.time.count > 50)
        #expect(try #require(wave.measuredSeconds) <= 2 * (try #require(wave.predictedSeconds)))
    }
}

/// Every primitive of a workload passed every check of its verdict (accuracy against the
/// ideal solution within its tolerance, range, stability, settling), and there were `count`.
func expectEveryPrimitivePasses(_ records: [PrimitiveRecord], count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(records.count == count, "\(records.count) primitives, expected \(count)", sourceLocation: sourceLocation)
    let failed = records.filter { !$0.passed }
    let listed = failed.prefix(5).map { "\($0.label): \($0.failedChecks)" }.joined(separator: "; ")
    #expect(failed.isEmpty, "\(failed.count) of \(records.count) primitives failed their own checks: \(listed)",
            sourceLocation: sourceLocation)
    // A record that passed lists no failed check, one that failed lists at least one.
    #expect(records.allSatisfy { $0.passed == $0.failedChecks.isEmpty }, sourceLocation: sourceLocation)
}
