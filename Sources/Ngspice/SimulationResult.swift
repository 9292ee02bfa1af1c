import Foundation

/// A complex sample of an `.ac` vector.
public struct ComplexSample: Sendable, Hashable {
    public var real: Double
    public var imaginary: Double
    public init(_ real: Double, _ imaginary: Double) { self.real = real; self.imaginary = imaginary }
    public var magnitude: Double { (real * real + imaginary * imaginary).squareRoot() }
    /// Radians.
    public var phase: Double { atan2(imaginary, real) }
}

/// One vector copied out of ngspice (never a pointer into its memory).
public struct SpiceVector: Sendable, Hashable {
    public enum Values: Sendable, Hashable {
        case real([Double])
        case complex([ComplexSample])
    }

    /// The name as ngspice reports it, lowercased (`out`, `v1#branch`, `time`).
    public var name: String
    public var values: Values

    public init(name: String, values: Values) { self.name = name; self.values = values }

    public var count: Int {
        switch values {
        case .real(let xs): return xs.count
        case .complex(let zs): return zs.count
        }
    }

    /// Real values; for a complex vector, the real parts.
    public var real: [Double] {
        switch values {
        case .real(let xs): return xs
        case .complex(let zs): return zs.map(\.real)
        }
    }

    public var complex: [ComplexSample] {
        switch values {
        case .real(let xs): return xs.map { ComplexSample($0, 0) }
        case .complex(let zs): return zs
        }
    }

    public var isComplex: Bool { if case .complex = values { true } else { false } }

    /// The kind of quantity, from ngspice's naming (type codes differ between versions).
    public var quantity: Quantity { Quantity(vectorName: name) }

    public enum Quantity: String, Sendable, Hashable {
        case time, frequency, sweep, voltage, current, other
        init(vectorName name: String) {
            let n = name.lowercased()
            if n == "time" { self = .time }
            else if n == "frequency" { self = .frequency }
            else if n.hasSuffix("-sweep") { self = .sweep }
            else if n.hasSuffix("#branch") || n.hasPrefix("i(") || n.hasPrefix("@") { self = .current }
            else if n.hasPrefix("v(") || !n.contains("#") { self = .voltage }
            else { self = .other }
        }
    }
}

/// The vectors of one analysis (`op1`, `tran1`, `ac1`, ...).
public struct Plot: Sendable, Hashable {
    /// ngspice's plot name, e.g. `tran1`.
    public var name: String
    public var vectors: [SpiceVector]

    public init(name: String, vectors: [SpiceVector]) { self.name = name; self.vectors = vectors }

    /// The analysis kind from the plot name (`op`, `tran`, `ac`, `dc`, ...).
    public var analysis: String { String(name.prefix { $0.isLetter }) }

    /// The independent variable (time, frequency, sweep), nil for an operating point.
    public var scale: SpiceVector? { vectors.first { [.time, .frequency, .sweep].contains($0.quantity) } }

    /// Looks a vector up the way users write it: `out`, `v(out)`, `i(V1)`, `v1#branch`;
    /// case-insensitive, as SPICE is.
    public subscript(_ name: String) -> SpiceVector? {
        let key = Plot.canonical(name)
        return vectors.first { Plot.canonical($0.name) == key }
    }

    /// Node voltages only (what `crossloop simulate` prints by default).
    public var nodeVoltages: [SpiceVector] { vectors.filter { $0.quantity == .voltage } }

    static func canonical(_ name: String) -> String {
        let n = name.lowercased()
        if n.hasPrefix("v("), n.hasSuffix(")"), !n.contains(",") { return String(n.dropFirst(2).dropLast()) }
        if n.hasPrefix("i("), n.hasSuffix(")") { return String(n.dropFirst(2).dropLast()) + "#branch" }
        return n
    }
}

/// What one run produced, with the facts needed to trust it.
public struct SimulationResult: Sendable {
    /// Plots created by this run, in order.
    public var plots: [Plot]
    public var diagnostics: [Diagnostic]
    /// What the deck's control script printed, in order, as ngspice printed it.
    public var scriptOutput: [Diagnostic]
    /// The status the deck's script quit with (`quit 1`), nil when it did not quit.
    public var quitStatus: Int?
    /// The linear solver ngspice reported using.
    public var solver: Solver
    public var ngspiceVersion: String
    /// Seconds spent loading the deck (parse and setup).
    public var loadSeconds: Double
    /// Seconds spent running the analyses.
    public var runSeconds: Double

    public init(plots: [Plot], diagnostics: [Diagnostic], scriptOutput: [Diagnostic] = [], solver: Solver,
                ngspiceVersion: String, loadSeconds: Double, runSeconds: Double) {
        self.plots = plots; self.diagnostics = diagnostics; self.scriptOutput = scriptOutput; self.solver = solver
        self.ngspiceVersion = ngspiceVersion; self.loadSeconds = loadSeconds; self.runSeconds = runSeconds
    }

    public var lastPlot: Plot? { plots.last }
    /// The `.measure` / `meas` results ngspice printed, in order.
    public var measurements: [SpiceMeasurement] { SpiceMeasurement.parse(diagnostics) }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// The first plot of the given analysis kind (`op`, `tran`, `ac`, `dc`).
    public func plot(_ analysis: String) -> Plot? { plots.first { $0.analysis == analysis } }
}

public enum Solver: String, Sendable, Hashable, Codable {
    case klu = "KLU"
    case sparse = "Sparse 1.3"
    case unknown
}

/// Progress of a running analysis, from ngspice's status callback.
public struct RunProgress: Sendable, Hashable {
    /// The analysis, e.g. `tran`.
    public var analysis: String
    /// 0 to 100.
    public var percent: Double
}

