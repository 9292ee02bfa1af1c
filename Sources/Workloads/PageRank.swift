import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// A small directed web graph: `links[j]` are the pages page j links to.
public struct WebGraph: Sendable, Hashable, Codable {
    public var links: [[Int]]

    public init(links: [[Int]]) { self.links = links }

    public var pages: Int { links.count }

    /// A seeded preferential-attachment graph: page k links to 1 to `maxOutLinks` other
    /// pages, chosen with probability growing with the square of the links they already
    /// receive, so a few pages collect most of the rank (like the web). No self-links; about
    /// one page in ten has no out-links (dangling).
    public static func preferentialAttachment(pages n: Int, maxOutLinks: Int = 4, random: inout SeededGenerator) -> WebGraph {
        var inDegree = Array(repeating: 1.0, count: n)
        var links = Array(repeating: [Int](), count: n)
        for page in 0..<n {
            if page > 0, random.uniform() < 0.1 { continue }
            let count = min(1 + Int(random.uniform() * Double(maxOutLinks)), n - 1)
            var chosen = Set<Int>()
            while chosen.count < count {
                let total = inDegree.indices.filter { $0 != page && !chosen.contains($0) }.reduce(0.0) { $0 + inDegree[$1] * inDegree[$1] }
                var pick = random.uniform() * total
                for k in inDegree.indices where k != page && !chosen.contains(k) {
                    pick -= inDegree[k] * inDegree[k]
                    if pick <= 0 { chosen.insert(k); break }
                }
                if pick > 0, let last = inDegree.indices.last(where: { $0 != page && !chosen.contains($0) }) { chosen.insert(last) }
            }
            for k in chosen { inDegree[k] += 1 }
            links[page] = chosen.sorted()
        }
        return WebGraph(links: links)
    }

    /// A preferential-attachment graph (``preferentialAttachment(pages:maxOutLinks:random:)``)
    /// whose exact top `resolvableTop` + 1 PageRank scores are at least `minimumGap` of the
    /// largest score apart, so that a circuit with an error below half that gap can order them:
    /// draws again (from the same seeded stream) until one is, at most `maxDraws` times.
    /// - Returns: the graph and the number of draws it took, or nil when none qualified.
    public static func synthetic(pages n: Int, damping: Double, resolvableTop k: Int, minimumGap: Double, seed: UInt64,
                                 maxDraws: Int = 2000) -> (graph: WebGraph, draws: Int)? {
        var random = SeededGenerator(seed: seed)
        for draw in 1...max(1, maxDraws) {
            let graph = preferentialAttachment(pages: n, random: &random)
            if minimumGap <= 0 { return (graph, draw) }
            let scores = graph.powerIteration(damping: damping)
            let top = scores.sorted(by: >).prefix(min(k + 1, n))
            let gap = zip(top, top.dropFirst()).map { $0 - $1 }.min() ?? 0
            if gap >= minimumGap * (top.first ?? 1) { return (graph, draw) }
        }
        return nil
    }

    /// PageRank scores (summing to 1) by power iteration in double precision, to 1e-14.
    public func powerIteration(damping d: Double) -> [Double] {
        let n = pages
        var x = Array(repeating: 1 / Double(n), count: n)
        for _ in 0..<10_000 {
            var next = Array(repeating: 0.0, count: n)
            var dangling = 0.0
            for (j, out) in links.enumerated() {
                if out.isEmpty { dangling += x[j]; continue }
                for i in out { next[i] += d * x[j] / Double(out.count) }
            }
            let spread = (1 - d) / Double(n) + d * dangling / Double(n)
            for i in 0..<n { next[i] += spread }
            let change = zip(next, x).map { abs($0 - $1) }.reduce(0, +)
            x = next
            if change < 1e-14 { break }
        }
        return x
    }

    /// The column-stochastic Google matrix G = d M + (1 - d)/n 1 1^T, M_ij = 1/outdeg(j) for a
    /// link j -> i, a dangling page's column uniform. Its dominant eigenvalue is 1, real,
    /// simple and strictly ahead of the others (|lambda_2| <= d): what the EIG loop needs.
    public func googleMatrix(damping d: Double) -> Matrix {
        let n = Double(pages)
        var g = Matrix(rows: pages, columns: pages, repeating: (1 - d) / n)
        for (j, out) in links.enumerated() {
            if out.isEmpty {
                for i in 0..<pages { g[i, j] += d / n }
            } else {
                for i in out { g[i, j] += d / Double(out.count) }
            }
        }
        return g
    }
}

public struct PageRankResult: Sendable {
    public var graph: WebGraph
    public var damping: Double
    /// Scores summing to 1: from the simulated EIG circuit, and exact (LAPACK eigenvector).
    public var analogue: [Double]
    public var exact: [Double]
    /// Pages by descending score.
    public var analogueRanking: [Int]
    public var exactRanking: [Int]
    public var topK: Int
    /// |analogue - exact| / |exact| (scores).
    public var relativeError: Double
    /// The EIG primitive's error budget (relative, unit vectors).
    public var predictedError: Double
    /// The smallest score difference between consecutive pages of the exact top K + 1,
    /// relative to the largest score: below the predicted error the order is not resolvable.
    public var smallestTopGap: Double

    /// How many of the first `topK` positions hold the same page.
    public var agreeingPositions: Int {
        zip(analogueRanking.prefix(topK), exactRanking.prefix(topK)).filter { $0 == $1 }.count
    }
    public var topKAgrees: Bool { agreeingPositions == topK }
}

/// PageRank as the dominant eigenvector of the Google matrix, by the EIG circuit
/// (behavioural fidelity, a transient: the loop grows the mode from a kick).
public enum PageRankWorkload {
    public static func run(graph: WebGraph, damping: Double, topK: Int, core: AnalogueCore) async throws(WorkloadError)
        -> PageRankResult
    {
        guard damping > 0, damping < 1 else {
            throw .invalidParameter(name: "damping", value: "\(damping)", requirement: "in (0, 1), e.g. 0.85")
        }
        guard graph.pages >= 2, (1...graph.pages).contains(topK) else {
            throw .invalidParameter(name: "topK", value: "\(topK)", requirement: "between 1 and the number of pages (\(graph.pages))")
        }
        let g = graph.googleMatrix(damping: damping)
        let result = try await core.eig(g, label: "pagerank/G")
        let digital = core.digital
        let total = result.value.reduce(0, +)
        digital.count(adds: result.value.count - 1, divides: 1)
        let analogue = digital.scale(result.value, by: 1 / total)
        let exactSum = result.exact.reduce(0, +)
        let exact = result.exact.map { $0 / exactSum }
        func ranking(_ s: [Double]) -> [Int] { s.indices.sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) } }
        let exactRanking = ranking(exact)
        let top = exactRanking.prefix(min(topK + 1, graph.pages)).map { exact[$0] }
        let gap = zip(top, top.dropFirst()).map { $0 - $1 }.min() ?? 0
        return PageRankResult(graph: graph, damping: damping, analogue: analogue, exact: exact,
                              analogueRanking: ranking(analogue), exactRanking: exactRanking, topK: topK,
                              relativeError: analogue.minus(exact).norm2 / exact.norm2,
                              predictedError: result.predictedRelativeError,
                              smallestTopGap: gap / (exact.max() ?? 1))
    }
}
