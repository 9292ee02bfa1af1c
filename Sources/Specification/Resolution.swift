import Circuits
import CircuitTheory
import Foundation

/// A specification while its knobs are applied: the values that others combine with.
struct Draft {
    var spec = SolveSpecification()
    var ota = MillerOTA.Specification()
    var cell = SwitchedCellParameters()
    /// nil: simulated for a transient, ideal for an operating point.
    var converters: TransistorDesign.ConverterModel?
    var arraySize: Int?
    var inverterGBW: Double?
    /// The corner written into the technology's name (`sky130:ss`).
    var technologyCorner: ProcessCorner?
    /// The designer's op-amp, cell and converters (`design.opamp`, `cell`, `dac`, `adc`).
    var opAmpBlock: UserBlock?
    var cellBlock: UserBlock?
    var dacBlock: UserBlock?
    var adcBlock: UserBlock?
}

extension SolveSpecification {
    /// The specification of `operation` from knob values (later values of a knob win), with
    /// every rule that ties knobs together checked once, here.
    ///
    /// - Parameters:
    ///   - entries: knob names (or command-line spellings) and their values, as given.
    ///   - operation: the problem's operation, whose own rules and defaults apply.
    ///   - environment: where the technology's models are found (sky130's PDK).
    public static func resolve(_ entries: [(name: String, value: KnobValue)], operation: CrossbarOperation,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws(SpecificationError)
        -> SolveSpecification
    {
        var latest: [String: (Knob, KnobValue)] = [:]
        for (name, value) in entries {
            guard let knob = Knob.named(name) else {
                throw .unknown(name: name, suggestion: Knob.suggestion(for: name)?.qualifiedName)
            }
            latest[knob.name] = (knob, value)
        }
        var draft = Draft()
        // A knob in effect: given, and for a true/false knob given other than its default.
        var inEffect = Set<String>()
        for knob in Knob.table {
            guard let (_, value) = latest[knob.name] else { continue }
            let setting = try knob.read(value)
            if case .flag(let b) = setting, "\(b)" == knob.defaultText {} else { inEffect.insert(knob.name) }
            try knob.apply(&draft, setting)
        }
        return try draft.finish(operation: operation, given: Set(latest.keys), inEffect: inEffect, environment: environment)
    }
}

extension Draft {
    /// Combines the applied values and checks the rules between knobs.
    func finish(operation: CrossbarOperation, given: Set<String>, inEffect: Set<String>,
                environment: [String: String]) throws(SpecificationError)
        -> SolveSpecification
    {
        func conflict(_ knobs: [String], _ reason: String) -> SpecificationError {
            .conflict(knobs: knobs.map { Knob.named($0)!.qualifiedName }, reason: reason)
        }
        /// A designer's converter in the loop: simulated converters, the design's bits, and few
        /// enough codes to measure.
        func requireConverter(_ block: UserBlock, _ knob: String, bits: Int, pins: String, limit: Int, measured: String,
                              converters: TransistorDesign.ConverterModel) throws(SpecificationError) {
            let name = knob.uppercased(), article = knob == "adc" ? "an" : "a"
            guard converters == .transistor else {
                throw conflict([knob, "converters"], "design.\(knob) \(block.subcircuit) is simulated in the loop only with design.converters transistor")
            }
            guard block.bits.count == bits else {
                throw conflict([knob, "\(knob)-bits"], "design.\(knob) \(block.subcircuit) has \(block.bits.count) \(pins) and the design's \(name) has \(bits) bits: set design.\(knob)-bits \(block.bits.count)")
            }
            guard bits <= limit else {
                throw conflict([knob, "\(knob)-bits"], "design.\(knob): \(article) \(name) of your own is measured \(measured), up to \(limit) bits; \(block.subcircuit) has \(bits)")
            }
        }
        var spec = self.spec
        let fidelity = spec.design.circuit.fidelity
        if let inverterGBW {
            var inverter = spec.design.circuit.opAmp
            inverter.gainBandwidthHertz = inverterGBW
            spec.design.circuit.inverterOpAmp = inverter
        }
        if !given.contains("analysis"), operation == .eig || fidelity == .transistor { spec.plan.analysis = .tran }

        // Operations.
        if given.contains("gin-ratio"), operation != .inv, operation != .ginv {
            throw conflict(["gin-ratio"], "design.gin-ratio applies to inv and ginv only; drop it for \(operation)")
        }
        if operation == .eig, fidelity == .ideal {
            throw conflict(["fidelity"], "eig needs op-amp dynamics to grow its dominant mode: use design.fidelity behavioral")
        }
        if fidelity == .ideal, spec.plan.analysis == .tran, given.contains("analysis") {
            throw conflict(["analysis"], "ideal op-amps have no dynamics, so a transient would show nothing to settle: use plan.analysis op, or design.fidelity behavioral for the step response")
        }
        if operation == .eig, spec.plan.analysis == .op {
            throw conflict(["analysis"], "eig grows its answer in time: use plan.analysis tran")
        }

        // Technology and conditions.
        if fidelity == .transistor, spec.design.technologyName == nil { spec.design.technologyName = Technology.genericName }
        if let corner = technologyCorner {
            if given.contains("corner"), corner != spec.design.conditions.corner {
                throw conflict(["technology", "corner"], "design.technology names corner \(corner.rawValue) and conditions.corner \(spec.design.conditions.corner.rawValue): give one")
            }
            spec.design.conditions.corner = corner
        }
        let technology = spec.design.technologyName
        if spec.design.userLibrary != nil, fidelity != .transistor {
            throw conflict(["technology"], "a model library of your own holds the devices of your blocks, which exist at design.fidelity transistor only")
        }
        if technology != nil, fidelity == .ideal {
            throw conflict(["technology"], "design.technology needs design.fidelity behavioral (a characterised Miller OTA stands in for the op-amp) or transistor; ideal op-amps have no devices")
        }
        let conditionKnobs = Knob.table.filter { $0.scope == .technology && inEffect.contains($0.name) }.map(\.name)
        if technology == nil, !conditionKnobs.isEmpty {
            throw conflict(conditionKnobs, "\(conditionKnobs.map { Knob.named($0)!.qualifiedName }.joined(separator: ", ")) \(conditionKnobs.count == 1 ? "acts" : "act") on transistors: use design.technology generic or sky130 (or design.fidelity to transistor)")
        }
        if technology == Technology.genericName {
            if spec.design.mismatch {
                throw conflict(["mismatch"], "variation.mismatch: the generic card has no mismatch models; use design.technology sky130")
            }
            if spec.design.conditions.corner != .tt, let library = spec.design.userLibrary {
                throw conflict(["corner"], "conditions.corner \(spec.design.conditions.corner.rawValue): a library of your own takes its corner as a section; write design.technology \(library.path):SECTION")
            }
            if spec.design.conditions.corner != .tt {
                throw conflict(["corner"], "corner \(spec.design.conditions.corner.rawValue): the generic card has only the typical corner; use design.technology sky130")
            }
        }

        // Transistor level.
        let transistorOnly = Knob.table.filter { $0.scope == .transistor && inEffect.contains($0.name) }.map(\.name)
        if fidelity != .transistor, !transistorOnly.isEmpty {
            throw conflict(transistorOnly, "\(transistorOnly.map { Knob.named($0)!.qualifiedName }.joined(separator: ", ")) \(transistorOnly.count == 1 ? "applies" : "apply") to design.fidelity transistor only")
        }
        if fidelity == .transistor {
            if spec.design.mapping.cell.magnitudeBits == nil {
                throw conflict(["bits"], "design.bits 0 (continuous conductances) has no transistor circuit: a switched cell has discrete levels; set design.bits from 1 to 16")
            }
            if converters == .transistor, spec.design.mapping.dac.bits == nil || spec.design.mapping.adc.bits == nil {
                throw conflict(["converters"], "simulated converters need bits: drop design.dac-bits 0 / design.adc-bits 0 or set design.converters ideal")
            }
            if converters == .transistor, spec.plan.analysis == .op {
                throw conflict(["converters", "analysis"], "simulated converters convert in time: use plan.analysis tran, or design.converters ideal for an operating point")
            }
            // By default the converters are in the loop whenever there is a conversion to simulate.
            // EIG reads its outputs while they grow, not at a conversion time.
            let simulatable = spec.plan.analysis == .tran && operation != .eig && spec.design.mapping.dac.bits != nil
                && spec.design.mapping.adc.bits != nil
            let converters = self.converters ?? (simulatable ? .transistor : .ideal)
            if !spec.design.variation.isNominal {
                throw conflict(["programming-sigma"], "at transistor level the variation comes from the technology's own mismatch models (variation.mismatch true); variation.programming-sigma, stuck cells, variation.read-noise-sigma and variation.offset-sigma apply to ideal and behavioral fidelity")
            }
            var device: Technology
            do {
                device = try spec.design.conditions.technology(technology ?? Technology.genericName, library: spec.design.userLibrary,
                                                               environment: environment)
            } catch {
                throw .invalid(knob: "design.technology", value: technology ?? "", requirement: error.description)
            }
            if cell.sram == .full, spec.plan.analysis == .op {
                throw conflict(["sram", "analysis"], "design.sram full writes its latches in a write phase before the solve: use plan.analysis tran")
            }
            spec.design.transistor = TransistorDesign(technology: device, ota: ota, cell: cell, converters: converters,
                                                      arraySize: arraySize)
            spec.design.transistor?.opAmpBlock = opAmpBlock
            if let cellBlock {
                let bits = spec.design.mapping.cell.magnitudeBits ?? 0
                guard cellBlock.bits.count == bits else {
                    throw conflict(["cell", "bits"], "design.cell \(cellBlock.subcircuit) has \(cellBlock.bits.count) bit gate\(cellBlock.bits.count == 1 ? "" : "s") and the design stores \(bits) magnitude bits per cell: set design.bits \(cellBlock.bits.count)")
                }
                if given.contains("g0") {
                    throw conflict(["cell", "g0"], "design.g0: your cell's resistors set G0, which is measured; drop design.g0")
                }
                spec.design.transistor?.cellBlock = cellBlock
            }
            if let dacBlock {
                guard [.inv, .ginv].contains(operation) else {
                    throw conflict(["dac"], "design.dac: only inv and ginv drive their inputs through simulated DACs; \(operation.rawValue) takes ideal sources")
                }
                try requireConverter(dacBlock, "dac", bits: spec.design.mapping.dac.bits ?? 0, pins: "bit inputs",
                                     limit: DACMeasurementLimit.bits, measured: "at every code", converters: converters)
                spec.design.transistor?.dacBlock = dacBlock
            }
            if let adcBlock {
                try requireConverter(adcBlock, "adc", bits: spec.design.mapping.adc.bits ?? 0, pins: "code outputs",
                                     limit: ADCMeasurementLimit.bits, measured: "on a ramp through every code", converters: converters)
                spec.design.transistor?.adcBlock = adcBlock
            }
            spec.design.fitUnitConductance = !given.contains("g0") && cellBlock == nil
        }
        let variation = spec.design.variation
        if variation.stuckOnRate + variation.stuckOffRate > 1 {
            throw conflict(["stuck-on-rate", "stuck-off-rate"], "variation.stuck-on-rate + variation.stuck-off-rate = \(variation.stuckOnRate + variation.stuckOffRate): a site is stuck one way at most, so the sum must be at most 1")
        }
        do { try spec.design.mapping.validate() } catch {
            throw .invalid(knob: "design", value: "", requirement: error.description)
        }
        return spec
    }
}
