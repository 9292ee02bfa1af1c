import Foundation
import Netlist
import Yams

/// A designer's own subcircuit standing where one of Crossloop's blocks would: the loop
/// op-amp (`--opamp FILE:SUBCKT`), the array cell (`--cell`), the input DAC (`--dac`) or the
/// output ADC (`--adc`).
///
/// The file is included by reference (`.include`), never copied or rewritten. Which port plays
/// which role comes from a block description: YAML (or JSON) in a sidecar `FILE.yaml` /
/// `FILE.json`, or in the file's own comment header on lines that start with `*>`. The
/// description is keyed by subcircuit name:
///
/// ```
/// *> ota5t:
/// *>   kind: opamp
/// *>   pins: {inp: ip, inn: in, out: o, vdd: vdd, vss: gnd}
/// *>   bias: {nb: {current: 10u}}
/// .subckt ota5t ip in o vdd gnd nb
/// ```
///
/// Roles: an op-amp has `inp`, `inn`, `out`, `vdd`, `vss`; a cell has `row` (the summing
/// line), `column` (the drive line), `bits` (gate pins, least significant first), optionally
/// `bitsBar` (complementary gates, same order) and `vdd`/`vss`; a DAC has `bits` (inputs, least
/// significant first), `out`, `vdd`, `vss` and optionally `refp`/`refn`; an ADC has `in`, `clk`,
/// `samp`, `bits` (code outputs, least significant first), `vdd`, `vss` and optionally `refp`,
/// `refn`, `vcm`, and a `timing` entry (``ADCClock``). Any kind may tie further ports
/// with `bias`: `{current: 10u}` (a current from vdd into the pin), `{voltage: 0.6}` (a source
/// from the pin to vss), or `ref` (the analogue reference, mid-rail). Every port of the
/// subcircuit must have exactly one role or tie.
public struct UserBlock: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case opamp
        case cell
        case dac
        case adc
    }

    /// When a designer's ADC samples and when its code is ready, in periods of the clock
    /// Crossloop drives on `clk` (rising edges at multiples of the period): `samp` is high for
    /// `sampleCycles` periods (it rises an eighth of a period after an edge), and the code on
    /// the outputs is valid `conversionCycles` periods after `samp` falls and holds until the
    /// next conversion ends. Description: `timing: {clock: 10n, sample: 2, convert: 8}`.
    public struct ADCClock: Sendable, Hashable, Codable {
        public var periodSeconds: Double
        public var sampleCycles: Int
        public var conversionCycles: Int
    }

    /// How a port that is not a signal is held.
    public enum Tie: Sendable, Hashable {
        /// A current from vdd into the pin, amperes.
        case current(Double)
        /// A source from the pin to vss, volts.
        case voltage(Double)
        /// The analogue reference (mid-rail), from an ideal source inside the wrapper.
        case reference
    }

    public var kind: Kind
    /// The file as given, made absolute.
    public var file: String
    /// The subcircuit's name as written in the file.
    public var subcircuit: String
    /// The subcircuit's ports in declaration order.
    public var ports: [String]
    /// Role (`inp`, `row`, ...) to port, for single-pin roles.
    public var pins: [String: String]
    /// Cells: the gate of each magnitude bit, least significant first, and their complements.
    public var bits: [String]
    public var bitsBar: [String]
    /// Ports held by a bias or the reference.
    public var ties: [String: Tie]
    /// ADCs: the clocking the description states.
    public var clock: ADCClock?
    /// Where the description came from (for messages).
    public var describedIn: String

    /// `FILE:SUBCKT` as typed.
    public var reference: String { "\(file):\(subcircuit)" }

    /// The roles a block of each kind must map.
    public static func requiredRoles(_ kind: Kind) -> [String] {
        switch kind {
        case .opamp: return ["inp", "inn", "out", "vdd", "vss"]
        case .cell: return ["row", "column"]
        case .dac: return ["out", "vdd", "vss"]
        case .adc: return ["in", "clk", "samp", "vdd", "vss"]
        }
    }

    static func optionalRoles(_ kind: Kind) -> [String] {
        switch kind {
        case .opamp: return []
        case .cell: return ["vdd", "vss"]
        case .dac: return ["refp", "refn"]
        case .adc: return ["refp", "refn", "vcm"]
        }
    }

    /// The list roles: gate pins, least significant first.
    static func listRoles(_ kind: Kind) -> [String] {
        switch kind {
        case .opamp: return []
        case .cell: return ["bits", "bitsbar"]
        case .dac, .adc: return ["bits"]
        }
    }

    static func article(_ kind: Kind) -> String {
        switch kind {
        case .opamp: return "an op-amp"
        case .cell: return "a cell"
        case .dac: return "a DAC"
        case .adc: return "an ADC"
        }
    }

    /// Splits `FILE:SUBCKT` (the last colon separates them) and loads the block.
    public static func load(_ text: String, kind: Kind, directory: String = FileManager.default.currentDirectoryPath)
        throws(UserBlockError) -> UserBlock
    {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            throw .syntax(text, "write FILE:SUBCKT, e.g. blocks/ota.sp:ota5t")
        }
        let path = String(text[..<colon]), name = String(text[text.index(after: colon)...])
        let file = path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardized.path
        return try load(file: file, subcircuit: name, kind: kind)
    }

    public static func load(file: String, subcircuit name: String, kind: Kind) throws(UserBlockError) -> UserBlock {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw .missingFile(file)
        }
        let declared = SubcircuitScan.declarations(in: text)
        guard let ports = declared.first(where: { $0.name.lowercased() == name.lowercased() })?.ports else {
            throw .missingSubcircuit(file: file, name: name, available: declared.map(\.name))
        }
        let (description, source) = try Self.description(file: file, text: text, subcircuit: name)
        return try UserBlock(kind: kind, file: file, subcircuit: name, ports: ports, description: description, source: source)
    }

    /// The description of `subcircuit`: the sidecar's, else the header's.
    static func description(file: String, text: String, subcircuit: String) throws(UserBlockError) -> ([String: Any], String) {
        var documents: [(String, String)] = []
        for sidecar in [file + ".yaml", file + ".yml", file + ".json"] {
            if let data = FileManager.default.contents(atPath: sidecar), let body = String(data: data, encoding: .utf8) {
                documents.append((body, sidecar))
            }
        }
        let header = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("*>") }.map { String($0.dropFirst(2)) }
        if !header.isEmpty { documents.append((header.joined(separator: "\n"), "\(file) (header)")) }
        for (body, source) in documents {
            let tree: Any?
            do { tree = try Yams.load(yaml: body) } catch { throw .description(source, "not YAML or JSON: \(error)") }
            guard let top = tree as? [String: Any] else { throw .description(source, "expected a map keyed by subcircuit name") }
            if let entry = top.first(where: { $0.key.lowercased() == subcircuit.lowercased() })?.value {
                guard let map = entry as? [String: Any] else { throw .description(source, "\(subcircuit): expected a map with pins") }
                return (map, source)
            }
        }
        throw .noDescription(file: file, subcircuit: subcircuit)
    }

    init(kind: Kind, file: String, subcircuit: String, ports: [String], description: [String: Any], source: String)
        throws(UserBlockError)
    {
        func fail(_ why: String) -> UserBlockError { .pinMap(block: "\(file):\(subcircuit)", why) }
        if let declared = description["kind"] as? String, declared.lowercased() != kind.rawValue {
            throw fail("described as \(declared), used as \(kind.rawValue)")
        }
        let lowered = ports.map { $0.lowercased() }
        func port(_ value: Any, _ role: String) throws(UserBlockError) -> String {
            guard let name = (value as? String) ?? (value as? Int).map(String.init), !name.isEmpty else {
                throw fail("\(role): expected a pin name")
            }
            guard lowered.contains(name.lowercased()) else {
                throw fail("\(role) = \(name), but the subcircuit has no such pin (its \(ports.count) pins: \(ports.joined(separator: " ")))")
            }
            return name.lowercased()
        }
        guard let pinMap = description["pins"] as? [String: Any] else { throw fail("no pins map") }
        var pins: [String: String] = [:], bits: [String] = [], bitsBar: [String] = []
        let allowed = Self.requiredRoles(kind) + Self.optionalRoles(kind) + Self.listRoles(kind)
        for (role, value) in pinMap {
            let key = role.lowercased()
            guard allowed.contains(key) else {
                throw fail("unknown role '\(role)'; \(Self.article(kind)) has \(allowed.joined(separator: ", "))")
            }
            if key == "bits" || key == "bitsbar" {
                guard let list = value as? [Any], !list.isEmpty else { throw fail("\(role): expected a list of gate pins, least significant first") }
                var names: [String] = []
                for item in list { names.append(try port(item, role)) }
                if key == "bits" { bits = names } else { bitsBar = names }
            } else {
                pins[key] = try port(value, role)
            }
        }
        for role in Self.requiredRoles(kind) where pins[role] == nil { throw fail("the pin map has no \(role)") }
        if kind != .opamp {
            guard !bits.isEmpty else {
                throw fail("the pin map has no bits (the \(kind == .adc ? "code outputs" : kind == .dac ? "code inputs" : "gate pins"), least significant first)")
            }
            if !bitsBar.isEmpty, bitsBar.count != bits.count {
                throw fail("bitsBar has \(bitsBar.count) pins for \(bits.count) bits")
            }
        }
        var ties: [String: Tie] = [:]
        if let biasMap = description["bias"] as? [String: Any] {
            for (name, value) in biasMap {
                let pin = try port(name, "bias")
                switch value {
                case let text as String where text.lowercased() == "ref":
                    ties[pin] = .reference
                case let map as [String: Any]:
                    if let current = map["current"] { ties[pin] = .current(try Self.number(current, "\(name).current", fail)) }
                    else if let voltage = map["voltage"] { ties[pin] = .voltage(try Self.number(voltage, "\(name).voltage", fail)) }
                    else { throw fail("bias \(name): give current or voltage") }
                default:
                    throw fail("bias \(name): expected {current: A}, {voltage: V} or ref")
                }
            }
        }
        // Every port exactly once.
        var uses: [String: [String]] = [:]
        for (role, pin) in pins { uses[pin, default: []].append(role) }
        for (m, pin) in bits.enumerated() { uses[pin, default: []].append("bits[\(m)]") }
        for (m, pin) in bitsBar.enumerated() { uses[pin, default: []].append("bitsBar[\(m)]") }
        for pin in ties.keys { uses[pin, default: []].append("bias") }
        if let (pin, roles) = uses.first(where: { $0.value.count > 1 }) {
            throw fail("pin \(pin) has two roles: \(roles.sorted().joined(separator: ", "))")
        }
        let unmapped = ports.filter { uses[$0.lowercased()] == nil }
        if !unmapped.isEmpty {
            throw fail("the subcircuit has \(ports.count) pins (\(ports.joined(separator: " "))) and the pin map gives \(uses.count): \(unmapped.joined(separator: ", ")) \(unmapped.count == 1 ? "has" : "have") no role")
        }
        self.kind = kind; self.file = file; self.subcircuit = subcircuit; self.ports = ports
        self.pins = pins; self.bits = bits; self.bitsBar = bitsBar; self.ties = ties; self.describedIn = source
        if kind == .adc {
            guard let timing = description["timing"] as? [String: Any], let period = timing["clock"] else {
                throw fail("an ADC needs timing: {clock: PERIOD, sample: CYCLES, convert: CYCLES} (the clock period Crossloop drives on clk, the periods samp is high, the periods after samp falls until the code is valid)")
            }
            let seconds = try Self.number(period, "timing.clock", fail)
            guard seconds.isFinite, seconds >= 1e-10, seconds <= 1e-3 else { throw fail("timing.clock = \(seconds) s: between 100 ps and 1 ms") }
            func cycles(_ key: String, _ fallback: Int) throws(UserBlockError) -> Int {
                guard let value = timing[key] else { return fallback }
                let x = try Self.number(value, "timing.\(key)", fail)
                guard x == x.rounded(), x >= 1, x <= 256 else { throw fail("timing.\(key) = \(x): a whole number of clock periods from 1 to 256") }
                return Int(x)
            }
            clock = ADCClock(periodSeconds: seconds, sampleCycles: try cycles("sample", 2), conversionCycles: try cycles("convert", bits.count))
        }
    }

    static func number(_ value: Any, _ what: String, _ fail: (String) -> UserBlockError) throws(UserBlockError) -> Double {
        if let x = value as? Double { return x }
        if let n = value as? Int { return Double(n) }
        if let text = value as? String, let x = SpiceNumber.parse(text) { return x }
        throw fail("\(what): expected a number")
    }

    /// The include card for the block's file.
    public var include: Include { .file(file) }

    /// The block's instance inside a wrapper: its ports in declaration order, each bound to
    /// `node(role)` for a signal, or to a local node held by its tie.
    /// - Parameters:
    ///   - name: the instance's name (its tie sources and nodes are prefixed with it).
    ///   - node: the wrapper node of a role (`inp`, `row`, `bits[0]`, ...).
    public func instance(_ name: String, node: (String) -> String) -> [Element] {
        var nodes: [String] = []
        var extra: [Element] = []
        for port in ports {
            let p = port.lowercased()
            if let role = pins.first(where: { $0.value == p })?.key { nodes.append(node(role)); continue }
            if let m = bits.firstIndex(of: p) { nodes.append(node("bits[\(m)]")); continue }
            if let m = bitsBar.firstIndex(of: p) { nodes.append(node("bitsBar[\(m)]")); continue }
            let local = "\(name)_tie_\(p)"
            nodes.append(local)
            switch ties[p] {
            case .current(let amperes)?:
                extra.append(.currentSource(IndependentSource(name: "\(name)_b_\(p)", plus: node("vdd"), minus: local, dc: .number(amperes))))
            case .voltage(let volts)?:
                extra.append(.dcVoltage("\(name)_b_\(p)", local, node("vss"), .number(volts)))
            case .reference?:
                extra.append(.dcVoltage("\(name)_b_\(p)", local, node("ref"), .number(0)))
            case nil:
                break
            }
        }
        return [.instance(SubcircuitInstance(name: name, nodes: nodes, subcircuit: subcircuit))] + extra
    }

    /// A summary for reports: `ota.sp:ota5t (pins from ota.sp.yaml)`.
    public var summary: String {
        "\(URL(fileURLWithPath: file).lastPathComponent):\(subcircuit) (pins from \(URL(fileURLWithPath: describedIn).lastPathComponent))"
    }
}

/// Why a user block cannot be used. Each message names the file, the subcircuit and the pin.
public enum UserBlockError: Error, Sendable, Hashable, CustomStringConvertible {
    case syntax(String, String)
    case missingFile(String)
    case missingSubcircuit(file: String, name: String, available: [String])
    case noDescription(file: String, subcircuit: String)
    case description(String, String)
    case pinMap(block: String, String)

    public var description: String {
        switch self {
        case let .syntax(text, hint): return "'\(text)' is not a block reference: \(hint)"
        case .missingFile(let file): return "\(file): no such file (or it cannot be read as text)"
        case let .missingSubcircuit(file, name, available):
            return "\(file): no .subckt \(name)" + (available.isEmpty ? " (the file defines no subcircuit)" : " (it defines \(available.joined(separator: ", ")))")
        case let .noDescription(file, subcircuit):
            return "\(file):\(subcircuit): no block description: add \(subcircuit) to \(URL(fileURLWithPath: file).lastPathComponent).yaml or to the file's header on lines starting with *> (see the README, \"Your own blocks\")"
        case let .description(source, why): return "\(source): \(why)"
        case let .pinMap(block, why): return "\(block): pin map: \(why)"
        }
    }
}

/// Finds `.subckt` declarations and their ports in SPICE text (continuation lines joined,
/// parameters after the ports dropped).
enum SubcircuitScan {
    struct Declaration { var name: String; var ports: [String] }

    static func declarations(in text: String) -> [Declaration] {
        var logical: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("+"), !logical.isEmpty { logical[logical.count - 1] += " " + line.dropFirst() } else { logical.append(line) }
        }
        return logical.compactMap { line in
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard tokens.count >= 2, tokens[0].lowercased() == ".subckt" else { return nil }
            let ports = tokens.dropFirst(2).prefix { !$0.contains("=") && $0.lowercased() != "params:" && !$0.hasPrefix(";") && !$0.hasPrefix("$") }
            return Declaration(name: tokens[1], ports: Array(ports))
        }
    }
}

extension UserBlock {
    /// `.subckt <name> inp inn out vdd vss` around the user's op-amp: what the generator
    /// instantiates wherever its own OTA would stand. A port tied to the reference sees an
    /// ideal mid-rail source inside the wrapper (`referenceVolts` above vss).
    public func opAmpSubcircuit(name: String, referenceVolts: Double) -> Subcircuit {
        wrapper(name: name, ports: ["inp", "inn", "out", "vdd", "vss"], referenceVolts: referenceVolts, what: "op-amp") { $0 }
    }

    /// `.subckt <name> b0 .. b<n-1> vrefp vrefn out vdd vss` around the user's DAC: the ports
    /// of Crossloop's R-2R DAC, so it stands wherever that one would.
    public func dacSubcircuit(name: String, referenceVolts: Double) -> Subcircuit {
        let ports = (0..<bits.count).map { "b\($0)" } + ["vrefp", "vrefn", "out", "vdd", "vss"]
        return wrapper(name: name, ports: ports, referenceVolts: referenceVolts, what: "DAC") { role in
            switch role {
            case "refp": return "vrefp"
            case "refn": return "vrefn"
            default:
                if role.hasPrefix("bits["), let m = Int(role.dropFirst(5).dropLast()) { return "b\(m)" }
                return role
            }
        }
    }

    /// `.subckt <name> vin vcm vrefp vrefn clk samp vdd vss d0 .. d<n-1>` around the user's
    /// ADC: the ports of Crossloop's SAR ADC, so it stands wherever that one would.
    public func adcSubcircuit(name: String, referenceVolts: Double) -> Subcircuit {
        wrapper(name: name, ports: SARADC.ports(bits: bits.count), referenceVolts: referenceVolts, what: "ADC") { role in
            switch role {
            case "in": return "vin"
            case "refp": return "vrefp"
            case "refn": return "vrefn"
            default:
                if role.hasPrefix("bits["), let m = Int(role.dropFirst(5).dropLast()) { return "d\(m)" }
                return role
            }
        }
    }

    /// The conversions of a designer's ADC whose first one begins at clock edge `start`.
    public func adcTiming(start: Double) -> SARADC.Timing? {
        clock.map { c in
            SARADC.Timing(bits: bits.count, bitPeriodSeconds: c.periodSeconds, sampleCycles: c.sampleCycles,
                          conversionCycles: c.conversionCycles, start: start, edgeSeconds: min(200e-12, c.periodSeconds / 20))
        }
    }

    /// The user's subcircuit inside one of Crossloop's port lists; a port tied to the
    /// reference sees an ideal source `referenceVolts` above vss inside the wrapper.
    func wrapper(name: String, ports: [String], referenceVolts: Double, what: String, node: (String) -> String) -> Subcircuit {
        var elements = instance("user", node: { $0 == "ref" ? "ref_int" : node($0) })
        if ties.values.contains(.reference) {
            elements.append(.dcVoltage("ref_int", "ref_int", "vss", .number(referenceVolts)))
        }
        return Subcircuit(name: name, ports: ports, comments: ["the designer's \(what) \(subcircuit) from \(file), by reference"],
                          elements: elements)
    }
}
