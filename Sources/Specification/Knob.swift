import Foundation
import Netlist
import Reports

/// One setting of a solve: its name (the sweep-file key and, as `--name`, the flag), the
/// part of the specification it belongs to, its unit, default, allowed values and help, and
/// how it writes into a ``SolveSpecification``. ``Knob/table`` holds them all: it generates
/// the options and help of every command, the keys of sweep files and the parameter lists of
/// reports, so a new setting is one entry there and its use in the generator.
public struct Knob: Sendable {
    public enum Section: String, Sendable, CaseIterable {
        /// The circuit: mapping, amplifiers, cells, converters, wires, technology.
        case design
        /// Corner, temperature and supply of the technology.
        case conditions
        /// Monte Carlo models (sweeps).
        case variation
        /// The analysis and what is measured.
        case plan
        /// When the answer passes.
        case policy
        /// How long a run may take.
        case limits
    }

    /// What values a knob takes.
    public enum Kind: Sendable {
        /// A real number in `unit` (SPICE scales allowed), within `domain`.
        case quantity(unit: String, domain: Domain)
        /// A whole number of `unit` in `range`; `zero`, when set, is also allowed and says what
        /// 0 means.
        case integer(ClosedRange<Int>, zero: String?, unit: String = "bit")
        /// One of `choices` (the first spelling of each is the canonical one; the others are
        /// accepted aliases).
        case choice([[String]])
        /// true or false; on the command line `--name` / `--no-name`.
        case flag
        /// Free text checked by the knob's `apply`.
        case text(valueName: String)
    }

    /// Where a knob has an effect: anywhere, or only on a design with devices.
    public enum Scope: Sendable {
        case always
        /// Only at transistor fidelity (switch sizes, the SRAM model, simulated converters).
        case transistor
        /// Only on a technology (corners, temperature, supply, mismatch).
        case technology
    }

    public let name: String
    public let section: Section
    /// Setting the knob where it has no effect is refused, naming the knob.
    public let scope: Scope
    public let kind: Kind
    /// The default as a user would type it ("10meg", "0.5"), or what happens without one.
    public let defaultText: String
    public let help: String
    /// Other command-line spellings (`--temp` for `--temperature`).
    public let aliases: [String]
    let apply: @Sendable (inout Draft, KnobSetting) throws(SpecificationError) -> Void
    /// The knob's value in a resolved specification; nil where it does not apply (`gbw` of
    /// ideal op-amps) or is left to the design (`gin-ratio` auto-ranged).
    public let read: @Sendable (SolveSpecification) -> KnobValue?

    init(_ name: String, _ section: Section, _ kind: Kind, default defaultText: String, aliases: [String] = [],
         scope: Scope = .always, _ help: String, read: @escaping @Sendable (SolveSpecification) -> KnobValue?,
         apply: @escaping @Sendable (inout Draft, KnobSetting) throws(SpecificationError) -> Void) {
        self.read = read
        self.scope = scope
        self.name = name
        self.section = section
        self.kind = kind
        self.defaultText = defaultText
        self.aliases = aliases
        self.help = help
        self.apply = apply
    }

    /// `section.name`: how library errors and reports name the knob.
    public var qualifiedName: String { "\(section.rawValue).\(name)" }

    /// The unit, "" when dimensionless or not a number.
    public var unit: String {
        switch kind {
        case .quantity(let unit, _), .integer(_, _, let unit): return unit
        default: return ""
        }
    }

    /// How the value is written in usage lines: `<Hz>`, `<op|tran>`, `<N>`.
    public var valueName: String {
        switch kind {
        case .quantity(let unit, _): return unit.isEmpty ? "x" : unit
        case .integer: return "N"
        case .choice(let choices): return choices.map { $0[0] }.joined(separator: "|")
        case .flag: return "true|false"
        case .text(let valueName): return valueName
        }
    }

    /// The allowed values in words, for help and errors.
    public var requirement: String {
        switch kind {
        case .quantity(let unit, let domain): return domain.text(unit: unit)
        case .integer(let range, let zero, _):
            return "a whole number from \(range.lowerBound) to \(range.upperBound)" + (zero.map { ", or 0 for \($0)" } ?? "")
        case .choice(let choices): return "one of " + choices.map { $0[0] }.joined(separator: ", ")
        case .flag: return "true or false"
        case .text: return help
        }
    }

    /// Reads a value as given (a number, a word or a boolean) into the knob's type.
    func read(_ value: KnobValue) throws(SpecificationError) -> KnobSetting {
        func invalid(_ why: String) -> SpecificationError { .invalid(knob: qualifiedName, value: value.echo, requirement: why) }
        switch kind {
        case .quantity(let unit, let domain):
            let x: Double
            switch value {
            case .number(let n): x = n
            case .text(let t):
                switch Quantity.parse(t, unit: unit) {
                case .success(let v): x = v
                case .failure(let error): throw invalid("\(error)")
                }
            case .flag: throw invalid("it must be a number: \(requirement)")
            }
            guard x.isFinite, domain.contains(x) else { throw invalid("it must be \(requirement)") }
            return .number(x)
        case .integer(let range, let zero, _):
            let x: Double
            switch value {
            case .number(let n): x = n
            case .text(let t):
                guard case .success(let v) = Quantity.parse(t, unit: "") else { throw invalid("it must be \(requirement)") }
                x = v
            case .flag: throw invalid("it must be \(requirement)")
            }
            guard x.isFinite, x == x.rounded(), abs(x) < 1e9 else { throw invalid("it must be \(requirement)") }
            let n = Int(x)
            guard range.contains(n) || (n == 0 && zero != nil) else { throw invalid("it must be \(requirement)") }
            return .integer(n)
        case .choice(let choices):
            guard case .text(let t) = value,
                  let choice = choices.first(where: { $0.contains(t.lowercased()) }) else { throw invalid("it must be \(requirement)") }
            return .word(choice[0])
        case .flag:
            switch value {
            case .flag(let b): return .flag(b)
            case .text(let t) where ["true", "yes", "on", "1"].contains(t.lowercased()): return .flag(true)
            case .text(let t) where ["false", "no", "off", "0"].contains(t.lowercased()): return .flag(false)
            default: throw invalid("it must be true or false")
            }
        case .text:
            guard case .text(let t) = value else { throw invalid("it must be text: \(help)") }
            return .word(t)
        }
    }
}

extension Knob {
    /// `text` with every knob's qualified name (`design.gin-ratio`) spelt as `spelling` says:
    /// library messages name knobs, and the command line shows them as flags.
    public static func spelled(_ text: String, as spelling: SpecificationError.Spelling) -> String {
        guard spelling == .flag else { return text }
        var result = text
        for knob in table.sorted(by: { $0.qualifiedName.count > $1.qualifiedName.count }) {
            var out = ""
            var rest = Substring(result)
            while let range = rest.range(of: knob.qualifiedName) {
                let next = rest[range.upperBound...].first
                let boundary = next.map { !($0.isLetter || $0.isNumber || $0 == "-") } ?? true
                out += rest[..<range.lowerBound] + (boundary ? "--\(knob.name)" : knob.qualifiedName)
                rest = rest[range.upperBound...]
            }
            result = out + rest
        }
        return result
    }
}

/// A value as a front end gives it: typed text, a JSON number or a JSON boolean.
public enum KnobValue: Sendable, Hashable {
    case text(String)
    case number(Double)
    case flag(Bool)

    /// The value for messages, shortened.
    var echo: String {
        switch self {
        case .text(let t): return Quantity.echo(t)
        case .number(let x): return SpiceNumber.format(x) ?? "\(x)"
        case .flag(let b): return "\(b)"
        }
    }
}

/// A value read into its knob's type.
enum KnobSetting {
    case number(Double)
    case integer(Int)
    case word(String)
    case flag(Bool)

    var number: Double { if case .number(let x) = self { return x }; return .nan }
    var integer: Int { if case .integer(let n) = self { return n }; return 0 }
    var word: String { if case .word(let w) = self { return w }; return "" }
    var flag: Bool { if case .flag(let b) = self { return b }; return false }
}

/// Where a real-valued knob may lie.
public struct Domain: Sendable, Hashable {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?
    public var upperInclusive: Bool

    public static let positive = Domain(lower: 0, lowerInclusive: false, upper: nil, upperInclusive: false)
    public static let nonNegative = Domain(lower: 0, lowerInclusive: true, upper: nil, upperInclusive: false)
    public static let any = Domain(lower: nil, lowerInclusive: false, upper: nil, upperInclusive: false)
    public static func open(_ a: Double, _ b: Double) -> Domain { Domain(lower: a, lowerInclusive: false, upper: b, upperInclusive: false) }
    public static func closed(_ a: Double, _ b: Double) -> Domain { Domain(lower: a, lowerInclusive: true, upper: b, upperInclusive: true) }
    public static func above(_ a: Double) -> Domain { Domain(lower: a, lowerInclusive: false, upper: nil, upperInclusive: false) }
    public static func upTo(_ b: Double) -> Domain { Domain(lower: 0, lowerInclusive: false, upper: b, upperInclusive: true) }

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    func text(unit: String) -> String {
        let u = unit.isEmpty ? "" : " \(unit)"
        switch (lower, upper) {
        case (nil, nil): return "a finite number" + (unit.isEmpty ? "" : " of\(u)")
        case (let a?, nil) where a == 0: return (lowerInclusive ? "zero or positive" : "positive") + (unit.isEmpty ? "" : ",\(u)")
        case (let a?, nil): return "above \(spiceTyped(a))\(u)"
        case (nil, let b?): return "below \(spiceTyped(b))\(u)"
        case (let a?, let b?):
            let (x, y) = (spiceTyped(a), spiceTyped(b))
            switch (lowerInclusive, upperInclusive) {
            case (true, true): return "from \(x) to \(y)\(u)"
            case (false, true): return "above \(x) and at most \(y)\(u)"
            case (true, false): return "at least \(x) and below \(y)\(u)"
            case (false, false): return "between \(x) and \(y)\(u), both excluded"
            }
        }
    }
}

/// A setting that cannot be used, naming the knob as the specification does
/// (`design.temperature`); front ends translate the name into their own spelling.
public enum SpecificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A value outside what its knob takes.
    case invalid(knob: String, value: String, requirement: String)
    /// Settings that do not go together.
    case conflict(knobs: [String], reason: String)
    /// A name that is no knob.
    case unknown(name: String, suggestion: String?)

    public var description: String { rendered(.knob) }

    /// How a front end names knobs in messages.
    public enum Spelling: Sendable {
        /// As the specification and sweep files do: `conditions.temperature = 300`.
        case knob
        /// As the command line does: `--temperature 300`.
        case flag
    }

    /// The message with every knob named as `spelling` says.
    public func rendered(_ spelling: Spelling) -> String {
        switch self {
        case .invalid(let knob, let value, let requirement):
            return spelling == .flag ? "\(Knob.spelled(knob, as: .flag)) \(value): \(requirement)" : "\(knob) = \(value): \(requirement)"
        case .conflict(_, let reason): return Knob.spelled(reason, as: spelling)
        case .unknown(let name, let suggestion):
            return "unknown setting \(name)" + (suggestion.map { "; did you mean \(Knob.spelled($0, as: spelling))?" } ?? "")
        }
    }
}
