import Specification
import Testing

@Suite("Numbers as people type them")
struct QuantityTests {
    static func value(_ text: String, _ unit: String = "") -> Double? {
        if case .success(let x) = Quantity.parse(text, unit: unit) { return x }
        return nil
    }

    @Test("SPICE scales and the knob's unit give the exact double of the decimal")
    func scales() {
        let cases: [(String, String, Double)] = [
            ("10meg", "Hz", 10e6), ("10megHz", "Hz", 10e6), ("10MEG", "Hz", 10e6), ("2.5k", "Ohm", 2.5e3),
            ("2.5kOhm", "Ohm", 2.5e3), ("-10m", "V", -10e-3), ("1e-3", "", 1e-3), ("+4", "", 4), (".5", "V", 0.5),
            ("1f", "F", 1e-15), ("1uF", "F", 1e-6), ("5s", "s", 5), ("85C", "C", 85), ("1p", "J", 1e-12),
            ("3T", "Hz", 3e12), ("7g", "Hz", 7e9), ("100n", "s", 100e-9), (" 10u ", "S", 10e-6),
        ]
        for (text, unit, expected) in cases {
            #expect(Self.value(text, unit) == expected, "\(text) in \(unit)")
        }
    }

    @Test("what a designer would misread is refused, with the reason")
    func refusals() {
        let cases: [(String, String, String)] = [
            ("10MHz", "Hz", "SPICE reads M as milli"), ("10M", "Hz", "SPICE reads M as milli"),
            ("1e", "", "exponent without digits"), ("10x", "Hz", "is not a scale"), ("10kHz", "V", "is not a scale"),
            ("1e400", "", "too large"), ("", "", "no value"), ("abc", "", "is not a number"), ("1.2.3", "", "is not a scale"),
            ("10Hz", "", "is not a scale"),
        ]
        for (text, unit, reason) in cases {
            guard case .failure(let error) = Quantity.parse(text, unit: unit) else {
                Issue.record("\(text) in \(unit) was accepted"); continue
            }
            #expect(error.description.contains(reason), "\(text): \(error)")
        }
    }

    @Test("a huge token is not echoed whole")
    func echo() {
        let token = String(repeating: "9", count: 10_000_000) + "x"
        guard case .failure(let error) = Quantity.parse(token, unit: "Hz") else { Issue.record("accepted"); return }
        #expect(error.description.count < 300, "\(error.description.count) characters")
    }
}
