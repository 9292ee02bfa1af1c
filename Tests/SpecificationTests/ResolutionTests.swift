import Circuits
import CircuitTheory
import Specification
import Testing

@Suite("One specification from the knob table")
struct ResolutionTests {
    static func resolve(_ entries: [(String, KnobValue)], _ operation: CrossbarOperation = .inv) throws(SpecificationError) -> SolveSpecification {
        try SolveSpecification.resolve(entries.map { (name: $0.0, value: $0.1) }, operation: operation)
    }

    static func error(_ entries: [(String, KnobValue)], _ operation: CrossbarOperation = .inv) -> SpecificationError? {
        do { _ = try resolve(entries, operation); return nil } catch { return error }
    }

    @Test("every knob is described: a unique name, help, a default and a valid value name")
    func table() {
        var seen = Set<String>()
        for knob in Knob.table {
            for spelling in [knob.name] + knob.aliases {
                #expect(!seen.contains(spelling), "\(spelling) twice")
                seen.insert(spelling)
            }
            #expect(!knob.help.isEmpty && !knob.defaultText.isEmpty && !knob.valueName.isEmpty, "\(knob.name)")
            #expect(Knob.named(knob.qualifiedName)?.name == knob.name)
        }
    }

    @Test("the documented defaults are the values an empty specification holds")
    func defaults() throws {
        let spec = try Self.resolve([("fidelity", .text("behavioral"))])
        let read = Dictionary(uniqueKeysWithValues: spec.parameterValues().map { ($0.name, $0) })
        // Every default written as a plain number in the table is what the specification reads back.
        for knob in Knob.table {
            guard case .success(let expected) = Quantity.parse(knob.defaultText, unit: knob.unit), let value = read[knob.qualifiedName],
                  value.text == nil else { continue }
            #expect(value.value == expected, "\(knob.qualifiedName): default \(knob.defaultText) reads back as \(value.value)")
        }
        #expect(read["design.gbw"]?.value == 10e6)
        #expect(read["design.gain"]?.value == 1e4)
        #expect(read["plan.analysis"]?.text == "op")
        #expect(try Self.resolve([]).design.circuit.openLoopGain == 1e6)
    }

    @Test("reading a specification back and resolving it again gives the same specification")
    func roundTrip() throws {
        let cases: [(CrossbarOperation, [(String, KnobValue)])] = [
            (.inv, [("fidelity", .text("behavioral")), ("gbw", .text("20meg")), ("gain", .number(3000)), ("offset", .text("-2m")),
                    ("bits", .number(6)), ("sign", .text("sign-bit")), ("wire-r", .text("2.5")), ("inverter-gbw", .text("5meg")),
                    ("analysis", .text("tran")), ("stop-time", .text("2u")), ("force", .flag(true)), ("timeout", .number(30))]),
            (.inv, [("fidelity", .text("transistor")), ("sram", .text("full")), ("ron-fraction", .number(0.05)),
                    ("temperature", .text("85")), ("g0", .text("5u")), ("converters", .text("transistor"))]),
            (.ginv, [("gin-ratio", .number(3)), ("dac-bits", .number(0)), ("adc-bits", .number(12)), ("nodeset", .flag(false))]),
            (.eig, [("fidelity", .text("behavioral")), ("feedback-ratio", .number(0.2)), ("settling-bits", .number(10))]),
        ]
        for (operation, entries) in cases {
            let first = try Self.resolve(entries, operation)
            var again: [(String, KnobValue)] = []
            for knob in Knob.table {
                guard let value = knob.read(first) else { continue }
                // Values the design derives rather than the user gives are not read back as settings.
                if ["technology", "supply", "settling-bits", "corner", "temperature"].contains(knob.name), !entries.contains(where: { $0.0 == knob.name }) { continue }
                if knob.name == "technology", case .text(let id) = value { again.append((knob.name, .text(id.split(separator: ":").first.map(String.init) ?? id))); continue }
                again.append((knob.name, value))
            }
            let second = try Self.resolve(again, operation)
            let a = first.parameterValues(), b = second.parameterValues()
            for (x, y) in zip(a, b) {
                #expect(x.name == y.name && x.value == y.value && x.text == y.text, "\(operation): \(x.name) \(x.formatted) became \(y.formatted)")
            }
        }
    }

    @Test("later values of a knob win, and aliases are the same knob")
    func laterWins() throws {
        let spec = try Self.resolve([("temp", .number(50)), ("fidelity", .text("transistor")), ("temperature", .number(60))])
        #expect(spec.design.conditions.temperatureCelsius == 60)
        #expect(spec.design.transistor?.technology.temperatureCelsius == 60)
    }

    @Test("rules between knobs are enforced once, naming the knobs")
    func conflicts() {
        let cases: [([(String, KnobValue)], CrossbarOperation, String)] = [
            ([("gin-ratio", .number(2))], .mvm, "design.gin-ratio applies to inv and ginv only"),
            ([], .eig, "eig needs op-amp dynamics"),
            ([("fidelity", .text("behavioral")), ("analysis", .text("op"))], .eig, "plan.analysis tran"),
            ([("technology", .text("generic"))], .inv, "design.technology needs design.fidelity behavioral"),
            ([("temperature", .number(85))], .inv, "on transistors"),
            ([("fidelity", .text("transistor")), ("corner", .text("ss"))], .inv, "generic card has only the typical corner"),
            ([("fidelity", .text("transistor")), ("mismatch", .flag(true))], .inv, "no mismatch models"),
            ([("sram", .text("full"))], .inv, "to design.fidelity transistor only"),
            ([("fidelity", .text("transistor")), ("bits", .number(0))], .inv, "discrete levels"),
            ([("fidelity", .text("transistor")), ("converters", .text("transistor")), ("analysis", .text("op"))], .inv, "convert in time"),
            ([("fidelity", .text("transistor")), ("sram", .text("full")), ("analysis", .text("op"))], .inv, "write phase"),
            ([("array", .number(16))], .inv, "to design.fidelity transistor only"),
            ([("fidelity", .text("transistor")), ("converters", .text("transistor")), ("adc-bits", .number(0))], .inv, "need bits"),
            ([("fidelity", .text("transistor")), ("programming-sigma", .number(0.01))], .inv, "mismatch models"),
            ([("stuck-on-rate", .number(0.6)), ("stuck-off-rate", .number(0.6))], .inv, "at most 1"),
            ([("fidelity", .text("transistor")), ("technology", .text("sky130:ss")), ("corner", .text("ff"))], .inv, "give one"),
        ]
        for (entries, operation, phrase) in cases {
            guard let error = Self.error(entries, operation) else { Issue.record("accepted: \(entries)"); continue }
            #expect(error.description.contains(phrase), "\(error)")
        }
    }

    @Test("values out of range are refused with the knob, the value and the range")
    func ranges() {
        let cases: [(String, KnobValue, String)] = [
            ("temperature", .number(300), "conditions.temperature = 300: it must be from -55 to 175 C"),
            ("gbw", .number(1e30), "design.gbw = 1e+30"), ("gbw", .text("1e-30"), "from 1k to 1T Hz"),
            ("gain", .number(1), "above 1 and at most 1T V/V"), ("bits", .number(17), "from 1 to 16, or 0 for continuous"),
            ("bits", .number(2.5), "whole number"), ("dac-bits", .number(1), "from 2 to 24"),
            ("ron-fraction", .number(0.5), "between 0 and 0.5, both excluded"), ("wire-r", .number(-1), "from 0 to"),
            ("fidelity", .text("spice"), "one of ideal, behavioral, transistor"), ("nodeset", .text("maybe"), "true or false"),
            ("technology", .text("tsmc"), "no such model library (use generic, sky130[:corner] or FILE[:section])"), ("offset", .number(.infinity), "design.offset"),
            ("swing", .flag(true), "it must be a number"),
        ]
        for (name, value, phrase) in cases {
            guard let error = Self.error([(name, value)]) else { Issue.record("\(name) = \(value) accepted"); continue }
            #expect(error.description.contains(phrase), "\(error)")
        }
    }

    @Test("an unknown knob is named with the nearest one")
    func unknown() {
        guard case .unknown(let name, let suggestion)? = Self.error([("gbww", .number(1))]) else { Issue.record("accepted"); return }
        #expect(name == "gbww" && suggestion == "design.gbw")
    }

    @Test("library messages name knobs; the command line spells them as flags")
    func spelling() {
        let error = SpecificationError.conflict(knobs: ["design.gin-ratio"], reason: "design.gin-ratio applies to inv; design.gin-ratios is no knob")
        #expect(error.rendered(.flag) == "--gin-ratio applies to inv; design.gin-ratios is no knob")
        #expect(error.rendered(.knob).hasPrefix("design.gin-ratio applies"))
        let range = SpecificationError.invalid(knob: "conditions.temperature", value: "300", requirement: "it must be from -55 to 175 C")
        #expect(range.rendered(.flag) == "--temperature 300: it must be from -55 to 175 C")
    }

    @Test("the operation's and fidelity's own defaults")
    func derivedDefaults() throws {
        #expect(try Self.resolve([("fidelity", .text("behavioral"))], .eig).plan.analysis == .tran)
        let transistor = try Self.resolve([("fidelity", .text("transistor"))])
        #expect(transistor.plan.analysis == .tran)
        #expect(transistor.design.technologyName == "generic" && transistor.design.fitUnitConductance)
        #expect(try Self.resolve([("fidelity", .text("transistor")), ("g0", .text("5u"))]).design.fitUnitConductance == false)
        #expect(try Self.resolve([("fidelity", .text("transistor")), ("analysis", .text("op"))]).plan.analysis == .op)
        // The converters are in the loop whenever a transient can convert.
        #expect(transistor.design.transistor?.converters == .transistor)
        #expect(try Self.resolve([("fidelity", .text("transistor")), ("analysis", .text("op"))]).design.transistor?.converters == .ideal)
        #expect(try Self.resolve([("fidelity", .text("transistor")), ("converters", .text("ideal"))]).design.transistor?.converters == .ideal)
        #expect(try Self.resolve([("fidelity", .text("transistor")), ("array", .number(64))]).design.transistor?.arraySize == 64)
        let inverter = try Self.resolve([("fidelity", .text("behavioral")), ("inverter-gbw", .text("1meg")), ("offset", .text("1m"))])
        #expect(inverter.design.circuit.inverterOpAmp?.gainBandwidthHertz == 1e6)
        #expect(inverter.design.circuit.inverterOpAmp?.inputOffsetVolts == 1e-3)
    }
}
