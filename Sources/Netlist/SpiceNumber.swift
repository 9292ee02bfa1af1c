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
        // Shortest round-trip, "C" style: 1e-05, 2.5, 100000.0. Swift never writes ".0" before
        // an exponent, so trimming a trailing ".0" is the only tidying needed.
        var text = value.description
        let utf8 = text.utf8
        if utf8.count > 2, utf8.last == UInt8(ascii: "0"), utf8[utf8.index(utf8.endIndex, offsetBy: -2)] == UInt8(ascii: ".") {
            text.removeLast(2)
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
        let numberText = String(s[s.startIndex..<numberEnd])
        guard sawDigit, let mantissa = Double(numberText) else { return nil }
        let rest = s[numberEnd...]
        // Power-of-ten suffixes are applied to the decimal exponent, not by multiplication,
        // so "2.5u" is exactly the double nearest 2.5e-6.
        var decade = 0
        var factor = 1.0
        var suffixLength = 0
        if rest.isEmpty {
        } else if rest.hasPrefix("meg") { decade = 6; suffixLength = 3 }
        else if rest.hasPrefix("mil") { factor = 25.4e-6; suffixLength = 3 }
        else {
            suffixLength = 1
            switch rest.first! {
            case "t": decade = 12
            case "g": decade = 9
            case "k": decade = 3
            case "m": decade = -3
            case "u", "µ": decade = -6
            case "n": decade = -9
            case "p": decade = -12
            case "f": decade = -15
            case "a" where rest.count == 1: decade = -18
            default: suffixLength = 0  // unit letters alone (e.g. "5V", "2s") carry no scale
            }
        }
        // After the scale, only unit letters may follow ("10kOhm", "1uF").
        guard rest.dropFirst(suffixLength).allSatisfy({ $0.isLetter }) else { return nil }
        let scaled: Double
        if decade == 0 {
            scaled = mantissa
        } else {
            let parts = numberText.split(separator: "e", maxSplits: 1)
            let exponent = (parts.count == 2 ? Int(parts[1]) ?? 0 : 0) + decade
            scaled = Double("\(parts[0])e\(exponent)") ?? mantissa
        }
        let value = scaled * factor
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
