import Foundation

/// An ngspice binary raw file, read independently of Crossloop's code: plots in file order,
/// each with its vectors by name (complex values as magnitudes are not needed here: real and
/// imaginary parts are kept apart).
struct RawFile {
    struct Plot {
        var name: String
        var vectors: [String: [Double]]
    }
    var plots: [Plot]

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        var plots: [Plot] = []
        var position = data.startIndex
        func line() throws -> String {
            guard let end = data[position...].firstIndex(of: 0x0A) else { throw RawFileError("header ends early in \(url.lastPathComponent)") }
            defer { position = end + 1 }
            return String(decoding: data[position..<end], as: UTF8.self)
        }
        while position < data.endIndex {
            var header: [String: String] = [:]
            var names: [String] = []
            while true {
                let text = try line()
                if text.hasPrefix("Binary:") { break }
                if text.hasPrefix("Variables:") {
                    let count = Int(header["No. Variables"] ?? "") ?? 0
                    for _ in 0..<count {
                        let fields = try line().split(whereSeparator: { $0 == " " || $0 == "\t" })
                        names.append(fields.count > 1 ? String(fields[1]).lowercased() : "")
                    }
                    continue
                }
                if let colon = text.firstIndex(of: ":") {
                    header[String(text[..<colon])] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            let variables = names.count
            let points = Int(header["No. Points"] ?? "") ?? 0
            let width = (header["Flags"] ?? "").contains("complex") ? 2 : 1
            let count = variables * points * width
            guard data.distance(from: position, to: data.endIndex) >= 8 * count else { throw RawFileError("data ends early") }
            var values = [Double](repeating: 0, count: count)
            _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0, from: position..<(position + 8 * count)) }
            position += 8 * count
            var vectors: [String: [Double]] = [:]
            for (index, name) in names.enumerated() {
                var column: [Double] = []
                for point in 0..<points {
                    for part in 0..<width { column.append(values[(point * variables + index) * width + part]) }
                }
                vectors[name] = column
            }
            plots.append(Plot(name: header["Plotname"] ?? "", vectors: vectors))
        }
        self.plots = plots
    }
}

struct RawFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
