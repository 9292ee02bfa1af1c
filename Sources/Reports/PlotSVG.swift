import Foundation

/// How an axis maps values to positions.
public enum AxisScale: String, Sendable, Hashable, Codable {
    case linear
    /// Base-10 logarithmic; values <= 0 are left out (a line breaks there).
    case log
}

/// One named curve of a ``LinePlot``.
public struct PlotSeries: Sendable, Hashable {
    public enum Style: String, Sendable, Hashable, Codable {
        /// A polyline through the points.
        case line
        /// A dot per point, no line.
        case points
        /// Both.
        case lineAndPoints
    }

    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style
    public var dashed: Bool

    /// - Precondition: `x.count == y.count`.
    public init(_ name: String, x: [Double], y: [Double], style: Style = .line, dashed: Bool = false) {
        precondition(x.count == y.count, "series \(name): \(x.count) x values and \(y.count) y values")
        self.name = name; self.x = x; self.y = y; self.style = style; self.dashed = dashed
    }

    /// A series over the indices `start, start + 1, ...`.
    public init(_ name: String, y: [Double], start: Int = 0, style: Style = .line, dashed: Bool = false) {
        self.init(name, x: y.indices.map { Double($0 + start) }, y: y, style: style, dashed: dashed)
    }
}

/// A labelled reference line across the plot: a time, a bound, a target.
public struct PlotMarker: Sendable, Hashable {
    public enum Orientation: String, Sendable, Hashable, Codable { case vertical, horizontal }
    public var orientation: Orientation
    /// Where the line sits, in data units of its axis (x for vertical, y for horizontal).
    public var value: Double
    public var label: String

    public init(_ orientation: Orientation, at value: Double, label: String) {
        self.orientation = orientation; self.value = value; self.label = label
    }
}

/// A line plot drawn as self-contained SVG 1.1: axes with ticks, a title, axis labels, a
/// legend and reference markers, nothing external (no fonts, scripts or links), numbers
/// written with two decimals so the text is deterministic.
///
/// Ranges cover every finite point (positive ones on a log axis) and every marker. Linear
/// ticks follow the 1-2-5 rule; log ticks sit on the decades (thinned to at most eight).
/// Points that cannot be drawn (NaN, infinite, <= 0 on a log axis) break the line.
public struct LinePlot: Sendable, Hashable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var series: [PlotSeries]
    public var markers: [PlotMarker]
    /// Pixels.
    public var width: Int
    /// Pixels.
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear, yScale: AxisScale = .linear,
                series: [PlotSeries], markers: [PlotMarker] = [], width: Int = 640, height: Int = 360) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.xScale = xScale; self.yScale = yScale
        self.series = series; self.markers = markers
        self.width = width; self.height = height
    }

    /// The Okabe-Ito palette (distinguishable with colour-blindness), series in order.
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// The plot area inside the margins, pixels.
    public struct Frame: Sendable, Hashable {
        public var left: Double, top: Double, right: Double, bottom: Double
        public var width: Double { right - left }
        public var height: Double { bottom - top }
    }

    public var frame: Frame {
        Frame(left: 72, top: 34, right: Double(width) - 18, bottom: Double(height) - 48)
    }

    /// The data ranges the axes span (in data units), after padding and tick rounding.
    public var ranges: (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let xs = series.flatMap { s in s.x.indices.filter { drawable(s, $0) }.map { s.x[$0] } }
            + markers.filter { $0.orientation == .vertical }.map(\.value).filter { usable($0, xScale) }
        let ys = series.flatMap { s in s.y.indices.filter { drawable(s, $0) }.map { s.y[$0] } }
            + markers.filter { $0.orientation == .horizontal }.map(\.value).filter { usable($0, yScale) }
        return (LinePlot.range(xs, scale: xScale, pad: 0.02), LinePlot.range(ys, scale: yScale, pad: 0.05))
    }

    func usable(_ v: Double, _ scale: AxisScale) -> Bool { v.isFinite && (scale == .linear || v > 0) }

    func drawable(_ s: PlotSeries, _ k: Int) -> Bool { usable(s.x[k], xScale) && usable(s.y[k], yScale) }

    /// Whether every x value is a whole number (iterations, levels): ticks then fall on integers.
    var integerX: Bool {
        xScale == .linear && series.allSatisfy { $0.x.allSatisfy { !$0.isFinite || $0 == $0.rounded() } }
    }

    static func range(_ values: [Double], scale: AxisScale, pad: Double) -> ClosedRange<Double> {
        guard let low = values.min(), let high = values.max() else {
            return scale == .log ? 1...10 : 0...1
        }
        switch scale {
        case .log:
            var a = floor(log10(low)), b = ceil(log10(high))
            if a == b { a -= 0.5; b += 0.5 }
            return pow(10, a)...pow(10, b)
        case .linear:
            if low == high {
                let d = low == 0 ? 1 : abs(low) * 0.1
                return (low - d)...(high + d)
            }
            let margin = pad * (high - low)
            return (low - margin)...(high + margin)
        }
    }

    /// Tick positions in data units.
    /// - Parameters:
    ///   - range: the axis range, data units.
    ///   - scale: linear or logarithmic axis.
    ///   - integer: steps of at least 1 (whole-number data such as iterations).
    public static func ticks(_ range: ClosedRange<Double>, scale: AxisScale, integer: Bool = false) -> [Double] {
        switch scale {
        case .log:
            let a = Int(ceil(log10(range.lowerBound) - 1e-9)), b = Int(floor(log10(range.upperBound) + 1e-9))
            guard a <= b else { return [range.lowerBound, range.upperBound] }
            let stride = max(1, Int(ceil(Double(b - a + 1) / 8)))
            return Swift.stride(from: a, through: b, by: stride).map { pow(10, Double($0)) }
        case .linear:
            let span = range.upperBound - range.lowerBound
            let raw = span / 6
            let magnitude = pow(10, floor(log10(raw)))
            var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
            if integer { step = max(step, 1) }
            let first = ceil(range.lowerBound / step - 1e-9) * step
            var ticks: [Double] = []
            var t = first
            while t <= range.upperBound + 1e-9 * step {
                ticks.append(abs(t) < 1e-12 * step ? 0 : t)
                t += step
            }
            return ticks
        }
    }

    /// Pixel x of a data value.
    public func pixelX(_ x: Double) -> Double { layout().x(x) }

    /// Pixel y of a data value (SVG y grows downwards).
    public func pixelY(_ y: Double) -> Double { layout().y(y) }

    /// The frame and ranges, computed once per drawing.
    struct Layout {
        let frame: Frame
        let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
        let xScale: AxisScale, yScale: AxisScale
        func x(_ v: Double) -> Double { frame.left + LinePlot.fraction(v, xRange, xScale) * frame.width }
        func y(_ v: Double) -> Double { frame.bottom - LinePlot.fraction(v, yRange, yScale) * frame.height }
    }

    func layout() -> Layout {
        let (xr, yr) = ranges
        return Layout(frame: frame, xRange: xr, yRange: yr, xScale: xScale, yScale: yScale)
    }

    static func fraction(_ v: Double, _ r: ClosedRange<Double>, _ scale: AxisScale) -> Double {
        switch scale {
        case .linear: return (v - r.lowerBound) / (r.upperBound - r.lowerBound)
        case .log: return (log10(v) - log10(r.lowerBound)) / (log10(r.upperBound) - log10(r.lowerBound))
        }
    }

    /// The SVG document. `id` prefixes the element ids (clip path), so several plots can share
    /// one HTML page.
    public func svg(id: String = "plot") -> String {
        let layout = layout()
        let f = layout.frame
        let (xr, yr) = (layout.xRange, layout.yRange)
        let pixelX = layout.x, pixelY = layout.y
        let clip = Markup.attribute("\(id)-area")
        var out: [String] = []
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">")
        out.append("<title>\(Markup.text(title))</title>")
        out.append("<defs><clipPath id=\"\(clip)\"><rect x=\"\(Markup.n(f.left))\" y=\"\(Markup.n(f.top))\" width=\"\(Markup.n(f.width))\" height=\"\(Markup.n(f.height))\"/></clipPath></defs>")
        out.append("<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
        out.append("<text class=\"title\" x=\"\(Markup.n(Double(width) / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(Markup.text(title))</text>")

        // Grid and ticks.
        var grid: [String] = []
        for t in LinePlot.ticks(xr, scale: xScale, integer: integerX) {
            let px = pixelX(t)
            grid.append("<line class=\"grid\" x1=\"\(Markup.n(px))\" y1=\"\(Markup.n(f.top))\" x2=\"\(Markup.n(px))\" y2=\"\(Markup.n(f.bottom))\" stroke=\"#e4e4e4\"/>")
            grid.append("<text class=\"tick x\" x=\"\(Markup.n(px))\" y=\"\(Markup.n(f.bottom + 16))\" text-anchor=\"middle\">\(Markup.text(LinePlot.label(t, xScale)))</text>")
        }
        for t in LinePlot.ticks(yr, scale: yScale) {
            let py = pixelY(t)
            grid.append("<line class=\"grid\" x1=\"\(Markup.n(f.left))\" y1=\"\(Markup.n(py))\" x2=\"\(Markup.n(f.right))\" y2=\"\(Markup.n(py))\" stroke=\"#e4e4e4\"/>")
            grid.append("<text class=\"tick y\" x=\"\(Markup.n(f.left - 6))\" y=\"\(Markup.n(py + 4))\" text-anchor=\"end\">\(Markup.text(LinePlot.label(t, yScale)))</text>")
        }
        out += grid
        out.append("<rect class=\"frame\" x=\"\(Markup.n(f.left))\" y=\"\(Markup.n(f.top))\" width=\"\(Markup.n(f.width))\" height=\"\(Markup.n(f.height))\" fill=\"none\" stroke=\"#444444\"/>")
        out.append("<text class=\"label x\" x=\"\(Markup.n((f.left + f.right) / 2))\" y=\"\(Markup.n(Double(height) - 10))\" text-anchor=\"middle\">\(Markup.text(xLabel))</text>")
        out.append("<text class=\"label y\" x=\"16\" y=\"\(Markup.n((f.top + f.bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(Markup.n((f.top + f.bottom) / 2)))\">\(Markup.text(yLabel))</text>")

        // Series, clipped to the plot area.
        out.append("<g clip-path=\"url(#\(clip))\">")
        for (k, s) in series.enumerated() {
            let colour = LinePlot.palette[k % LinePlot.palette.count]
            let name = Markup.attribute(s.name)
            if s.style != .points {
                var d = ""
                var penDown = false
                for i in s.x.indices {
                    guard drawable(s, i) else { penDown = false; continue }
                    d += (d.isEmpty ? "" : " ") + (penDown ? "L" : "M") + "\(Markup.n(pixelX(s.x[i]))) \(Markup.n(pixelY(s.y[i])))"
                    penDown = true
                }
                if !d.isEmpty {
                    let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
                    out.append("<path class=\"series\" data-series=\"\(name)\" d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\"\(dash)/>")
                }
            }
            if s.style != .line {
                var dots: [String] = []
                for i in s.x.indices where drawable(s, i) {
                    dots.append("<circle cx=\"\(Markup.n(pixelX(s.x[i])))\" cy=\"\(Markup.n(pixelY(s.y[i])))\" r=\"2.6\" fill=\"\(colour)\"/>")
                }
                out.append("<g class=\"points\" data-series=\"\(name)\">" + dots.joined() + "</g>")
            }
        }
        out.append("</g>")

        // Markers.
        for m in markers {
            switch m.orientation {
            case .vertical:
                guard usable(m.value, xScale) else { continue }
                let px = pixelX(m.value)
                out.append("<line class=\"marker\" data-label=\"\(Markup.attribute(m.label))\" x1=\"\(Markup.n(px))\" y1=\"\(Markup.n(f.top))\" x2=\"\(Markup.n(px))\" y2=\"\(Markup.n(f.bottom))\" stroke=\"#b00020\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>")
                let anchor = px > f.left + 0.7 * f.width ? "end" : "start"
                let dx = anchor == "end" ? -4.0 : 4.0
                out.append("<text class=\"marker-label\" x=\"\(Markup.n(px + dx))\" y=\"\(Markup.n(f.top + 14))\" text-anchor=\"\(anchor)\" fill=\"#b00020\">\(Markup.text(m.label))</text>")
            case .horizontal:
                guard usable(m.value, yScale) else { continue }
                let py = pixelY(m.value)
                out.append("<line class=\"marker\" data-label=\"\(Markup.attribute(m.label))\" x1=\"\(Markup.n(f.left))\" y1=\"\(Markup.n(py))\" x2=\"\(Markup.n(f.right))\" y2=\"\(Markup.n(py))\" stroke=\"#b00020\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>")
                out.append("<text class=\"marker-label\" x=\"\(Markup.n(f.left + 4))\" y=\"\(Markup.n(py - 4))\" fill=\"#b00020\">\(Markup.text(m.label))</text>")
            }
        }

        // Legend, top right inside the frame.
        if !series.isEmpty {
            let rowHeight = 16.0
            let longest = series.map(\.name.count).max() ?? 0
            let boxWidth = min(f.width - 8, 34 + 7 * Double(longest))
            let boxLeft = f.right - boxWidth - 6
            out.append("<g class=\"legend\">")
            out.append("<rect x=\"\(Markup.n(boxLeft))\" y=\"\(Markup.n(f.top + 6))\" width=\"\(Markup.n(boxWidth))\" height=\"\(Markup.n(rowHeight * Double(series.count) + 6))\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>")
            for (k, s) in series.enumerated() {
                let colour = LinePlot.palette[k % LinePlot.palette.count]
                let y = f.top + 6 + rowHeight * Double(k) + 14
                let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
                if s.style == .points {
                    out.append("<circle cx=\"\(Markup.n(boxLeft + 16))\" cy=\"\(Markup.n(y - 4))\" r=\"3\" fill=\"\(colour)\"/>")
                } else {
                    out.append("<line x1=\"\(Markup.n(boxLeft + 6))\" y1=\"\(Markup.n(y - 4))\" x2=\"\(Markup.n(boxLeft + 26))\" y2=\"\(Markup.n(y - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>")
                }
                out.append("<text x=\"\(Markup.n(boxLeft + 30))\" y=\"\(Markup.n(y))\">\(Markup.text(s.name))</text>")
            }
            out.append("</g>")
        }
        if series.allSatisfy({ s in !s.x.indices.contains { drawable(s, $0) } }) {
            out.append("<text class=\"empty\" x=\"\(Markup.n((f.left + f.right) / 2))\" y=\"\(Markup.n((f.top + f.bottom) / 2))\" text-anchor=\"middle\" fill=\"#888888\">no data to draw</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// A tick label: decades as 1e-3 on log axes, up to four significant digits otherwise.
    static func label(_ v: Double, _ scale: AxisScale) -> String {
        if scale == .log {
            let e = Int(log10(v).rounded())
            if (-2...3).contains(e) { return Markup.compact(pow(10, Double(e))) }
            return "1e\(e)"
        }
        return Markup.compact(v)
    }
}

/// Escaping and number formatting shared by the SVG, HTML and JUnit XML writers.
public enum Markup {
    /// Character data: &, < and > escaped; control characters other than tab and newline dropped.
    public static func text(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// An attribute value (double-quoted): quotes escaped too.
    public static func attribute(_ s: String) -> String {
        text(s).replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "\n", with: " ")
    }

    /// A coordinate with two decimals ("12.50"), locale-independent.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let v = (x * 100).rounded() / 100
        return String(format: "%.2f", v == 0 ? 0 : v)
    }

    /// Up to four significant digits without trailing zeros: 0.25, 1200, 3.142e-05.
    public static func compact(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "inf" : "-inf") }
        if v == 0 { return "0" }
        var text = String(format: "%.4g", v)
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            let exponent = String(text[text.index(after: e)...])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            let sign = exponent.hasPrefix("-") ? "-" : ""
            let digits = exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" }
            return "\(mantissa)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
        }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
