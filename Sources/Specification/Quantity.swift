import Foundation
import Netlist

/// The one reader of numbers as people type them for a knob: a decimal with an optional
/// exponent, an optional SPICE scale (`f p n u m k meg g t`, any case) and optionally the
/// knob's own unit (`10meg`, `10megHz`, `2.5k`, `-10m`, `1e-3`).
///
/// Stricter than SPICE on purpose: a deck may carry unit letters SPICE ignores, a flag may
/// not, because `10MHz` reads as 10 millihertz to SPICE and a designer means 10 MHz. An
/// upper-case `M` alone is therefore refused as ambiguous, and so is anything after the
/// number that is neither a scale nor the unit (`10x`, `1e`).
public enum Quantity {
    /// Longest text echoed back in a message: a stray 10 MB token is not repeated whole.
    static let echoLimit = 40

    /// `text` shortened for messages.
    public static func echo(_ text: String) -> String {
        text.count <= echoLimit ? text : String(text.prefix(echoLimit)) + "... (\(text.count) characters)"
    }

    /// The value of `text` for a knob measured in `unit` ("" for dimensionless knobs), or the
    /// reason it is not one, in words a user can act on.
    public static func parse(_ text: String, unit: String) -> Result<Double, QuantityError> {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return .failure(.empty) }
        let scalars = Array(s.unicodeScalars)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }
            return i - start
        }
        if i < scalars.count, scalars[i] == "+" || scalars[i] == "-" { i += 1 }
        var count = digits()
        if i < scalars.count, scalars[i] == "." { i += 1; count += digits() }
        guard count > 0 else { return .failure(.notANumber(echo(text))) }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
            var j = i + 1
            if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
            guard j < scalars.count, ("0"..."9").contains(scalars[j]) else {
                return .failure(.incompleteExponent(echo(text)))
            }
            i = j
            _ = digits()
        }
        let number = String(String.UnicodeScalarView(scalars[..<i]))
        var rest = String(String.UnicodeScalarView(scalars[i...]))
        var scale = ""
        let lower = rest.lowercased()
        for candidate in ["meg", "t", "g", "k", "m", "u", "n", "p", "f"] where lower.hasPrefix(candidate) {
            // As in SPICE, a scale letter is a scale even where it could start the unit: "1f"
            // is a femtofarad.
            scale = candidate
            if candidate == "m", rest.hasPrefix("M") { return .failure(.ambiguousMega(echo(text), unit: unit)) }
            rest.removeFirst(candidate.count)
            break
        }
        if !rest.isEmpty {
            guard !unit.isEmpty, rest.lowercased() == unit.lowercased() else {
                return .failure(.unknownSuffix(echo(text), suffix: echo(rest), unit: unit))
            }
        }
        guard let value = SpiceNumber.parse(number + scale), value.isFinite else { return .failure(.outOfRange(echo(text))) }
        return .success(value)
    }
}

/// Why a text is not a number for a knob.
public enum QuantityError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case notANumber(String)
    case incompleteExponent(String)
    case ambiguousMega(String, unit: String)
    case unknownSuffix(String, suffix: String, unit: String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .empty: return "no value given"
        case .notANumber(let t): return "\"\(t)\" is not a number"
        case .incompleteExponent(let t): return "\"\(t)\" has an exponent without digits; write e.g. 1e-3"
        case .ambiguousMega(let t, let unit):
            let number = t.prefix { !$0.isLetter || $0 == "e" || $0 == "E" }
            return "\"\(t)\": SPICE reads M as milli; write \(number)meg\(unit) for mega or \(number)m\(unit) for milli"
        case .unknownSuffix(let t, let suffix, let unit):
            let units = unit.isEmpty ? "" : " and optionally the unit \(unit)"
            return "\"\(t)\": \"\(suffix)\" is not a scale; write a number with a SPICE scale (f p n u m k meg g t)\(units)"
        case .outOfRange(let t): return "\"\(t)\" is too large to be a finite number"
        }
    }
}
