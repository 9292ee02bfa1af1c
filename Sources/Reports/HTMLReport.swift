import Foundation

/// A self-contained HTML page: inline CSS and SVG plots, no scripts, no external assets, so
/// it opens in a browser without network access. The output is also well-formed XML
/// (XHTML serialisation of HTML5), which lets tests parse the whole page.
public struct HTMLReport: Sendable, Hashable {
    /// One piece of a section.
    public enum Block: Sendable, Hashable {
        case paragraph(String)
        /// A table: a header row, rows of cells (already formatted), an optional caption.
        case table(header: [String], rows: [[String]], caption: String?)
        case plot(LinePlot)
        /// Monospaced text, e.g. a command line or a summary.
        case preformatted(String)
        /// Two columns of names and values.
        case keyValues([KeyValue])
        /// A pass/fail line, coloured.
        case status(passed: Bool, text: String)
        /// Horizontal bars, one per labelled value.
        case bars(BarChart)
    }

    public struct KeyValue: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) { self.key = key; self.value = value }
    }

    public struct Section: Sendable, Hashable {
        public var heading: String
        public var blocks: [Block]
        public init(_ heading: String, _ blocks: [Block]) { self.heading = heading; self.blocks = blocks }
    }

    public var title: String
    public var sections: [Section]
    /// A line under the title, e.g. the tool version and the command.
    public var byline: String?

    public init(title: String, byline: String? = nil, sections: [Section] = []) {
        self.title = title; self.byline = byline; self.sections = sections
    }

    /// Every plot on the page, in order.
    public var plots: [LinePlot] {
        sections.flatMap { $0.blocks }.compactMap { if case .plot(let p) = $0 { p } else { nil } }
    }

    static let style = """
        body { font-family: sans-serif; margin: 2em auto; max-width: 60em; color: #222222; line-height: 1.4; }
        h1 { font-size: 1.6em; margin-bottom: 0.2em; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #dddddd; padding-bottom: 0.2em; margin-top: 1.6em; }
        p.byline { color: #666666; margin-top: 0; }
        table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
        th, td { border: 1px solid #d0d0d0; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        caption { caption-side: bottom; color: #666666; font-size: 0.9em; padding-top: 0.3em; }
        pre { background: #f7f7f7; border: 1px solid #e0e0e0; padding: 0.6em; overflow-x: auto; font-size: 0.88em; }
        figure { margin: 0.8em 0; }
        p.pass { color: #0a6b2b; font-weight: bold; }
        p.fail { color: #b00020; font-weight: bold; }
        """

    /// The page.
    public func html() -> String {
        var out: [String] = []
        out.append("<!DOCTYPE html>")
        out.append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">")
        out.append("<head>")
        out.append("<meta charset=\"utf-8\"/>")
        out.append("<title>\(Markup.text(title))</title>")
        out.append("<style>\n\(HTMLReport.style)\n</style>")
        out.append("</head>")
        out.append("<body>")
        out.append("<h1>\(Markup.text(title))</h1>")
        if let byline { out.append("<p class=\"byline\">\(Markup.text(byline))</p>") }
        var plotNumber = 0
        for section in sections {
            out.append("<section>")
            out.append("<h2>\(Markup.text(section.heading))</h2>")
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    out.append("<p>\(Markup.text(text))</p>")
                case .preformatted(let text):
                    out.append("<pre>\(Markup.text(text))</pre>")
                case .status(let passed, let text):
                    out.append("<p class=\"\(passed ? "pass" : "fail")\">\(Markup.text(text))</p>")
                case .keyValues(let pairs):
                    out.append("<table class=\"values\">")
                    for pair in pairs {
                        out.append("<tr><th>\(Markup.text(pair.key))</th><td>\(Markup.text(pair.value))</td></tr>")
                    }
                    out.append("</table>")
                case let .table(header, rows, caption):
                    out.append("<table>")
                    if let caption { out.append("<caption>\(Markup.text(caption))</caption>") }
                    out.append("<thead><tr>" + header.map { "<th>\(Markup.text($0))</th>" }.joined() + "</tr></thead>")
                    out.append("<tbody>")
                    for row in rows {
                        out.append("<tr>" + row.map { cell in
                            let numeric = Double(cell.trimmingCharacters(in: .whitespaces)) != nil
                            return numeric ? "<td class=\"num\">\(Markup.text(cell))</td>" : "<td>\(Markup.text(cell))</td>"
                        }.joined() + "</tr>")
                    }
                    out.append("</tbody>")
                    out.append("</table>")
                case .bars(let chart):
                    out.append("<figure>")
                    out.append(chart.svg())
                    out.append("</figure>")
                case .plot(let plot):
                    plotNumber += 1
                    out.append("<figure>")
                    out.append(plot.svg(id: "plot\(plotNumber)"))
                    out.append("</figure>")
                }
            }
            out.append("</section>")
        }
        out.append("</body>")
        out.append("</html>")
        return out.joined(separator: "\n") + "\n"
    }
}

/// Labelled values as horizontal bars, drawn as inline SVG (no script, no network).
public struct BarChart: Sendable, Hashable {
    public var title: String
    /// What the values are, with the unit: "energy (pJ)".
    public var valueLabel: String
    public var labels: [String]
    public var values: [Double]

    public init(title: String, valueLabel: String, labels: [String], values: [Double]) {
        precondition(labels.count == values.count, "a label per bar")
        self.title = title
        self.valueLabel = valueLabel
        self.labels = labels
        self.values = values
    }

    /// Bars from 0 to each value (negative values to the left of the axis), the value printed
    /// at the end of each.
    public func svg() -> String {
        let rowHeight = 22.0, labelWidth = 260.0, plotWidth = 360.0, top = 30.0
        let height = top + rowHeight * Double(values.count) + 30
        let finite = values.filter(\.isFinite)
        let low = min(finite.min() ?? 0, 0), high = max(finite.max() ?? 0, 0)
        let span = high - low > 0 ? high - low : 1
        func x(_ v: Double) -> Double { labelWidth + (v - low) / span * plotWidth }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + plotWidth + 90))\" height=\"\(Int(height))\" role=\"img\">",
                   "<title>\(Markup.text(title))</title>",
                   "<text x=\"4\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(Markup.text(title))</text>"]
        for (k, (label, value)) in zip(labels, values).enumerated() {
            let y = top + rowHeight * Double(k)
            let a = x(min(value.isFinite ? value : 0, 0)), b = x(max(value.isFinite ? value : 0, 0))
            out.append("<text x=\"\(Int(labelWidth - 6))\" y=\"\(Markup.compact(y + 15))\" font-size=\"12\" text-anchor=\"end\">\(Markup.text(label))</text>")
            out.append("<rect x=\"\(Markup.compact(a))\" y=\"\(Markup.compact(y + 4))\" width=\"\(Markup.compact(max(b - a, 0.5)))\" height=\"\(Markup.compact(rowHeight - 8))\" fill=\"#3b6ea8\"/>")
            out.append("<text x=\"\(Markup.compact(b + 4))\" y=\"\(Markup.compact(y + 15))\" font-size=\"11\">\(Markup.text(Markup.compact(value)))</text>")
        }
        let axis = top + rowHeight * Double(values.count) + 4
        out.append("<line x1=\"\(Markup.compact(x(0)))\" y1=\"\(Markup.compact(top))\" x2=\"\(Markup.compact(x(0)))\" y2=\"\(Markup.compact(axis))\" stroke=\"#444444\"/>")
        out.append("<text x=\"\(Int(labelWidth))\" y=\"\(Markup.compact(axis + 18))\" font-size=\"12\">\(Markup.text(valueLabel))</text>")
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
