import Foundation

/// One electrical value a design used, for reports: every generator lists what it took.
public struct DesignValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable key, e.g. `opamp.gbw`.
    public var name: String
    public var value: Double
    /// SI unit symbol (`V/V`, `Hz`, `S`, `Ohm`, `F`, `V`, `s`, `bit`), empty when dimensionless.
    public var unit: String
    public var description: String

    public init(_ name: String, _ value: Double, _ unit: String, _ description: String) {
        self.name = name; self.value = value; self.unit = unit; self.description = description
    }
}

extension Array where Element == DesignValue {
    /// "name = value unit  (description)" lines, aligned.
    public func formattedLines() -> [String] {
        let width = map(\.name.count).max() ?? 0
        return map { item in
            let value = engineering(item.value, unit: item.unit)
            return "\(item.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)  \(item.description)"
        }
    }
}

/// 12.3 kOhm, 10 MHz, 1.5 uS: a value with an SI prefix for people (decks use `SpiceNumber`).
public func engineering(_ value: Double, unit: String, digits: Int = 4) -> String {
    guard value.isFinite, value != 0, !unit.isEmpty, unit != "V/V", unit != "bit" else {
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : formatSignificant(value, digits)
        return unit.isEmpty ? text : "\(text) \(unit)"
    }
    let prefixes: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"),
                                         (1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"), (1e-18, "a")]
    let magnitude = abs(value)
    let (scale, prefix) = prefixes.first { magnitude >= $0.0 * 0.9999999 } ?? (1e-18, "a")
    return "\(formatSignificant(value / scale, digits)) \(prefix)\(unit)"
}

public func formatSignificant(_ value: Double, _ digits: Int) -> String {
    var text = String(format: "%.\(digits)g", value)
    if text.contains("e") { return text }
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}

