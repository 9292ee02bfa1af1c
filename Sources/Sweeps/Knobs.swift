import Circuits
import CircuitTheory
import Foundation
import Netlist
import Reports
import Specification

/// Everything one run needs: the specification its knobs resolve to.
public struct RunSettings: Sendable {
    public var spec: SolveSpecification
    /// Identifies the nominal design: runs with equal keys share their nominal preparation.
    public var designKey: String
}

/// The knobs of a sweep file are ``Knob/table``'s, under the same names as the flags of
/// `crossloop solve`; this reads them from the file's JSON tree.
enum Knobs {
    /// The sections whose knobs fix a run's nominal design (conditions and variation vary
    /// around it).
    static let nominalSections: Set<Knob.Section> = [.design, .plan, .policy, .limits]
    static var names: [String] { Knob.table.map(\.name) }
    static func isKnown(_ name: String) -> Bool { Knob.named(name) != nil }
    static var designNames: Set<String> { Set(Knob.knobs(in: nominalSections).map(\.name)) }
    static var circuitNames: Set<String> { designNames.union(Knob.knobs(in: [.conditions]).map(\.name)).union(["mismatch"]) }

    /// Whether a technology value names a model library of the designer's (not generic or sky130).
    static func isLibraryReference(_ text: String) -> Bool {
        let head = text.lowercased().split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return ![Technology.genericName, Technology.sky130Name].contains(head)
    }

    /// A knob value that names a file (`opamp`, `cell`, `dac`, `adc` FILE:SUBCKT, `technology FILE[:section]`), made
    /// absolute against the folder of the file that sets it.
    static func anchored(_ name: String, _ value: JSONValue, base: String) -> JSONValue {
        guard let text = value.stringValue, !text.hasPrefix("/"), let knob = Knob.named(name)?.name else { return value }
        switch knob {
        case "opamp", "cell", "dac", "adc": return .string(SweepSpec.path(text, base: base))
        case "technology" where isLibraryReference(text): return .string(SweepSpec.path(text, base: base))
        default: return value
        }
    }

    /// A file's value as a knob value.
    static func value(_ json: JSONValue) -> KnobValue? {
        switch json {
        case .number(let x): return .number(x)
        case .string(let s): return .text(s)
        case .bool(let b): return .flag(b)
        default: return nil
        }
    }

    /// A number, or a string with a SPICE scale, read by the specification's one parser.
    static func number(_ value: JSONValue, _ name: String) throws(SweepError) -> Double {
        switch value {
        case .number(let x) where x.isFinite: return x
        case .string(let s):
            switch Quantity.parse(s, unit: "") {
            case .success(let x): return x
            case .failure(let error): throw .invalidSpec("\(name): \(error)")
            }
        default:
            throw .invalidSpec("\(name) must be a finite number")
        }
    }

    /// Resolves knob values (later entries win) into run settings.
    static func resolve(_ entries: [(String, JSONValue)], operation: CrossbarOperation,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws(SweepError) -> RunSettings {
        var values: [(name: String, value: KnobValue)] = []
        var latest: [String: JSONValue] = [:]
        for (name, json) in entries {
            guard let value = value(json) else { throw .invalidSpec("\(name) must be a number, a string or true/false") }
            values.append((name, value))
            latest[Knob.named(name)?.name ?? name] = json
        }
        let spec: SolveSpecification
        do throws(SpecificationError) {
            spec = try SolveSpecification.resolve(values, operation: operation, environment: environment)
        } catch {
            throw .specification(error)
        }
        let names = designNames
        let designKey = JSONValue.object(latest.filter { names.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).line()
        return RunSettings(spec: spec, designKey: designKey)
    }
}
