import Foundation

// The number formatters of every report a person reads (decks use `SpiceNumber`, which is
// lossless; these are for reading).

/// 12.3 kOhm, 10 MHz, 1.5 uS: a value with an SI prefix for people (decks use `SpiceNumber`).
public func engineering(_ value: Double, unit: String, digits: Int = 4) -> String {
    // No prefix where it would read as part of the unit: "m1/m" for 1.2e-3 1/m.
    guard value.isFinite, value != 0, !unit.isEmpty, unit != "V/V", unit != "bit", !unit.hasPrefix("1/") else {
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : formatSignificant(value, digits)
        return unit.isEmpty ? text : "\(text) \(unit)"
    }
    let prefixes: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"),
                                         (1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")]
    let magnitude = abs(value)
    // A value that rounds up to the next prefix takes it (999.96 uS is "1 mS", not "1000 uS").
    let (scale, prefix) = prefixes.first { magnitude >= $0.0 * (1 - 5e-5) } ?? prefixes.last!
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


/// `digits` significant digits, C's `%g`; "NaN", "inf" and "-inf" for the rest.
public func significant(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)g", x)
}

/// `digits` decimals in scientific notation, C's `%e`.
public func scientific(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)e", x) }

/// A fraction as a percentage with one decimal; "-" when not finite.
public func percent(_ x: Double) -> String { x.isFinite ? String(format: "%.1f %%", 100 * x) : "-" }

/// A number as a user types it on a command line or in a deck: SPICE scales, not SI
/// prefixes (1k, 1meg, 0.5, -55).
public func spiceTyped(_ x: Double) -> String {
    let scales: [(Double, String)] = [(1e12, "T"), (1e9, "g"), (1e6, "meg"), (1e3, "k"), (1, ""), (1e-3, "m"),
                                      (1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")]
    guard x != 0, x.isFinite else { return significant(x, 4) }
    let (scale, suffix) = scales.first { abs(x) >= $0.0 * (1 - 5e-5) } ?? scales.last!
    // Numbers of everyday size read best as they are (-55, 175, 0.5).
    if abs(x) < 1e3, abs(x) >= 1e-3 { return significant(x, 6) }
    return significant(x / scale, 4) + suffix
}
