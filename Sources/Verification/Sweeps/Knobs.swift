import Circuits
import Foundation
import Netlist
import CircuitTheory
import Reference

/// Process corner, temperature and supply of one run.
public struct OperatingConditions: Sendable, Hashable {
    public var corner: ProcessCorner
    /// Degrees Celsius. Default 27.
    public var temperatureCelsius: Double
    /// Volts; nil: the technology's nominal supply.
    public var supplyVolts: Double?

    public init(corner: ProcessCorner = .tt, temperatureCelsius: Double = 27, supplyVolts: Double? = nil) {
        self.corner = corner; self.temperatureCelsius = temperatureCelsius; self.supplyVolts = supplyVolts
    }

    public static let nominal = OperatingConditions()
    public var isNominal: Bool { self == .nominal }
}

/// Everything one run needs, resolved from knob values.
public struct RunSettings: Sendable {
    /// The nominal design's options (what the verdict's references and tolerance come from).
    public var options: SolveOptions
    /// `generic` or `sky130`: the op-amps are Miller OTAs on this technology, characterised at
    /// each run's conditions; nil: the behavioural op-amp of `options` as given.
    public var technology: String?
    public var variation: VariationParameters
    public var conditions: OperatingConditions
    /// Device mismatch through the technology's own statistical models.
    public var mismatch: Bool
    /// Identifies the nominal design: runs with equal keys share their nominal preparation.
    public var designKey: String
    /// Transistor level: the switched cells.
    public var cell: SwitchedCellParameters
    /// Whether the file sets G0 (otherwise transistor level fits it to the OTA's drive).
    public var unitConductanceGiven: Bool
    /// Whether the file sets the op-amp's gain and GBW (otherwise transistor level sizes the
    /// OTA for `MillerOTA`'s defaults).
    public var gainGiven: Bool
    public var gbwGiven: Bool
}

/// The knobs of a sweep file: the `crossloop solve` flags (same names and units) that make
/// the nominal design, the variation models and the operating conditions.
enum Knobs {
    static let design: [(String, String)] = [
        ("fidelity", "ideal, behavioral or transistor (SRAM-switched cells and Miller OTAs on technology)"),
        ("analysis", "op or tran (default: op, tran for eig)"),
        ("bits", "magnitude bits per cell, 1..16; 0 continuous (default 4)"),
        ("sign", "two-arrays or sign-bit"),
        ("dac-bits", "input DAC bits, 2..24; 0 ideal (default 8)"),
        ("adc-bits", "output ADC bits, 2..24; 0 ideal (default 8)"),
        ("full-scale", "converter full scale, V (default 0.5)"),
        ("gain", "op-amp DC gain A0, V/V (default 1e6 ideal, 1e4 behavioral)"),
        ("gbw", "op-amp gain-bandwidth product, Hz (default 10meg)"),
        ("inverter-gbw", "GBW of the inverters' op-amps, Hz (default: gbw)"),
        ("swing", "op-amp output limit, V (default 0.5)"),
        ("offset", "op-amp input offset of every amplifier, V (default 0)"),
        ("g0", "unit conductance G0, S (default 10u)"),
        ("gin-ratio", "G_in / G0 (default: auto-ranged)"),
        ("feedback-ratio", "G_f, G_T or G_lambda over G0 (default: the mapping's)"),
        ("wire-r", "wire resistance per segment, Ohm (default 0)"),
        ("wire-c", "wire capacitance per segment, F (default 0)"),
        ("settling-bits", "settling is measured to this many bits (default: the ADC bits)"),
        ("stop-time", "transient stop time, s (default: 4x the predicted settling)"),
        ("nodeset", "true or false: seed .op with the expected voltages (default true)"),
        ("force", "true or false: simulate loops predicted unstable (default false)"),
        ("technology", "generic or sky130: the transistor-level circuit's technology, or at behavioral fidelity the Miller OTA characterised at each corner, temperature and supply"),
        ("sram", "transistor level: dc (gate levels, default) or full (a 6T latch per bit)"),
        ("ron-fraction", "transistor level: switch on-resistance over branch resistance (default 0.02)"),
    ]
    static let variation: [(String, String)] = [
        ("programming-sigma", "relative sigma of the cell programming error, per sample"),
        ("stuck-on-rate", "probability of a cell site stuck on (full scale), per sample"),
        ("stuck-off-rate", "probability of a cell site stuck off (open), per sample"),
        ("read-noise-sigma", "relative sigma of the read noise, per read"),
        ("offset-sigma", "sigma of each amplifier's input offset, V, per sample"),
        ("mismatch", "true or false: device mismatch through the technology's own models (sky130)"),
    ]
    static let conditions: [(String, String)] = [
        ("corner", "tt, ss, ff, sf or fs (needs technology)"),
        ("temperature", "degrees Celsius (needs technology; default 27)"),
        ("supply", "supply voltage, V (needs technology; default its nominal)"),
    ]
    static var help: [(String, String)] { design + variation + conditions }
    static var names: [String] { help.map(\.0) }
    static func isKnown(_ name: String) -> Bool { help.contains { $0.0 == name } }
    static var designNames: Set<String> { Set(design.map(\.0)) }

    /// A number or a string with a SPICE suffix.
    static func number(_ value: JSONValue, _ name: String) throws(SweepError) -> Double {
        switch value {
        case .number(let x): return x
        case .string(let s):
            guard let x = SpiceNumber.parse(s), x.isFinite else { throw .invalidSpec("\(name) = \"\(s)\" is not a number (SPICE suffixes such as 10meg are allowed)") }
            return x
        default:
            throw .invalidSpec("\(name) must be a number")
        }
    }

    static func integer(_ value: JSONValue, _ name: String, _ range: ClosedRange<Int>) throws(SweepError) -> Int {
        let x = try number(value, name)
        guard x == x.rounded(), range.contains(Int(x)) else { throw .invalidSpec("\(name) = \(x): pass a whole number in \(range.lowerBound)...\(range.upperBound)") }
        return Int(x)
    }

    static func positive(_ value: JSONValue, _ name: String) throws(SweepError) -> Double {
        let x = try number(value, name)
        guard x > 0 else { throw .invalidSpec("\(name) = \(x): it must be positive") }
        return x
    }

    static func bool(_ value: JSONValue, _ name: String) throws(SweepError) -> Bool {
        guard let b = value.boolValue else { throw .invalidSpec("\(name) must be true or false") }
        return b
    }

    static func word(_ value: JSONValue, _ name: String) throws(SweepError) -> String {
        guard let s = value.stringValue else { throw .invalidSpec("\(name) must be a string") }
        return s.lowercased()
    }

    /// Resolves knob values (later entries win) into run settings.
    static func resolve(_ entries: [(String, JSONValue)], operation: CrossbarOperation = .inv) throws(SweepError) -> RunSettings {
        var k: [String: JSONValue] = [:]
        for (key, value) in entries { k[key] = value }
        var mapping = MappingParameters()
        var fidelity = Fidelity.ideal
        if let f = k["fidelity"] {
            let text = try word(f, "fidelity")
            guard let parsed = Fidelity(rawValue: text) else {
                throw .invalidSpec("fidelity \"\(text)\": use ideal, behavioral or transistor")
            }
            fidelity = parsed
        }
        var analysis: AnalysisKind = operation == .eig ? .tran : .op
        if let a = k["analysis"] {
            let text = try word(a, "analysis")
            guard let parsed = AnalysisKind(rawValue: text) else { throw .invalidSpec("analysis \"\(text)\": use op or tran") }
            analysis = parsed
        }
        let bits = try k["bits"].map { v throws(SweepError) in try integer(v, "bits", 0...16) } ?? 4
        var sign = SignScheme.twoArrays
        if let s = k["sign"] {
            switch try word(s, "sign") {
            case "two-arrays", "twoarrays": sign = .twoArrays
            case "sign-bit", "signbit": sign = .signBit
            default: throw .invalidSpec("sign: use two-arrays or sign-bit")
            }
        }
        mapping.cell = CellFormat(magnitudeBits: bits == 0 ? nil : bits, sign: sign)
        func converterBits(_ key: String) throws(SweepError) -> Int? {
            guard let v = k[key] else { return 8 }
            let n = try integer(v, key, 0...24)
            guard n == 0 || n >= 2 else { throw .invalidSpec("\(key): pass 2...24, or 0 for an ideal converter") }
            return n == 0 ? nil : n
        }
        let fullScale = try k["full-scale"].map { v throws(SweepError) in try positive(v, "full-scale") } ?? 0.5
        mapping.dac = ConverterParameters(bits: try converterBits("dac-bits"), fullScaleVolts: fullScale)
        mapping.adc = ConverterParameters(bits: try converterBits("adc-bits"), fullScaleVolts: fullScale)
        let swing = try k["swing"].map { v throws(SweepError) in try positive(v, "swing") } ?? 0.5
        mapping.opAmpSwingVolts = swing
        if let g = k["g0"] { mapping.unitConductanceSiemens = try positive(g, "g0") }
        if let r = k["gin-ratio"] { mapping.inputConductanceRatio = try positive(r, "gin-ratio") }
        if let r = k["feedback-ratio"] { mapping.feedbackConductanceRatio = try positive(r, "feedback-ratio") }

        var design = DesignParameters(fidelity: fidelity)
        design.opAmp.outputSwingVolts = swing
        if let g = k["gbw"] { design.opAmp.gainBandwidthHertz = try positive(g, "gbw") }
        if let o = k["offset"] { design.opAmp.inputOffsetVolts = try number(o, "offset") }
        if let g = k["gain"] {
            let a0 = try positive(g, "gain")
            guard a0 > 1 else { throw .invalidSpec("gain = \(a0): pass a DC gain above 1 V/V, e.g. 1e4") }
            design.idealGain = a0
            design.opAmp.dcGain = a0
        }
        if let g = k["inverter-gbw"] {
            var inverter = design.opAmp
            inverter.gainBandwidthHertz = try positive(g, "inverter-gbw")
            design.inverterOpAmp = inverter
        }
        let wireR = try k["wire-r"].map { v throws(SweepError) in try number(v, "wire-r") } ?? 0
        let wireC = try k["wire-c"].map { v throws(SweepError) in try number(v, "wire-c") } ?? 0
        guard wireR >= 0, wireC >= 0 else { throw .invalidSpec("wire-r and wire-c must be >= 0") }
        design.wires = WireParasitics(resistanceOhms: wireR, capacitanceFarads: wireC)
        var options = SolveOptions(mapping: mapping, design: design, analysis: analysis)
        if let b = k["settling-bits"] { options.settlingBits = try integer(b, "settling-bits", 1...30) }
        if let t = k["stop-time"] { options.stopTime = try positive(t, "stop-time") }
        if let n = k["nodeset"] { options.useNodeset = try bool(n, "nodeset") }
        if let f = k["force"] { options.force = try bool(f, "force") }
        do { try mapping.validate() } catch { throw .invalidSpec(error.description) }

        var technology: String?
        if let t = k["technology"] {
            let name = try word(t, "technology")
            guard name == Technology.genericName || name == Technology.sky130Name else {
                throw .invalidSpec("technology \"\(name)\": use generic or sky130")
            }
            technology = name
            guard fidelity != .ideal else {
                throw .invalidSpec("technology needs fidelity behavioral (the characterised Miller OTA replaces the behavioural op-amp) or transistor")
            }
        }
        if fidelity == .transistor && technology == nil {
            throw .invalidSpec("fidelity transistor needs a technology: set design.technology to generic or sky130")
        }
        var cell = SwitchedCellParameters()
        if let v = k["sram"] {
            switch try word(v, "sram") {
            case "dc": cell.sram = .dc
            case "full": cell.sram = .full
            default: throw .invalidSpec("sram: use dc or full")
            }
        }
        if let v = k["ron-fraction"] {
            let x = try number(v, "ron-fraction")
            guard x > 0, x < 0.5 else { throw .invalidSpec("ron-fraction = \(x): it must be in (0, 0.5)") }
            cell.onResistanceFraction = x
        }
        if (k["sram"] != nil || k["ron-fraction"] != nil) && fidelity != .transistor {
            throw .invalidSpec("sram and ron-fraction apply to fidelity transistor only")
        }
        var variation = VariationParameters()
        if let v = k["programming-sigma"] { variation.programmingSigma = try number(v, "programming-sigma") }
        if let v = k["stuck-on-rate"] { variation.stuckOnRate = try number(v, "stuck-on-rate") }
        if let v = k["stuck-off-rate"] { variation.stuckOffRate = try number(v, "stuck-off-rate") }
        if let v = k["read-noise-sigma"] { variation.readNoiseSigma = try number(v, "read-noise-sigma") }
        if let v = k["offset-sigma"] { variation.offsetSigmaVolts = try number(v, "offset-sigma") }
        try variation.validate()
        if fidelity == .transistor && !variation.isNominal {
            throw .invalidSpec("at transistor level the variation comes from the technology's own mismatch models (\"mismatch\": true); programming-sigma, stuck cells, read-noise-sigma and offset-sigma apply to ideal and behavioral fidelity")
        }
        let mismatch = try k["mismatch"].map { v throws(SweepError) in try bool(v, "mismatch") } ?? false

        var conditions = OperatingConditions()
        if let c = k["corner"] {
            let text = try word(c, "corner")
            guard let corner = ProcessCorner(rawValue: text) else { throw .invalidSpec("corner \"\(text)\": use tt, ss, ff, sf or fs") }
            conditions.corner = corner
        }
        if let t = k["temperature"] {
            let celsius = try number(t, "temperature")
            guard celsius >= -55, celsius <= 175 else { throw .invalidSpec("temperature = \(celsius) C: use -55...175") }
            conditions.temperatureCelsius = celsius
        }
        if let s = k["supply"] { conditions.supplyVolts = try positive(s, "supply") }
        if technology == nil && (!conditions.isNominal || mismatch) {
            throw .invalidSpec("corner, temperature, supply and mismatch act on transistors: set design.technology to generic or sky130 (the op-amps are then Miller OTAs characterised at each condition)")
        }
        if mismatch && technology == Technology.genericName {
            throw .invalidSpec("mismatch: the generic card has no mismatch models; use technology sky130")
        }
        if technology == Technology.genericName && conditions.corner != .tt {
            throw .invalidSpec("corner \(conditions.corner.rawValue): the generic card has only the typical corner; use technology sky130")
        }
        // The design knobs' last values (as `k` holds them), by name.
        let names = designNames
        let designKey = JSONValue.object(k.filter { names.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).line()
        if fidelity == .transistor, analysis == .op, operation != .eig, k["analysis"] == nil {
            options.analysis = .tran  // as solve does: transistor level settles in a transient
        }
        return RunSettings(options: options, technology: technology, variation: variation, conditions: conditions,
                           mismatch: mismatch, designKey: designKey, cell: cell, unitConductanceGiven: k["g0"] != nil,
                           gainGiven: k["gain"] != nil, gbwGiven: k["gbw"] != nil)
    }
}
