/// The circuit elements of a deck. Each card is a typed value; only `NetlistWriter` turns it
/// into text. Instance names are written with the SPICE element letter in front when the
/// given name does not already start with it (`load` becomes `Rload` for a resistor).
public enum Element: Sendable, Hashable {
    case resistor(Resistor)
    case capacitor(Capacitor)
    case inductor(Inductor)
    case voltageSource(IndependentSource)
    case currentSource(IndependentSource)
    case vcvs(ControlledSource)  // E
    case vccs(ControlledSource)  // G
    case cccs(CurrentControlledSource)  // F
    case ccvs(CurrentControlledSource)  // H
    case behavioural(BehaviouralSource)  // B
    case mosfet(Mosfet)  // M
    case diode(Diode)  // D
    case instance(SubcircuitInstance)  // X
    case xspice(XspiceInstance)  // A

    /// The SPICE letter of this element kind.
    public var letter: Character {
        switch self {
        case .resistor: return "R"
        case .capacitor: return "C"
        case .inductor: return "L"
        case .voltageSource: return "V"
        case .currentSource: return "I"
        case .vcvs: return "E"
        case .vccs: return "G"
        case .cccs: return "F"
        case .ccvs: return "H"
        case .behavioural: return "B"
        case .mosfet: return "M"
        case .diode: return "D"
        case .instance: return "X"
        case .xspice: return "A"
        }
    }

    /// The name as given by the caller (before the letter is added).
    public var name: String {
        switch self {
        case .resistor(let e): return e.name
        case .capacitor(let e): return e.name
        case .inductor(let e): return e.name
        case .voltageSource(let e), .currentSource(let e): return e.name
        case .vcvs(let e), .vccs(let e): return e.name
        case .cccs(let e), .ccvs(let e): return e.name
        case .behavioural(let e): return e.name
        case .mosfet(let e): return e.name
        case .diode(let e): return e.name
        case .instance(let e): return e.name
        case .xspice(let e): return e.name
        }
    }

    /// The instance name as it appears in the deck and in ngspice's vectors (`Rload`).
    public var cardName: String { Element.cardName(letter: letter, name: name) }

    static func cardName(letter: Character, name: String) -> String {
        // ASCII compare: this runs once per element of decks with many thousands of them.
        if let first = name.utf8.first, let l = letter.asciiValue, first | 0x20 == l | 0x20 { return name }
        return String(letter) + name
    }

    // MARK: Convenience constructors

    public static func resistor(_ name: String, _ a: String, _ b: String, _ ohms: Value) -> Element {
        .resistor(Resistor(name: name, a: a, b: b, resistance: ohms))
    }

    public static func capacitor(_ name: String, _ a: String, _ b: String, _ farads: Value) -> Element {
        .capacitor(Capacitor(name: name, a: a, b: b, capacitance: farads))
    }

    public static func dcVoltage(_ name: String, _ plus: String, _ minus: String, _ volts: Value) -> Element {
        .voltageSource(IndependentSource(name: name, plus: plus, minus: minus, dc: volts))
    }

    public static func dcCurrent(_ name: String, _ plus: String, _ minus: String, _ amperes: Value) -> Element {
        .currentSource(IndependentSource(name: name, plus: plus, minus: minus, dc: amperes))
    }

    public static func vcvs(
        _ name: String, _ plus: String, _ minus: String, _ controlPlus: String, _ controlMinus: String,
        gain: Value
    ) -> Element {
        .vcvs(ControlledSource(name: name, plus: plus, minus: minus, controlPlus: controlPlus,
                               controlMinus: controlMinus, gain: gain))
    }

    public static func vccs(
        _ name: String, _ plus: String, _ minus: String, _ controlPlus: String, _ controlMinus: String,
        transconductance: Value
    ) -> Element {
        .vccs(ControlledSource(name: name, plus: plus, minus: minus, controlPlus: controlPlus,
                               controlMinus: controlMinus, gain: transconductance))
    }
}

public struct Resistor: Sendable, Hashable {
    public var name: String
    public var a: String
    public var b: String
    /// Ohms.
    public var resistance: Value
    public init(name: String, a: String, b: String, resistance: Value) {
        self.name = name; self.a = a; self.b = b; self.resistance = resistance
    }
}

public struct Capacitor: Sendable, Hashable {
    public var name: String
    public var a: String
    public var b: String
    /// Farads.
    public var capacitance: Value
    /// Initial voltage (volts), used with `.tran ... uic`.
    public var initialVoltage: Double?
    public init(name: String, a: String, b: String, capacitance: Value, initialVoltage: Double? = nil) {
        self.name = name; self.a = a; self.b = b; self.capacitance = capacitance
        self.initialVoltage = initialVoltage
    }
}

public struct Inductor: Sendable, Hashable {
    public var name: String
    public var a: String
    public var b: String
    /// Henries.
    public var inductance: Value
    /// Initial current (amperes), used with `.tran ... uic`.
    public var initialCurrent: Double?
    public init(name: String, a: String, b: String, inductance: Value, initialCurrent: Double? = nil) {
        self.name = name; self.a = a; self.b = b; self.inductance = inductance
        self.initialCurrent = initialCurrent
    }
}

/// An independent V or I source: DC value, optional AC stimulus and optional transient waveform.
public struct IndependentSource: Sendable, Hashable {
    public var name: String
    public var plus: String
    public var minus: String
    /// DC value (volts or amperes).
    public var dc: Value
    /// AC magnitude and phase (degrees) for `.ac`.
    public var ac: ACStimulus?
    public var waveform: Waveform?

    public init(name: String, plus: String, minus: String, dc: Value = 0, ac: ACStimulus? = nil,
                waveform: Waveform? = nil) {
        self.name = name; self.plus = plus; self.minus = minus
        self.dc = dc; self.ac = ac; self.waveform = waveform
    }
}

public struct ACStimulus: Sendable, Hashable {
    public var magnitude: Double
    public var phaseDegrees: Double
    public init(magnitude: Double, phaseDegrees: Double = 0) {
        self.magnitude = magnitude; self.phaseDegrees = phaseDegrees
    }
}

/// Transient waveforms of independent sources (seconds, volts or amperes).
public enum Waveform: Sendable, Hashable {
    case pulse(Pulse)
    case pwl([PWLPoint])
    case sine(Sine)
}

public struct Pulse: Sendable, Hashable {
    public var initial: Double
    public var pulsed: Double
    public var delay: Double
    public var rise: Double
    public var fall: Double
    public var width: Double
    public var period: Double
    public init(initial: Double, pulsed: Double, delay: Double = 0, rise: Double, fall: Double,
                width: Double, period: Double) {
        self.initial = initial; self.pulsed = pulsed; self.delay = delay; self.rise = rise
        self.fall = fall; self.width = width; self.period = period
    }
}

public struct PWLPoint: Sendable, Hashable {
    public var time: Double
    public var value: Double
    public init(_ time: Double, _ value: Double) { self.time = time; self.value = value }
}

public struct Sine: Sendable, Hashable {
    public var offset: Double
    public var amplitude: Double
    /// Hertz.
    public var frequency: Double
    public var delay: Double
    /// Damping factor (1/s).
    public var damping: Double
    public var phaseDegrees: Double
    public init(offset: Double, amplitude: Double, frequency: Double, delay: Double = 0,
                damping: Double = 0, phaseDegrees: Double = 0) {
        self.offset = offset; self.amplitude = amplitude; self.frequency = frequency
        self.delay = delay; self.damping = damping; self.phaseDegrees = phaseDegrees
    }
}

/// A linear voltage-controlled source: E (VCVS, gain in V/V) or G (VCCS, gain in S).
public struct ControlledSource: Sendable, Hashable {
    public var name: String
    public var plus: String
    public var minus: String
    public var controlPlus: String
    public var controlMinus: String
    public var gain: Value
    public init(name: String, plus: String, minus: String, controlPlus: String, controlMinus: String,
                gain: Value) {
        self.name = name; self.plus = plus; self.minus = minus
        self.controlPlus = controlPlus; self.controlMinus = controlMinus; self.gain = gain
    }
}

/// A linear current-controlled source: F (CCCS, A/A) or H (CCVS, ohms), sensing the current
/// through a voltage source (named as written in the deck, e.g. `Vsense`).
public struct CurrentControlledSource: Sendable, Hashable {
    public var name: String
    public var plus: String
    public var minus: String
    public var controllingSource: String
    public var gain: Value
    public init(name: String, plus: String, minus: String, controllingSource: String, gain: Value) {
        self.name = name; self.plus = plus; self.minus = minus
        self.controllingSource = controllingSource; self.gain = gain
    }
}

/// A B source: an arbitrary voltage (`V=`) or current (`I=`) given by an expression.
public struct BehaviouralSource: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case voltage, current }
    public var name: String
    public var plus: String
    public var minus: String
    public var kind: Kind
    public var expression: String
    public init(name: String, plus: String, minus: String, kind: Kind, expression: String) {
        self.name = name; self.plus = plus; self.minus = minus; self.kind = kind
        self.expression = expression
    }
}

public struct Mosfet: Sendable, Hashable {
    public var name: String
    public var drain: String
    public var gate: String
    public var source: String
    public var bulk: String
    public var model: String
    /// Instance parameters such as `w`, `l`, `m`, `nf` (SI units: metres).
    public var parameters: [Parameter]
    public init(name: String, drain: String, gate: String, source: String, bulk: String,
                model: String, parameters: [Parameter] = []) {
        self.name = name; self.drain = drain; self.gate = gate; self.source = source
        self.bulk = bulk; self.model = model; self.parameters = parameters
    }
}

public struct Diode: Sendable, Hashable {
    public var name: String
    public var anode: String
    public var cathode: String
    public var model: String
    public var area: Double?
    public init(name: String, anode: String, cathode: String, model: String, area: Double? = nil) {
        self.name = name; self.anode = anode; self.cathode = cathode; self.model = model
        self.area = area
    }
}

public struct SubcircuitInstance: Sendable, Hashable {
    public var name: String
    public var nodes: [String]
    public var subcircuit: String
    public var parameters: [Parameter]
    public init(name: String, nodes: [String], subcircuit: String, parameters: [Parameter] = []) {
        self.name = name; self.nodes = nodes; self.subcircuit = subcircuit
        self.parameters = parameters
    }
}

/// An XSPICE code-model instance: `A<name> <connections> <model>`.
public struct XspiceInstance: Sendable, Hashable {
    public enum Connection: Sendable, Hashable {
        case node(String)
        /// A vector port, written `[a b c]`.
        case vector([String])
        /// An unconnected port, written `NULL`.
        case null
    }
    public var name: String
    public var connections: [Connection]
    public var model: String
    public init(name: String, connections: [Connection], model: String) {
        self.name = name; self.connections = connections; self.model = model
    }
}
