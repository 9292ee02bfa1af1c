/// An element or model parameter value: a number, or an expression that ngspice evaluates
/// (written in braces, e.g. `{rbase*2}`), which is how decks are parameterised for
/// `alterparam` re-solves.
public enum Value: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    case number(Double)
    case expression(String)

    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }

    public var description: String {
        switch self {
        case .number(let x): return SpiceNumber.format(x) ?? "\(x)"
        case .expression(let e): return "{\(e)}"
        }
    }
}

/// `name=value`, as in `.param`, `.options`, subcircuit defaults and device instance parameters.
public struct Parameter: Sendable, Hashable {
    public var name: String
    public var value: ParameterValue

    public init(_ name: String, _ value: ParameterValue) {
        self.name = name
        self.value = value
    }
}

/// The right-hand side of `name=value`.
public enum ParameterValue: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case number(Double)
    /// An expression, written in braces.
    case expression(String)
    /// A bare word such as a model flag or an XSPICE string (`out_default=0`, `family="ttl"`).
    case word(String)
    /// An XSPICE vector parameter, written as `[a b c]`.
    case numbers([Double])
    /// A flag option with no value (`.options klu`).
    case flag

    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}
