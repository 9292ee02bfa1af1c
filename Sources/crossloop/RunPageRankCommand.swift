import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Workloads

struct RunPageRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pagerank",
        abstract: "Rank the pages of a small web graph with the EIG circuit.",
        discussion: """
            The Google matrix G = d M + (1 - d)/n 1 1^T of a seeded preferential-attachment \
            graph (redrawn until its exact top --top + 1 scores are --min-gap of the top score \
            apart) on the regenerative EIG loop, which needs behavioural fidelity and a \
            transient. The target: the top --top pages in the exact order. Default cells: 8 bits.

            \(RunOptions.knobHelp)
            """
    )

    @Option(help: ArgumentHelp("Pages, up to one tile.", valueName: "N"))
    var pages: Int = 30

    @Option(help: ArgumentHelp("Damping factor d. Default 0.85.", valueName: "d"))
    var damping: Double = 0.85

    @Option(help: ArgumentHelp("Ranking positions compared.", valueName: "K"))
    var top: Int = 10

    @Option(name: .customLong("min-gap"), help: ArgumentHelp("Redraw the graph until the exact top K + 1 scores are this fraction of the top score apart; 0 takes the first draw. Default 0.02.", valueName: "f"))
    var minGap: Double = 0.02

    @OptionGroup var options: RunOptions

    static let defaults = RunDefaults(cellBits: 8, fidelity: .behavioral, operation: .eig)

    func validate() throws {
        guard pages >= 3, pages <= options.tile else { throw ValidationError("Pass --pages between 3 and the tile size (\(options.tile)).") }
        guard damping > 0, damping < 1 else { throw ValidationError("Pass --damping between 0 and 1, e.g. 0.85.") }
        guard top >= 1, top < pages else { throw ValidationError("Pass --top between 1 and --pages - 1.") }
        guard minGap >= 0, minGap < 1 else { throw ValidationError("Pass --min-gap between 0 and 1.") }
    }

    func run() async throws {
        guard let (graph, draws) = WebGraph.synthetic(pages: pages, damping: damping, resolvableTop: top, minimumGap: minGap,
                                                      seed: options.seed) else {
            throw UsageError("no graph of \(pages) pages in 2000 draws has its top \(top + 1) scores \(minGap) of the top score apart; lower --min-gap or --top")
        }
        let (core, progress) = try options.core(Self.defaults, label: "pagerank")
        let result = try await RunOptions.perform(progress) { () async throws(WorkloadError) in
            try await PageRankWorkload.run(graph: graph, damping: damping, topK: top, core: core)
        }
        try options.finish(await WorkloadReport.pageRank(result, core: core, draws: draws, minimumGap: minGap))
    }
}
