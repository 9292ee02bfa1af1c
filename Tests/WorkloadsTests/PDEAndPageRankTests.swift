import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Testing
import Verification
@testable import Workloads

@Suite("PDE workloads on the real engine")
struct PDETests {
    @Test("the finite-difference matrices")
    func matrices() throws {
        let p = PDEMatrices.poisson2D(3)
        #expect(p.rows == 9 && p.isSymmetric)
        #expect(p[4, 4] == 4 && p[4, 1] == -1 && p[4, 3] == -1 && p[2, 3] == 0)
        let h = PDEMatrices.heatStep(dimensions: 1, points: 4, r: 0.5)
        #expect(h[0, 0] == 2 && h[0, 1] == -0.5 && h[0, 2] == 0)
    }

    @Test("heat equation, 128 points over 5 steps by RBI: every step within the accumulated bound")
    func heat() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let r = try await PDEWorkload.heat(dimensions: 1, points: 128, r: 0.5, steps: 5, core: core, schur: .analogue)
        print("heat: errors \(r.relativeErrors), bounds \(r.predictedErrors)")
        #expect(r.levels == 1)
        #expect(r.solveCounts.inv == 5 * 3)
        // A12 of a tridiagonal matrix has one non-zero column: one column solve forms S.
        #expect(r.setupCounts.inv == 1)
        #expect(r.withinBound)
        #expect((r.relativeErrors.last ?? 1) < 0.05)
    }

    @Test("2-D Poisson on one array, within the bound; 1-D Poisson larger than a tile through RBI")
    func poisson() async throws {
        let core = try AnalogueCore(options: .workload(cellBits: 8), pool: SharedPool.pool)
        let r = try await PDEWorkload.poisson(dimensions: 2, points: 8, core: core, schur: .analogue)
        #expect(r.levels == 0 && r.solveCounts.inv == 1)
        #expect(r.withinBound)
        #expect(r.relativeError < 0.05)
        let tiles = try AnalogueCore(resources: ChipResources(arraySize: 16), options: .workload(cellBits: nil), pool: SharedPool.pool)
        let big = try await PDEWorkload.poisson(dimensions: 1, points: 40, core: tiles, schur: .digital)
        #expect(big.levels == 2)
        #expect(big.withinBound, "error \(big.relativeError), bound \(big.predictedError)")
    }
}

@Suite("PageRank on the real engine")
struct PageRankTests {
    @Test("the Google matrix is column-stochastic and power iteration matches LAPACK's eigenvector")
    func googleMatrix() throws {
        var random = SeededGenerator(seed: 9)
        let graph = WebGraph.preferentialAttachment(pages: 20, random: &random)
        let g = graph.googleMatrix(damping: 0.85)
        for j in 0..<20 { #expect(abs(g.column(j).reduce(0, +) - 1) < 1e-12) }
        let power = graph.powerIteration(damping: 0.85)
        let eigen = try Mapping.exactSolution(operation: .eig, matrix: g, vector: [])
        let sum = eigen.reduce(0, +)
        #expect(power.minus(eigen.map { $0 / sum }).normInfinity < 1e-10)
    }

    @Test("30 pages on the EIG circuit: the top 10 in the exact order")
    func ranking() async throws {
        let options = SolveSpecification.workload(cellBits: 8, fidelity: .behavioral, analysis: .tran)
        let core = try AnalogueCore(options: options, pool: SharedPool.pool)
        let (graph, _) = try #require(WebGraph.synthetic(pages: 30, damping: 0.85, resolvableTop: 10, minimumGap: 0.02, seed: 1))
        let r = try await PageRankWorkload.run(graph: graph, damping: 0.85, topK: 10, core: core)
        print("pagerank: error \(r.relativeError), budget \(r.predictedError), gap \(r.smallestTopGap)")
        #expect(r.smallestTopGap >= 0.02)
        #expect(r.topKAgrees, "analogue \(r.analogueRanking.prefix(10)) vs exact \(r.exactRanking.prefix(10))")
        #expect(abs(r.analogue.reduce(0, +) - 1) < 1e-12)
        #expect(core.totalCounts().eig == 1)
    }
}
