import Characterization
import Reports
import Verification
import Specification
import Foundation

/// The sweep's HTML report, built with the shared report writer (`HTMLReport`, `LinePlot`):
/// the yield and distributions, histograms of equivalent bits, relative error, settling time
/// and energy, scatter plots of the bits against every numeric variable, tables per grid
/// point and per variable value, and the worst runs with their seeds. Like every report, a
/// pure function of the rows: a local run and a collected SLURM run give the same page.
enum SweepHTML {
    static func page(_ s: SweepStatistics) -> String {
        report(s).html()
    }

    static func report(_ s: SweepStatistics) -> HTMLReport {
        var sections: [HTMLReport.Section] = []
        let spec = s.spec
        let y = s.overall.yield
        let tolerance = spec.toleranceBits.map { "\(significant($0, 3)) equivalent bits against the ideal answer" }
            ?? "each grid point's nominal tolerance from the error model"
        var summary: [HTMLReport.Block] = [
            .status(passed: y.passed == y.total,
                    text: "Yield \(percent(y.fraction)) (\(y.passed) of \(y.total) runs; 95 % interval \(percent(y.interval.low)) to \(percent(y.interval.high)))"),
            .keyValues([
                .init("sweep", spec.name),
                .init("master seed", String(spec.seed)),
                .init("runs", "\(s.rows.count) of \(spec.runCount): \(spec.gridPoints.count) grid points x \(spec.samples) samples x \(spec.reads) reads"),
                .init("pass criterion", "\(tolerance), and a settled transient (.tran)"),
                .init("failed or refused runs", String(s.overall.failed)),
                .init("variables", spec.variables.isEmpty ? "none" : spec.variables.map { "\($0.name) (\(domainText($0.domain)))" }.joined(separator: ", ")),
                .init("fixed knobs", spec.knobs.isEmpty ? "defaults" : spec.knobs.map { "\($0.0) = \(valueText($0.1))" }.joined(separator: ", ")),
            ]),
        ]
        summary.append(.table(header: ["quantity", "mean", "sigma", "min", "p05", "median", "p95", "max"],
                              rows: distributionRows(s.overall), caption: "All runs. Every verdict is judged against the nominal design's references."))
        if !s.overall.entryErrorSigma.isEmpty {
            summary.append(.paragraph("Sigma of each output's error against the ideal solution, in the solution's units: "
                + s.overall.entryErrorSigma.map { scientific($0, 3) }.joined(separator: ", ")))
        }
        sections.append(.init("Summary", summary))

        var histograms: [HTMLReport.Block] = []
        let groups = s.points.count > 1 && s.points.count <= 6 ? s.points : []
        func histogram(_ key: String, _ title: String, _ label: String, markers: [PlotMarker] = []) {
            let all = s.rows.compactMap { $0[key]?.numberValue }.filter(\.isFinite)
            guard all.count >= 2 else { return }
            let edges = binEdges(all)
            var series = [step("all runs", edges: edges, values: all)]
            for (k, g) in groups.enumerated() {
                let members = s.rows.filter { Int($0["point"]?.numberValue ?? -1) == k }.compactMap { $0[key]?.numberValue }
                series.append(step(g.label.map { "\($0.0)=\(valueText($0.1))" }.joined(separator: " "), edges: edges, values: members))
            }
            histograms.append(.plot(LinePlot(title: title, xLabel: label, yLabel: "runs", series: series, markers: markers)))
        }
        let toleranceMarker = spec.toleranceBits.map { [PlotMarker(.vertical, at: $0, label: "tolerance")] } ?? []
        histogram("equivalentBits", "Equivalent bits against the ideal answer", "equivalent bits", markers: toleranceMarker)
        histogram("relativeError", "Relative error |x_hat - x| / |x|", "relative error")
        histogram("settlingSeconds", "Settling time", "seconds")
        histogram("energyJoules", "Energy per solve (amplifier power x settling time)", "joules")
        if !histograms.isEmpty { sections.append(.init("Histograms", histograms)) }

        var scatters: [HTMLReport.Block] = []
        for variable in spec.variables {
            var x: [Double] = [], yBits: [Double] = []
            for row in s.rows {
                guard let v = row["variables"]?[variable.name]?.numberValue, let b = row["equivalentBits"]?.numberValue else { continue }
                x.append(v); yBits.append(b)
            }
            guard Set(x).count > 1 else { continue }
            scatters.append(.plot(LinePlot(title: "Equivalent bits against \(variable.name)", xLabel: variable.name, yLabel: "equivalent bits",
                                           series: [PlotSeries("runs", x: x, y: yBits, style: .points)], markers: markersFlat(toleranceMarker))))
        }
        let settling = s.rows.compactMap { row -> (Double, Double)? in
            guard let t = row["settlingSeconds"]?.numberValue, let b = row["equivalentBits"]?.numberValue else { return nil }
            return (t, b)
        }
        if settling.count > 1 {
            scatters.append(.plot(LinePlot(title: "Equivalent bits against settling time", xLabel: "settling time, s", yLabel: "equivalent bits",
                                           series: [PlotSeries("runs", x: settling.map(\.0), y: settling.map(\.1), style: .points)])))
        }
        let stuck = s.rows.compactMap { row -> (Double, Double)? in
            guard let on = row["stuckOn"]?.numberValue, let off = row["stuckOff"]?.numberValue, let b = row["equivalentBits"]?.numberValue else { return nil }
            return (on + off, b)
        }
        if Set(stuck.map(\.0)).count > 1 {
            scatters.append(.plot(LinePlot(title: "Equivalent bits against stuck cells", xLabel: "stuck cells (on + off)", yLabel: "equivalent bits",
                                           series: [PlotSeries("runs", x: stuck.map(\.0), y: stuck.map(\.1), style: .points)])))
        }
        if !scatters.isEmpty { sections.append(.init("Scatter plots", scatters)) }

        if s.points.count > 1 {
            let rows = s.points.map { p -> [String] in
                [p.label.map { "\($0.0)=\(valueText($0.1))" }.joined(separator: " "), String(p.runs), String(p.failed), percent(p.yield.fraction),
                 p.equivalentBits.map { significant($0.mean, 3) } ?? "-", p.equivalentBits.map { significant($0.sigma, 3) } ?? "-", p.equivalentBits.map { significant($0.p05, 3) } ?? "-",
                 p.relativeError.map { scientific($0.sigma, 3) } ?? "-", p.settlingSeconds.map { scientific($0.median, 3) } ?? "-", p.settlingSeconds.map { scientific($0.p95, 3) } ?? "-",
                 p.energyJoules.map { scientific($0.median, 3) } ?? "-"]
            }
            sections.append(.init("Per grid point", [.table(
                header: ["values", "runs", "failed", "yield", "bits mean", "bits sigma", "bits p05", "rel. error sigma", "settling median, s", "settling p95, s", "energy median, J"],
                rows: rows, caption: nil)]))
        }
        for (variable, groups) in s.marginals {
            let rows = groups.map { g -> [String] in
                [g.label.first.map { valueText($0.1) } ?? "", String(g.runs), percent(g.yield.fraction),
                 g.equivalentBits.map { significant($0.mean, 3) } ?? "-", g.equivalentBits.map { significant($0.sigma, 3) } ?? "-",
                 g.settlingSeconds.map { scientific($0.median, 3) } ?? "-", g.energyJoules.map { scientific($0.median, 3) } ?? "-"]
            }
            sections.append(.init("By \(variable)", [.table(header: [variable, "runs", "yield", "bits mean", "bits sigma", "settling median, s", "energy median, J"],
                                                            rows: rows, caption: "Every run with this value, over the other variables and the samples.")]))
        }
        if !s.worst.isEmpty {
            let rows = s.worst.map { w -> [String] in
                [String(Int(w["run"]?.numberValue ?? -1)), String(Int(w["sample"]?.numberValue ?? -1)), String(Int64(w["seed"]?.numberValue ?? -1)),
                 w["variables"]?.objectMembers?.map { "\($0.0)=\(valueText($0.1))" }.joined(separator: " ") ?? "",
                 w["status"]?.stringValue ?? "", w["equivalentBits"]?.numberValue.map { significant($0, 3) } ?? "-", w["relativeError"]?.numberValue.map { scientific($0, 3) } ?? "-",
                 w["message"]?.stringValue ?? ""]
            }
            sections.append(.init("Worst runs", [
                .table(header: ["run", "sample", "seed", "variables", "status", "bits", "rel. error", "message"], rows: rows,
                       caption: "A run is reproduced from the sweep file and its run index: the sample's seed derives from the master seed."),
            ]))
        }
        sections.append(.init("Text summary", [.preformatted(s.text)]))
        return HTMLReport(title: "Crossloop sweep: \(spec.name)", byline: "\(spec.runCount) runs, master seed \(spec.seed)", sections: sections)
    }

    static func markersFlat(_ m: [PlotMarker]) -> [PlotMarker] { m.map { PlotMarker(.horizontal, at: $0.value, label: $0.label) } }

    /// Bin edges: the Freedman-Diaconis width, kept between 5 and 40 bins.
    static func binEdges(_ values: [Double]) -> [Double] {
        let x = values.sorted()
        let lo = x.first!, hi = x.last!
        guard hi > lo else { return [lo - 0.5, lo + 0.5] }
        let d = Distribution(x)
        let iqr = (d?.p75 ?? hi) - (d?.p25 ?? lo)
        var bins = iqr > 0 ? Int(((hi - lo) / (2 * iqr / pow(Double(x.count), 1.0 / 3))).rounded(.up)) : 10
        bins = min(max(bins, 5), 40)
        let width = (hi - lo) / Double(bins)
        return (0...bins).map { lo + Double($0) * width }
    }

    /// A histogram outline over `edges` as a polyline.
    static func step(_ name: String, edges: [Double], values: [Double]) -> PlotSeries {
        let bins = edges.count - 1
        var counts = [Double](repeating: 0, count: bins)
        let lo = edges[0], width = (edges[bins] - lo) / Double(bins)
        for v in values where v.isFinite {
            let k = min(max(Int(((v - lo) / width).rounded(.down)), 0), bins - 1)
            counts[k] += 1
        }
        var xs: [Double] = [edges[0]], ys: [Double] = [0]
        for k in 0..<bins {
            xs += [edges[k], edges[k + 1]]
            ys += [counts[k], counts[k]]
        }
        xs.append(edges[bins]); ys.append(0)
        return PlotSeries(name, x: xs, y: ys)
    }

    static func distributionRows(_ g: GroupStatistics) -> [[String]] {
        var rows: [[String]] = []
        func add(_ name: String, _ d: Distribution?, _ format: (Double) -> String) {
            guard let d else { return }
            rows.append([name, format(d.mean), format(d.sigma), format(d.minimum), format(d.p05), format(d.median), format(d.p95), format(d.maximum)])
        }
        add("equivalent bits", g.equivalentBits) { significant($0, 3) }
        add("relative error", g.relativeError) { scientific($0, 3) }
        add("settling time, s", g.settlingSeconds) { scientific($0, 3) }
        add("energy per solve, J", g.energyJoules) { scientific($0, 3) }
        return rows
    }

    static func domainText(_ d: VariableDomain) -> String {
        switch d {
        case .values(let v): return v.map(valueText).joined(separator: ", ")
        case let .range(from, to, steps, log): return "\(steps) values \(significant(from, 6))...\(significant(to, 6))\(log ? ", log" : "")"
        case let .normal(mean, sigma): return "normal, mean \(significant(mean, 6)), sigma \(significant(sigma, 6))"
        case let .uniform(lo, hi): return "uniform \(significant(lo, 6))...\(significant(hi, 6))"
        }
    }

    static func valueText(_ v: JSONValue) -> String {
        switch v {
        case .number(let x): return significant(x, 6)
        case .string(let s): return s
        default: return v.line()
        }
    }

}
