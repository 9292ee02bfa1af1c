/// SPICE names: what may appear as a node, instance, model or subcircuit name in a deck.
///
/// SPICE reads a deck line by line and card by card, so a name containing a newline, a
/// leading `.` or `*`, a `;`/`$` comment, a space, `=`, parentheses or braces would change the
/// meaning of the deck. Crossloop accepts only `[A-Za-z0-9_]` (plus `.`-separated paths where
/// SPICE uses hierarchy, e.g. `x1.n3` in a probe). SPICE is case-insensitive, so collisions
/// are detected case-insensitively.
public enum SpiceName {
    /// Longest name accepted; ngspice has no small limit, but a longer one is surely an error.
    public static let maximumLength = 128

    /// Why a name is unsafe, or nil when it is safe.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        let utf8 = name.utf8
        if utf8.count > maximumLength { return "is longer than \(maximumLength) characters" }
        // Fast path: decks hold many thousands of names, nearly all plain ASCII.
        if utf8.allSatisfy(isAllowedByte) { return nil }
        for scalar in name.unicodeScalars where !isAllowed(scalar) {
            return "contains \(describe(scalar)); only letters, digits and '_' are allowed"
        }
        return nil
    }

    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }

    /// Maps any user text to a safe name: every disallowed character becomes `_`, an empty
    /// result becomes `_`, and over-long names are cut. Different inputs can map to the
    /// same name; the writer rejects the resulting duplicates.
    public static func sanitised(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(isAllowed(scalar) ? scalar : "_")
            if out.count == maximumLength { break }
        }
        return out.isEmpty ? "_" : String(out)
    }

    @inline(__always)
    static func isAllowedByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": return true
        default: return false
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "a newline"
        case "\r": return "a carriage return"
        case "\t": return "a tab"
        case " ": return "a space"
        default:
            if scalar.properties.generalCategory == .control {
                return "control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            }
            return "'\(Character(scalar))'"
        }
    }
}
