import Foundation
import Reports

/// One electrical value a design used, for reports: every generator lists what it took.
public struct DesignValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stable key, e.g. `opamp.gbw`.
    public var name: String
    public var value: Double
    /// SI unit symbol (`V/V`, `Hz`, `S`, `Ohm`, `F`, `V`, `s`, `bit`), empty when dimensionless.
    public var unit: String
    public var description: String
    /// A name in place of the number (fidelity `ideal`, analysis `tran`): reports print it and
    /// `value` is 0.
    public var text: String?

    public init(_ name: String, _ value: Double, _ unit: String, _ description: String) {
        self.name = name; self.value = value; self.unit = unit; self.description = description
    }

    /// A value that is a name, not a number.
    public init(_ name: String, text: String, _ description: String) {
        self.init(name, 0, "", description)
        self.text = text
    }

    /// The value as a person reads it: the name, or the number with its unit.
    public var formatted: String { text ?? engineering(value, unit: unit) }
}

extension DesignValue {
    /// `{"name", "value", "unit", "description"}`; the value is the name for a named value.
    public var json: JSONValue {
        .object([("name", .string(name)), ("value", text.map { .string($0) } ?? .number(value)), ("unit", .string(unit)),
                 ("description", .string(description))])
    }
}

extension Array where Element == DesignValue {
    /// "name = value unit  (description)" lines, aligned.
    public func formattedLines() -> [String] {
        let width = map(\.name.count).max() ?? 0
        return map { item in
            let value = item.formatted
            return "\(item.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)  \(item.description)"
        }
    }
}
