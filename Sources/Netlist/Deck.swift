/// A typed SPICE deck. Cards live in typed collections and are written in one canonical
/// order (see `NetlistWriter`), so the same deck always gives the same bytes.
public struct Deck: Sendable, Hashable {
    /// The first line of the deck (SPICE ignores it as a card; control characters are replaced).
    public var title: String
    /// Comment lines written under the title (`* ...`), e.g. how the deck was generated.
    public var comments: [String]
    public var includes: [Include]
    public var parameters: [Parameter]
    public var options: [Parameter]
    public var models: [Model]
    public var subcircuits: [Subcircuit]
    public var elements: [Element]
    /// `.nodeset`: initial guesses for the operating point (volts).
    public var nodesets: [NodeVoltage]
    /// `.ic`: initial conditions for the transient (volts).
    public var initialConditions: [NodeVoltage]
    public var saves: [Probe]
    public var analyses: [Analysis]
    /// `.print` lines (for batch runs of the plain `ngspice` binary).
    public var prints: [Print]
    /// An optional `.control` ... `.endc` block for batch runs of the plain `ngspice` binary.
    public var control: [ControlCommand]

    public init(
        title: String,
        comments: [String] = [],
        includes: [Include] = [],
        parameters: [Parameter] = [],
        options: [Parameter] = [],
        models: [Model] = [],
        subcircuits: [Subcircuit] = [],
        elements: [Element] = [],
        nodesets: [NodeVoltage] = [],
        initialConditions: [NodeVoltage] = [],
        saves: [Probe] = [],
        analyses: [Analysis] = [],
        prints: [Print] = [],
        control: [ControlCommand] = []
    ) {
        self.title = title
        self.comments = comments
        self.includes = includes
        self.parameters = parameters
        self.options = options
        self.models = models
        self.subcircuits = subcircuits
        self.elements = elements
        self.nodesets = nodesets
        self.initialConditions = initialConditions
        self.saves = saves
        self.analyses = analyses
        self.prints = prints
        self.control = control
    }
}

/// `.include "path"` or `.lib "path" section`.
public enum Include: Sendable, Hashable {
    case file(String)
    case library(String, section: String)
}

/// `.model name type(params)`.
public struct Model: Sendable, Hashable {
    public var name: String
    /// The device type: `nmos`, `pmos`, `d`, `sw`, or an XSPICE code model such as `adc_bridge`.
    public var type: String
    public var parameters: [Parameter]
    public init(name: String, type: String, parameters: [Parameter] = []) {
        self.name = name; self.type = type; self.parameters = parameters
    }
}

/// `.subckt name ports params: ...` with its own models and elements, `.ends`.
public struct Subcircuit: Sendable, Hashable {
    public var name: String
    public var ports: [String]
    /// Default parameters (`params: a=1 b=2`).
    public var parameters: [Parameter]
    public var comments: [String]
    public var models: [Model]
    public var elements: [Element]
    public init(name: String, ports: [String], parameters: [Parameter] = [], comments: [String] = [],
                models: [Model] = [], elements: [Element] = []) {
        self.name = name; self.ports = ports; self.parameters = parameters
        self.comments = comments; self.models = models; self.elements = elements
    }
}

/// `v(node)=volts` in `.nodeset` and `.ic`.
public struct NodeVoltage: Sendable, Hashable {
    public var node: String
    public var volts: Double
    public init(_ node: String, _ volts: Double) { self.node = node; self.volts = volts }
}

/// A vector to save or print.
public enum Probe: Sendable, Hashable {
    /// `v(node)`; `node` may be a dotted hierarchical path such as `x1.out`.
    case voltage(String)
    /// `v(a,b)`.
    case differential(String, String)
    /// `i(Vname)`: the current through a voltage source, named as written in the deck.
    case current(String)
    /// `all`: every node voltage and source current.
    case all
}

public enum Analysis: Sendable, Hashable {
    case operatingPoint
    /// `.dc source start stop step`.
    case dcSweep(source: String, start: Double, stop: Double, step: Double)
    /// `.tran tstep tstop [tstart [tmax]] [uic]`.
    case transient(Transient)
    /// `.ac dec|oct|lin points fstart fstop`.
    case ac(AC)
}

public struct Transient: Sendable, Hashable {
    /// Printing increment (seconds).
    public var step: Double
    public var stop: Double
    public var start: Double
    /// Largest internal timestep (seconds), nil for ngspice's default.
    public var maxStep: Double?
    /// Skip the operating point and start from `.ic` / element initial conditions.
    public var useInitialConditions: Bool
    public init(step: Double, stop: Double, start: Double = 0, maxStep: Double? = nil,
                useInitialConditions: Bool = false) {
        self.step = step; self.stop = stop; self.start = start; self.maxStep = maxStep
        self.useInitialConditions = useInitialConditions
    }
}

public struct AC: Sendable, Hashable {
    public enum Sweep: String, Sendable, Hashable { case decade = "dec", octave = "oct", linear = "lin" }
    public var sweep: Sweep
    public var points: Int
    /// Hertz.
    public var start: Double
    public var stop: Double
    public init(sweep: Sweep, points: Int, start: Double, stop: Double) {
        self.sweep = sweep; self.points = points; self.start = start; self.stop = stop
    }
}

/// `.print kind probes`.
public struct Print: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case dc, ac, tran }
    public var kind: Kind
    public var probes: [Probe]
    public init(_ kind: Kind, _ probes: [Probe]) { self.kind = kind; self.probes = probes }
}

/// Commands of a `.control` block, typed so that nothing can break out of the block.
public enum ControlCommand: Sendable, Hashable {
    /// Runs the analyses of the deck (`run`).
    case run
    /// `op`, `tran step stop`: an analysis run from the control block.
    case analysis(Analysis)
    /// `set name` / `set name=value`.
    case set(String, ParameterValue?)
    /// `option name` / `option name=value`.
    case option(String, ParameterValue?)
    /// `print probes` (one line per vector, scalars as `name = value`).
    case print([Probe])
    /// `write path probes` (raw file).
    case write(path: String, probes: [Probe])
    case quit
}
