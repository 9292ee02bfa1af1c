import Foundation

/// A JSON document with keys in a fixed order and non-finite numbers written as null, so
/// reports are deterministic and always valid JSON.
public indirect enum JSONValue: Sendable, Hashable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case number(Double)
    case string(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.text() == b.text() }
    public func hash(into hasher: inout Hasher) { hasher.combine(text()) }

    public static func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
    public static func optional(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    /// Pretty-printed with two-space indentation and a final newline.
    public func text() -> String {
        var out = ""
        write(to: &out, indent: 0)
        return out + "\n"
    }

    private func write(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += pad + "  " + JSONValue.quote(key) + ": "
                value.write(to: &out, indent: indent + 1)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += pad + "}"
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            if items.allSatisfy({ if case .number = $0 { true } else if case .null = $0 { true } else { false } }) {
                out += "[" + items.map { var s = ""; $0.write(to: &s, indent: 0); return s }.joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad + "  "
                item.write(to: &out, indent: indent + 1)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += pad + "]"
        case .number, .string, .bool, .null:
            writeScalar(to: &out)
        }
    }

    /// A number, string, bool or null, the same bytes in the pretty and the one-line forms:
    /// integers without a fraction, other numbers in Swift's shortest round-trip form.
    public func writeScalar(to out: inout String) {
        switch self {
        case .number(let x):
            if !x.isFinite { out += "null" }
            else if x == x.rounded(), abs(x) < 1e15 { out += String(Int64(x)) }
            else { out += "\(x)" }
        case .string(let s):
            out += JSONValue.quote(s)
        case .bool(let b):
            out += b ? "true" : "false"
        case .null:
            out += "null"
        case .object, .array:
            preconditionFailure("containers are written by their writers")
        }
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
