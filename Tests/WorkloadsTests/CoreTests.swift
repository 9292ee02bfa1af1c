import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Testing
import Verification
@testable import Workloads

@Suite("Tiled analogue core on the real engine")
struct CoreTests {
    @Test("an INV primitive is a simulated circuit within its error budget, counted with its conversions")
    func invPrimitive() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let a = WorkloadMatrices.spd(16, seed: 11)
        let b = WorkloadMatrices.vector(16, seed: 12)
        let result = try await core.inv(a, b, label: "one")
        let exact = try a.solve(b)
        let error = result.value.minus(exact).norm2 / exact.norm2
        // The budget is first order; the verifier's own tolerance is twice it.
        #expect(error <= 2 * result.predictedRelativeError, "relative error \(error), budget \(result.predictedRelativeError)")
        #expect(abs(error - result.relativeError) <= 1e-9)
        // 8-bit ADC: the answer is ADC codes, so it cannot be better than about half an LSB
        // of the largest output (outputs sit at 0.8 of full scale, 127 codes per side).
        #expect(error >= 0.1 / 127 / 16, "error \(error) is below the ADC's resolution: the ADC is not in the loop")
        let counts = core.totalCounts()
        #expect(counts.inv == 1 && counts.mvm == 0)
        #expect(counts.dacConversions == 16 && counts.adcConversions == 16)
        #expect(counts.arrayProgrammings == 2 && counts.cellsWritten == 2 * 16 * 16)  // arrays P and N
        #expect(counts.analogueSeconds > 0)
        #expect(core.records().count == 1)
    }

    @Test("a resident matrix is not programmed again; a zero input is skipped, not simulated")
    func residencyAndSkipping() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let a = Matrix.wellConditioned(8, seed: 3)
        let results = try await core.inv(a, batch: [WorkloadMatrices.vector(8, seed: 1), Array(repeating: 0, count: 8),
                                                    WorkloadMatrices.vector(8, seed: 2)], label: "batch")
        let counts = core.totalCounts()
        #expect(counts.inv == 2)
        #expect(counts.skippedZero == 1)
        #expect(results[1].skipped && results[1].value == Array(repeating: 0, count: 8))
        #expect(counts.arrayProgrammings == 2 && counts.residentHits == 1)
    }

    @Test("an MVM larger than a tile runs tile by tile, skips zero tiles and adds partial sums digitally")
    func tiledMVM() async throws {
        let resources = ChipResources(arraySize: 16, arrayCount: 2)
        let core = try AnalogueCore(resources: resources, options: .workload(cellBits: 8), pool: SharedPool.pool)
        // 40 x 24 with its bottom-right block zero: row blocks 16, 16, 8; column blocks 16, 8.
        var a = Matrix.wellConditioned(40, seed: 5).submatrix(rows: 0..<40, columns: 0..<24)
        for i in 32..<40 { for j in 16..<24 { a[i, j] = 0 } }
        let x = WorkloadMatrices.vector(24, seed: 6)
        let y = try await core.mvm(a, x, label: "tiled")
        let exact = a * x
        let error = y.value.minus(exact).norm2
        #expect(error <= 2 * y.errorBound, "error \(error), bound \(y.errorBound)")
        let counts = core.totalCounts()
        #expect(counts.mvm == 5)
        #expect(counts.skippedZero == 1)
        // Rows 1-32 add two partial sums each; rows 33-40 have one.
        #expect(counts.digitalAdds == 32)
    }

    @Test("matrices that do not fit, and chips with too few arrays, are refused with what to change")
    func refusals() async throws {
        let small = ChipResources(arraySize: 8, arrayCount: 1)
        let core = try AnalogueCore(resources: small, options: .workload(cellBits: 8), pool: SharedPool.pool)
        await #expect(throws: WorkloadError.self) { try await core.inv(Matrix.identity(9), Array(repeating: 1, count: 9), label: "big") }
        do {
            _ = try await core.inv(Matrix.wellConditioned(4, seed: 1), [1, 2, 3, 4], label: "signed")
            Issue.record("a mixed-sign matrix on one array with the two-array scheme must be refused")
        } catch {
            #expect(error.description.contains("design.sign sign-bit"))
        }
        #expect(throws: WorkloadError.self) { try AnalogueCore(resources: ChipResources(arraySize: 1), options: .workload(cellBits: 8), pool: SharedPool.pool) }
    }

    @Test("symmetric equilibration makes a badly scaled SPD system programmable and accurate")
    func equilibration() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 4), pool: SharedPool.pool)
        // A Kalman-like S: variances 4 m^2 and 0.01 (m/s^2)^2, correlation 0.3.
        let s = try Matrix([[4, 0.3 * 2 * 0.1], [0.3 * 2 * 0.1, 0.01]])
        // Unscaled, the 4-bit cells (step 4/15) round 0.06 and 0.01 to zero: singular.
        do {
            _ = try await core.inv(s, [1, 0], label: "plain")
            Issue.record("the unscaled matrix should round to a singular one")
        } catch {
            guard case .primitive(.inv, _, .mapping(.singularAfterQuantisation)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        let scaled = try await core.inv(s, [1, 0], label: "scaled", equilibrate: true)
        let exact = try s.solve([1, 0])
        let error = scaled.value.minus(exact).norm2 / exact.norm2
        #expect(error <= 2 * scaled.predictedRelativeError, "error \(error), budget \(scaled.predictedRelativeError)")
        #expect(error < 0.1)
        #expect(core.totalCounts().digitalMultiplies > 0)
    }

    @Test("the digital unit counts dense operations")
    func digitalCounts() throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let m = Matrix(rows: 3, columns: 4, repeating: 1)
        _ = core.digital.product(m, [1, 2, 3, 4])
        _ = core.digital.subtract([1, 2], [3, 4])
        let c = core.totalCounts()
        #expect(c.digitalMultiplies == 12 && c.digitalAdds == 9 + 2)
    }
}
