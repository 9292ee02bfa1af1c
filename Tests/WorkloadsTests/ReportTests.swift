import Reports
import Specification
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import CircuitTheory
import Reference
import Testing
import Verification
@testable import Workloads

/// Every element of an XML document with its attributes and text, in document order.
final class XMLElements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text: String }
    var elements: [Element] = []
    private var stack: [Int] = []
    var error: Error?

    static func parse(_ text: String) throws -> XMLElements {
        let collector = XMLElements()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        let ok = parser.parse()
        if let error = collector.error ?? parser.parserError { throw error }
        #expect(ok)
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        stack.append(elements.count)
        elements.append(Element(name: name, attributes: attributes, text: ""))
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let k = stack.last { elements[k].text += string }
    }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

/// The coordinates of an SVG path "M x y L x y ..." as (command, x, y).
func pathPoints(_ d: String) -> [(String, Double, Double)] {
    let tokens = d.split(separator: " ")
    var points: [(String, Double, Double)] = []
    var k = 0
    while k + 1 < tokens.count {
        let first = tokens[k]
        let command = String(first.prefix(1))
        points.append((command, Double(first.dropFirst())!, Double(tokens[k + 1])!))
        k += 2
    }
    return points
}

@Suite("SVG plots and HTML reports")
struct ReportTests {
    let plot = LinePlot(
        title: "Error <per> level & \"bits\"", xLabel: "level", yLabel: "relative error", yScale: .log,
        series: [PlotSeries("measured", x: [0, 1, 2], y: [1e-3, 2e-3, 4e-3], style: .lineAndPoints),
                 PlotSeries("bound", x: [0, 1, 2, 3], y: [1e-2, .nan, 3e-2, 0], dashed: true)],
        markers: [PlotMarker(.vertical, at: 1.5, label: "settling"), PlotMarker(.horizontal, at: 5e-3, label: "target")])

    @Test("the SVG is well-formed XML with one path per drawable run, points, ticks, markers and a legend")
    func svgStructure() throws {
        let xml = try XMLElements.parse(plot.svg(id: "t"))
        let root = try #require(xml.elements.first)
        #expect(root.name == "svg" && root.attributes["viewBox"] == "0 0 640 360")
        #expect(xml.named("title").first?.text == "Error <per> level & \"bits\"")
        let paths = xml.named("path").filter { $0.attributes["class"] == "series" }
        #expect(paths.map { $0.attributes["data-series"] } == ["measured", "bound"])
        // "bound" breaks at the NaN and drops 0 on the log axis: two separate runs, the second a lone point.
        let bound = pathPoints(paths[1].attributes["d"] ?? "")
        #expect(bound.map(\.0) == ["M", "M"])
        #expect(paths[1].attributes["stroke-dasharray"] != nil)
        // Three data points of "measured"; legend swatches are lines for line styles.
        #expect(xml.named("circle").count == 3)
        let f = plot.frame
        for (_, x, y) in pathPoints(paths[0].attributes["d"] ?? "") {
            #expect(x >= f.left - 0.01 && x <= f.right + 0.01 && y >= f.top - 0.01 && y <= f.bottom + 0.01)
        }
        // Decade ticks on the log axis: 1e-3 .. 1e-1 (the data span 1e-3 .. 3e-2).
        let yTicks = xml.named("text").filter { $0.attributes["class"] == "tick y" }.map(\.text)
        #expect(yTicks == ["1e-3", "0.01", "0.1"])
        let markers = xml.named("line").filter { $0.attributes["class"] == "marker" }
        #expect(markers.map { $0.attributes["data-label"] } == ["settling", "target"])
        let markerX = Double(markers[0].attributes["x1"] ?? "") ?? .nan
        #expect(abs(markerX - plot.pixelX(1.5)) < 0.01)
        let legend = xml.elements.contains { $0.name == "g" && $0.attributes["class"] == "legend" }
        #expect(legend)
    }

    @Test("linear axes: points map monotonically and 1-2-5 ticks cover the data")
    func linearAxis() throws {
        let p = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [PlotSeries("s", y: [3, -1, 7.5])])
        let d = try #require(try XMLElements.parse(p.svg()).named("path").first?.attributes["d"])
        let points = pathPoints(d)
        #expect(points.count == 3)
        #expect(points[0].1 < points[1].1 && points[1].1 < points[2].1)
        #expect(points[2].2 < points[0].2 && points[0].2 < points[1].2)  // larger y is higher up
        let ticks = LinePlot.ticks(p.ranges.y, scale: .linear)
        #expect(ticks.first! >= p.ranges.y.lowerBound && ticks.last! <= p.ranges.y.upperBound)
        let steps = Set(zip(ticks, ticks.dropFirst()).map { (($1 - $0) * 1e9).rounded() / 1e9 })
        #expect(steps.count == 1 && [1.0, 2, 5].contains(steps.first!))
    }

    @Test("an empty plot says so instead of failing")
    func emptyPlot() throws {
        let p = LinePlot(title: "nothing", xLabel: "x", yLabel: "y", yScale: .log, series: [PlotSeries("s", y: [0, -1])])
        let xml = try XMLElements.parse(p.svg())
        #expect(xml.named("text").contains { $0.attributes["class"] == "empty" })
        #expect(xml.named("path").isEmpty)
    }

    @Test("the HTML page is self-contained, parses as XML and embeds every plot")
    func htmlPage() throws {
        let report = HTMLReport(title: "A & B", byline: "crossloop run x", sections: [
            HTMLReport.Section("One", [.paragraph("x < y"), .plot(plot), .table(header: ["a", "b"], rows: [["1", "<2>"]], caption: "c")]),
            HTMLReport.Section("Two", [.plot(plot), .status(passed: false, text: "missed"), .keyValues([.init("k", "v")])]),
        ])
        let html = report.html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        let xml = try XMLElements.parse(html)
        #expect(xml.named("svg").count == 2)
        let clipIDs = xml.named("clipPath").compactMap { $0.attributes["id"] }
        #expect(Set(clipIDs).count == 2)
        #expect(xml.named("td").contains { $0.text == "<2>" })
        #expect(xml.named("p").contains { $0.attributes["class"] == "fail" && $0.text == "missed" })
    }

    @Test("a workload report carries the same figures to HTML and JSON")
    func workloadReport() throws {
        var counts = OperationCounts()
        counts.inv = 3
        let report = WorkloadReport(
            workload: "test", title: "Test", passed: true, target: "t",
            headline: ["h"], metrics: [ReportMetric("m", 0.25, "", "d")],
            counts: [("solve", counts)], figures: [plot],
            tables: [ReportTable("T", header: ["a"], rows: [["1"]])], notes: ["n"], data: [("x", .numbers([1, 2]))])
        let html = report.html(byline: nil)
        let xml = try XMLElements.parse(html)
        #expect(xml.named("svg").count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json(crossloopVersion: "v").text().utf8)) as? [String: Any])
        #expect(json["workload"] as? String == "test")
        let figures = try #require(json["figures"] as? [[String: Any]])
        let series = try #require(figures.first?["series"] as? [[String: Any]])
        #expect(series.count == 2)
        let operations = try #require(json["operations"] as? [String: Any])
        #expect((operations["solve"] as? [String: Any])?["inv"] as? Int == 3)
        let text = report.text()
        #expect(text.contains("Test: PASS") && text.contains("INV"))
    }
}
