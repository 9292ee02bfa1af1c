import Foundation

/// A `.measure` result, in ngspice's words: a value or the reason it failed.
public struct SpiceMeasurement: Sendable, Hashable, Codable {
    /// Lowercased, as ngspice names vectors.
    public var name: String
    public var value: Double?
    /// ngspice's reason, when the measurement failed.
    public var failure: String?

    /// ngspice prints `name = value` (with `targ=` / `trig=` after it for a delay) on
    /// standard output once the analysis ends, and "Error: measure name ..." when it fails.
    static func parse(_ diagnostics: [Diagnostic]) -> [SpiceMeasurement] {
        var out: [SpiceMeasurement] = []
        var inMeasures = false
        func record(_ measurement: SpiceMeasurement) {
            if !out.contains(where: { $0.name == measurement.name }) { out.append(measurement) }
        }
        for d in diagnostics {
            let text = d.text
            let lower = text.lowercased()
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if lower.hasPrefix("measurements for") { inMeasures = true; continue }
            if lower.hasPrefix("error: measure"), words.count > 2 {
                // "Error: measure  never  trig(TRIG) : out of interval"
                let reason = text.components(separatedBy: " : ").dropFirst().joined(separator: " : ")
                record(SpiceMeasurement(name: words[2].lowercased(), value: nil, failure: reason.isEmpty ? text : reason))
                continue
            }
            if lower.hasPrefix(".meas"), lower.hasSuffix("failed!"), words.count > 2 {
                record(SpiceMeasurement(name: words[2].lowercased(), value: nil, failure: "failed"))
                continue
            }
            guard inMeasures else { continue }
            let parts = text.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" "), let first = parts[1].split(separator: " ").first,
                  let value = Double(first) else { continue }
            record(SpiceMeasurement(name: name.lowercased(), value: value, failure: nil))
        }
        return out
    }
}
