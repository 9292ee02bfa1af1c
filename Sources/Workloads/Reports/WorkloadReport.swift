import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Verification

/// A number a workload reports, with its unit and meaning.
public struct ReportMetric: Sendable, Hashable {
    public var name: String
    public var value: Double
    public var unit: String
    public var description: String

    public init(_ name: String, _ value: Double, _ unit: String = "", _ description: String) {
        self.name = name; self.value = value; self.unit = unit; self.description = description
    }

    /// The value for people: SI prefixes for units, up to four significant digits otherwise.
    public var formatted: String {
        if unit.isEmpty || unit == "bit" || unit == "%" {
            let text = Markup.compact(value)
            return unit.isEmpty ? text : "\(text) \(unit)"
        }
        return engineering(value, unit: unit)
    }
}

/// A table of a report.
public struct ReportTable: Sendable, Hashable {
    public var title: String
    public var header: [String]
    public var rows: [[String]]
    public init(_ title: String, header: [String], rows: [[String]]) {
        self.title = title; self.header = header; self.rows = rows
    }
}

/// Everything a workload run reports: the verdict against its accuracy target, the numbers,
/// the figures, the operation counts per phase and every parameter used. One value renders
/// as text (the CLI), as a self-contained HTML page and as JSON, so all three carry the same data.
public struct WorkloadReport: Sendable {
    /// Short name: rbi, refine, kalman, ik, heat, poisson, pagerank.
    public var workload: String
    public var title: String
    /// Whether the accuracy target was met.
    public var passed: Bool
    /// The accuracy target as a sentence.
    public var target: String
    /// The result in a few lines.
    public var headline: [String]
    public var metrics: [ReportMetric]
    /// Every value used: workload, chip, mapping, design.
    public var parameters: [DesignValue]
    public var counts: [(phase: String, counts: OperationCounts)]
    public var figures: [LinePlot]
    public var tables: [ReportTable]
    /// Remarks: how a figure was made, what the error model leaves out.
    public var notes: [String]
    /// Raw series for JSON (the data behind the figures and more).
    public var data: [(String, JSONValue)]

    public init(workload: String, title: String, passed: Bool, target: String, headline: [String] = [],
                metrics: [ReportMetric] = [], parameters: [DesignValue] = [],
                counts: [(phase: String, counts: OperationCounts)] = [], figures: [LinePlot] = [],
                tables: [ReportTable] = [], notes: [String] = [], data: [(String, JSONValue)] = []) {
        self.workload = workload; self.title = title; self.passed = passed; self.target = target
        self.headline = headline; self.metrics = metrics; self.parameters = parameters; self.counts = counts
        self.figures = figures; self.tables = tables; self.notes = notes; self.data = data
    }

    // MARK: Text

    /// The readable output of `crossloop run`: result, counts and every parameter.
    public func text() -> String {
        var lines = ["\(title): \(passed ? "PASS" : "FAIL")", "  target    \(target)"]
        lines += headline.map { "  \($0)" }
        if !metrics.isEmpty {
            lines.append("metrics")
            let width = metrics.map(\.name.count).max() ?? 0
            for m in metrics {
                lines.append("  \(m.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(m.formatted)  \(m.description)")
            }
        }
        for table in tables where table.rows.count <= 40 {
            lines.append(table.title)
            lines += WorkloadReport.align([table.header] + table.rows).map { "  \($0)" }
        }
        if !counts.isEmpty {
            lines.append("operations" + (counts.count > 1 ? " (by phase)" : ""))
            let header = ["count"] + counts.map(\.phase)
            let names = OperationCounts().rows.map(\.0)
            let phases = counts.map(\.counts.rows)
            let rows = names.indices.map { k in [names[k]] + phases.map { $0[k].1 } }
            lines += WorkloadReport.align([header] + rows).map { "  \($0)" }
        }
        lines.append("parameters")
        lines += parameters.formattedLines().map { "  \($0)" }
        lines += notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func align(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    // MARK: HTML

    /// A self-contained page (inline SVG, no scripts, no external assets).
    public func html(byline: String?) -> String {
        var sections: [HTMLReport.Section] = []
        var summary: [HTMLReport.Block] = [.status(passed: passed, text: "\(passed ? "PASS" : "FAIL"): \(target)")]
        summary += headline.map { .paragraph($0) }
        if !metrics.isEmpty {
            summary.append(.table(header: ["metric", "value", "meaning"],
                                  rows: metrics.map { [$0.name, $0.formatted, $0.description] }, caption: nil))
        }
        sections.append(HTMLReport.Section("Result", summary))
        if !figures.isEmpty { sections.append(HTMLReport.Section("Figures", figures.map { .plot($0) })) }
        for table in tables {
            sections.append(HTMLReport.Section(table.title, [.table(header: table.header, rows: table.rows, caption: nil)]))
        }
        if !counts.isEmpty {
            let names = OperationCounts().rows
            let phases = counts.map(\.counts.rows)
            let rows = names.indices.map { k in [names[k].0] + phases.map { $0[k].1 } + [names[k].2] }
            sections.append(HTMLReport.Section("Operations", [
                .paragraph("Analogue primitives, conversions, digital glue and array programming, by phase. Energy per operation is not published for the reference chip: multiply these counts by your technology's figures."),
                .table(header: ["count"] + counts.map(\.phase) + ["meaning"], rows: rows, caption: nil)]))
        }
        sections.append(HTMLReport.Section("Parameters", [
            .table(header: ["name", "value", "meaning"],
                   rows: parameters.map { [$0.name, $0.formatted, $0.description] }, caption: nil)]))
        if !notes.isEmpty { sections.append(HTMLReport.Section("Notes", notes.map { .paragraph($0) })) }
        return HTMLReport(title: title, byline: byline, sections: sections).html()
    }

    // MARK: JSON

    public func json(crossloopVersion: String) -> JSONValue {
        func plot(_ p: LinePlot) -> JSONValue {
            .object([
                ("title", .string(p.title)), ("xLabel", .string(p.xLabel)), ("yLabel", .string(p.yLabel)),
                ("xScale", .string(p.xScale.rawValue)), ("yScale", .string(p.yScale.rawValue)),
                ("series", .array(p.series.map { s in
                    .object([("name", .string(s.name)), ("x", .numbers(s.x)), ("y", .numbers(s.y))])
                })),
                ("markers", .array(p.markers.map { m in
                    .object([("orientation", .string(m.orientation.rawValue)), ("value", .number(m.value)), ("label", .string(m.label))])
                })),
            ])
        }
        func counts(_ c: OperationCounts) -> JSONValue {
            .object([
                ("inv", .number(Double(c.inv))), ("mvm", .number(Double(c.mvm))), ("eig", .number(Double(c.eig))),
                ("skippedZero", .number(Double(c.skippedZero))),
                ("dacConversions", .number(Double(c.dacConversions))), ("adcConversions", .number(Double(c.adcConversions))),
                ("digitalAdds", .number(Double(c.digitalAdds))), ("digitalMultiplies", .number(Double(c.digitalMultiplies))),
                ("digitalDivides", .number(Double(c.digitalDivides))),
                ("arrayProgrammings", .number(Double(c.arrayProgrammings))), ("cellsWritten", .number(Double(c.cellsWritten))),
                ("residentHits", .number(Double(c.residentHits))),
                ("analogueSeconds", .number(c.analogueSeconds)), ("simulatorSeconds", .number(c.simulatorSeconds)),
                ("failedPrimitiveChecks", .number(Double(c.failedChecks))),
            ])
        }
        return .object([
            ("crossloopVersion", .string(crossloopVersion)),
            ("workload", .string(workload)),
            ("title", .string(title)),
            ("passed", .bool(passed)),
            ("target", .string(target)),
            ("headline", .array(headline.map { .string($0) })),
            ("metrics", .array(metrics.map { m in
                .object([("name", .string(m.name)), ("value", .number(m.value)), ("unit", .string(m.unit)),
                         ("description", .string(m.description))])
            })),
            ("operations", .object(self.counts.map { ($0.phase, counts($0.counts)) })),
            ("parameters", .array(parameters.map(\.json))),
            ("tables", .array(tables.map { t in
                .object([("title", .string(t.title)), ("header", .array(t.header.map { .string($0) })),
                         ("rows", .array(t.rows.map { .array($0.map { .string($0) }) }))])
            })),
            ("figures", .array(figures.map(plot))),
            ("data", .object(data)),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }
}

// MARK: Shared pieces of the workload reports

extension AnalogueCore {
    /// Every value the core's primitives use: the chip, every knob of their specification,
    /// the op-amp models they make and the engines.
    public var parameterValues: [DesignValue] {
        // At transistor level a primitive's specification is what the hardware made of the
        // core's: the OTA as measured, the swing it allows, G0 as fitted (the first sample's).
        let used = options.design.circuit.fidelity == .transistor ? sampledOptions ?? options : options
        let m = used.design.mapping
        var values = resources.designValues + used.parameterValues(in: [.design, .plan])
        values.append(DesignValue("mapping.headroom", m.outputHeadroom, "", "largest output as a fraction of min(swing, ADC full scale)"))
        values += used.design.circuit.designValues(swingVolts: m.opAmpSwingVolts)
        if let transistor = used.design.transistor, used.design.circuit.fidelity == .transistor {
            values += transistor.designValues
            if let measured = used.design.measuredOpAmp {
                values += [DesignValue("ota.measured.dcGain", measured.dcGain, "V/V", "loop OTA as simulated: DC gain"),
                           DesignValue("ota.measured.gbw", measured.gainBandwidthHertz, "Hz", "loop OTA as simulated: gain-bandwidth"),
                           DesignValue("ota.measured.phaseMargin", measured.phaseMarginDegrees, "deg", "loop OTA as simulated: phase margin"),
                           DesignValue("ota.measured.offset", measured.offsetVolts, "V", "loop OTA as simulated: input offset")]
            }
        }
        values.append(DesignValue("engines", Double(pool.size), "", "ngspice engines simulating independent primitives in parallel"))
        return values
    }
}

enum ReportFigures {
    /// The transient of one primitive's loop outputs with the predicted settling (or growth)
    /// time marked, and a sentence on how it was obtained.
    static func waveform(_ core: AnalogueCore, kind: PrimitiveKind) async -> (LinePlot?, String) {
        let (sample, reason) = await core.waveformSample(kind)
        guard let sample else { return (nil, "No waveform: \(reason ?? "none recorded").") }
        let w = sample.waveforms
        let shown = min(w.nodes.count, 8)
        let micro = 1e6
        let series = (0..<shown).map { k in
            PlotSeries("v(\(w.nodes[k]))", x: w.time.map { $0 * micro }, y: w.values[k])
        }
        var markers = [PlotMarker(.vertical, at: w.start * micro, label: kind == .eig ? "kick" : "inputs applied")]
        if let predicted = sample.predictedSeconds {
            markers.append(PlotMarker(.vertical, at: (w.start + predicted) * micro,
                                      label: kind == .eig ? "predicted growth to half swing" : "predicted settling"))
        }
        let what = kind == .eig ? "EIG loop outputs" : "\(kind.rawValue.uppercased()) loop outputs"
        let plot = LinePlot(title: "\(what): \(sample.label)" + (shown < w.nodes.count ? " (\(shown) of \(w.nodes.count))" : ""),
                            xLabel: "time (us)", yLabel: "output (V about the reference)", series: series, markers: markers)
        var note = "Waveforms of \(sample.label) at \(sample.fidelity.rawValue) fidelity"
        if sample.probe {
            note += ": the workload ran without a transient (ideal fidelity or .op has no dynamics), so this primitive was simulated once more at behavioural fidelity with a .tran for this figure (not counted in the operations)"
        }
        if let predicted = sample.predictedSeconds {
            note += String(format: "; predicted %@ %@", kind == .eig ? "growth" : "settling", engineering(predicted, unit: "s"))
        }
        if let measured = sample.measuredSeconds { note += ", measured \(engineering(measured, unit: "s"))" }
        return (plot, note + ".")
    }

    static func percent(_ x: Double) -> String { String(format: "%.3g %%", 100 * x) }
    static func g(_ x: Double) -> String { Markup.compact(x) }
}
