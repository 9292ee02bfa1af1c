/// The one number formatter (and parser) of every deck Crossloop writes.
///
/// Formatting is locale-independent and lossless: Swift's shortest round-trip decimal
/// representation, so `Double(format(x)) == x` for every finite `x`, and the same value
/// always gives the same bytes (golden decks stay stable). SPICE scale suffixes are never
/// emitted because `M` (milli) versus `Meg` is a classic trap; they are accepted on input.
public enum SpiceNumber {
    /// Formats a finite value; `nil` for NaN or infinity, which no deck may contain.
    public static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }  // also folds -0
        var text = value.description  // shortest round-trip, "C" style, e.g. 1e-05, 2.5, 100000.0
        if text.hasSuffix(".0") { text.removeLast(2) }
        if let e = text.firstIndex(of: "e") {
            // "1.0e-05" never occurs in Swift's output, but keep mantissas tidy regardless.
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            text = mantissa + text[e...]
        }
        return text
    }

    /// Parses a SPICE number: a decimal with optional exponent and an optional scale suffix
    /// (`t g meg k m u n p f`, and `mil`), case-insensitive, trailing unit letters ignored
    /// as SPICE does (`10kOhm`, `1uF`). Returns nil for anything else.
    public static func parse(_ text: String) -> Double? {
        let s = text.trimmingSpaces().lowercased()
        guard !s.isEmpty else { return nil }
        // Longest numeric prefix that Double accepts.
        var numberEnd = s.startIndex
        var index = s.startIndex
        var sawDigit = false
        var sawExponent = false
        while index < s.endIndex {
            let c = s[index]
            if c.isASCII, c.isNumber {
                sawDigit = true
            } else if c == "." {
            } else if (c == "+" || c == "-") && (index == s.startIndex || s[s.index(before: index)] == "e") {
            } else if c == "e" && sawDigit && !sawExponent {
                // Only an exponent if digits follow (possibly after a sign).
                let next = s.index(after: index)
                var probe = next
                if probe < s.endIndex, s[probe] == "+" || s[probe] == "-" { probe = s.index(after: probe) }
                guard probe < s.endIndex, s[probe].isASCII, s[probe].isNumber else { break }
                sawExponent = true
            } else {
                break
            }
            index = s.index(after: index)
            numberEnd = index
        }
        guard sawDigit, let mantissa = Double(s[s.startIndex..<numberEnd]) else { return nil }
        let rest = s[numberEnd...]
        let scale: Double
        if rest.isEmpty { scale = 1 }
        else if rest.hasPrefix("meg") { scale = 1e6 }
        else if rest.hasPrefix("mil") { scale = 25.4e-6 }
        else {
            switch rest.first! {
            case "t": scale = 1e12
            case "g": scale = 1e9
            case "k": scale = 1e3
            case "m": scale = 1e-3
            case "u", "µ": scale = 1e-6
            case "n": scale = 1e-9
            case "p": scale = 1e-12
            case "f": scale = 1e-15
            case "a" where rest.count == 1: scale = 1e-18
            default:
                // Unit letters alone (e.g. "5V", "2s", "3ohm") carry no scale.
                guard rest.allSatisfy({ $0.isLetter }) else { return nil }
                scale = 1
            }
        }
        let value = mantissa * scale
        return value.isFinite ? value : nil
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
