/// Why a deck cannot be written. Every case names the card and the offending text.
public enum NetlistError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A name (node, instance, model, subcircuit, parameter) that could inject or break a card.
    case unsafeName(role: String, name: String, problem: String)
    /// Two cards with the same name in one scope (SPICE names are case-insensitive).
    case duplicateName(role: String, name: String, scope: String)
    /// NaN or infinity where a number is written.
    case nonFiniteValue(context: String)
    /// Free text (an expression or a path) that could break out of its card.
    case unsafeText(role: String, text: String, problem: String)
    /// A card that SPICE would reject, such as an `.ac` with no points.
    case invalidCard(context: String, problem: String)

    public var description: String {
        switch self {
        case .unsafeName(let role, let name, let problem):
            return "unsafe \(role) name \(quoted(name)): it \(problem)"
        case .duplicateName(let role, let name, let scope):
            return "duplicate \(role) name \(quoted(name)) in \(scope) (SPICE names are case-insensitive)"
        case .nonFiniteValue(let context):
            return "non-finite number in \(context)"
        case .unsafeText(let role, let text, let problem):
            return "unsafe \(role) \(quoted(text)): \(problem)"
        case .invalidCard(let context, let problem):
            return "invalid \(context): \(problem)"
        }
    }
}

/// Shows user text on one line with escapes, so an error message can never span lines.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars.prefix(80) {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\"": out += "\\\""
        default:
            if scalar.properties.generalCategory == .control {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    if text.unicodeScalars.count > 80 { out += "..." }
    return out + "\""
}
