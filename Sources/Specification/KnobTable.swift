import Circuits
import CircuitTheory

extension Knob {
    /// Every setting of a solve, in the order help lists them.
    public static let table: [Knob] = [
        // MARK: design
        Knob("fidelity", .design, .choice([["ideal"], ["behavioral", "behavioural"], ["transistor"]]), default: "ideal",
             "ideal (VCVS op-amps), behavioral (single-pole op-amps with limits) or transistor (SRAM-switched cells and Miller OTAs on a technology)",
             read: { s in .text(s.design.circuit.fidelity.rawValue) })
        { d, v in d.spec.design.circuit.fidelity = Fidelity(rawValue: v.word)! },
        Knob("bits", .design, .integer(1...16, zero: "continuous conductances"), default: "4",
             "magnitude bits per cell",
             read: { s in .number(Double(s.design.mapping.cell.magnitudeBits ?? 0)) })
        { d, v in d.spec.design.mapping.cell.magnitudeBits = v.integer == 0 ? nil : v.integer },
        Knob("sign", .design, .choice([["two-arrays", "twoarrays", "two"], ["sign-bit", "signbit", "bit"]]), default: "two-arrays",
             "sign handling: two-arrays (array N driven by -V) or sign-bit (one array)",
             read: { s in .text(s.design.mapping.cell.sign == .twoArrays ? "two-arrays" : "sign-bit") })
        { d, v in d.spec.design.mapping.cell.sign = v.word == "two-arrays" ? .twoArrays : .signBit },
        Knob("dac-bits", .design, .integer(2...24, zero: "an ideal DAC"), default: "8", "input DAC bits",
             read: { s in .number(Double(s.design.mapping.dac.bits ?? 0)) })
        { d, v in d.spec.design.mapping.dac.bits = v.integer == 0 ? nil : v.integer },
        Knob("adc-bits", .design, .integer(2...24, zero: "an ideal ADC"), default: "8", "output ADC bits",
             read: { s in .number(Double(s.design.mapping.adc.bits ?? 0)) })
        { d, v in d.spec.design.mapping.adc.bits = v.integer == 0 ? nil : v.integer },
        Knob("full-scale", .design, .quantity(unit: "V", domain: .upTo(10)), default: "0.5",
             "converter full scale, volts about the reference",
             read: { s in .number(s.design.mapping.adc.fullScaleVolts) })
        { d, v in d.spec.design.mapping.dac.fullScaleVolts = v.number; d.spec.design.mapping.adc.fullScaleVolts = v.number },
        Knob("gain", .design, .quantity(unit: "V/V", domain: Domain(lower: 1, lowerInclusive: false, upper: 1e12, upperInclusive: true)),
             default: "1e6 (ideal), 1e4 (behavioral), the OTA's sizing target (transistor)",
             "op-amp DC gain A0",
             read: { s in .number(s.design.circuit.openLoopGain) })
        { d, v in
            d.spec.design.circuit.idealGain = v.number
            d.spec.design.circuit.opAmp.dcGain = v.number
            d.ota.dcGain = v.number
        },
        Knob("gbw", .design, .quantity(unit: "Hz", domain: .closed(1e3, 1e12)), default: "10meg",
             "op-amp gain-bandwidth product (behavioral; at transistor level the OTA's sizing target)",
             read: { s in s.design.circuit.fidelity == .ideal ? nil : .number(s.design.circuit.opAmp.gainBandwidthHertz) })
        { d, v in d.spec.design.circuit.opAmp.gainBandwidthHertz = v.number; d.ota.gainBandwidthHertz = v.number },
        Knob("inverter-gbw", .design, .quantity(unit: "Hz", domain: .closed(1e3, 1e12)), default: "the gbw",
             "GBW of the inverters' op-amps",
             read: { s in s.design.circuit.inverterOpAmp.map { .number($0.gainBandwidthHertz) } })
        { d, v in d.inverterGBW = v.number },
        Knob("swing", .design, .quantity(unit: "V", domain: .upTo(10)), default: "0.5",
             "op-amp output limit, volts about the reference",
             read: { s in .number(s.design.mapping.opAmpSwingVolts) })
        { d, v in d.spec.design.mapping.opAmpSwingVolts = v.number; d.spec.design.circuit.opAmp.outputSwingVolts = v.number },
        Knob("offset", .design, .quantity(unit: "V", domain: .closed(-1, 1)), default: "0",
             "input offset of every op-amp (behavioral)",
             read: { s in s.design.circuit.fidelity == .ideal ? nil : .number(s.design.circuit.opAmp.inputOffsetVolts) })
        { d, v in d.spec.design.circuit.opAmp.inputOffsetVolts = v.number },
        Knob("g0", .design, .quantity(unit: "S", domain: .closed(1e-12, 1)), default: "10u (transistor level: lowered until the op-amps can drive the array)",
             "unit conductance G0, one cell level",
             read: { s in .number(s.design.mapping.unitConductanceSiemens) })
        { d, v in d.spec.design.mapping.unitConductanceSiemens = v.number },
        Knob("gin-ratio", .design, .quantity(unit: "", domain: .upTo(1e6)), default: "auto-ranged",
             "G_in / G0 for inv and ginv",
             read: { s in s.design.mapping.inputConductanceRatio.map { .number($0) } })
        { d, v in d.spec.design.mapping.inputConductanceRatio = v.number },
        Knob("feedback-ratio", .design, .quantity(unit: "", domain: .upTo(1e6)), default: "chosen by the mapping",
             "G_f, G_T or G_lambda over G0",
             read: { s in s.design.mapping.feedbackConductanceRatio.map { .number($0) } })
        { d, v in d.spec.design.mapping.feedbackConductanceRatio = v.number },
        Knob("wire-r", .design, .quantity(unit: "Ohm", domain: .closed(0, 1e6)), default: "0",
             "wire resistance per segment of every row and column line",
             read: { s in .number(s.design.circuit.wires.resistanceOhms) })
        { d, v in d.spec.design.circuit.wires.resistanceOhms = v.number },
        Knob("wire-c", .design, .quantity(unit: "F", domain: .closed(0, 1e-6)), default: "0",
             "wire capacitance per segment",
             read: { s in .number(s.design.circuit.wires.capacitanceFarads) })
        { d, v in d.spec.design.circuit.wires.capacitanceFarads = v.number },
        Knob("technology", .design, .text(valueName: "generic|sky130[:corner]|FILE[:section]"), default: "generic at transistor level, none otherwise",
             aliases: ["tech"],
             "generic (the built-in 90-nm-class card), sky130[:tt|ss|ff|sf|fs], or a model library of your own with its corner section (lib.sp:tt), included for the devices of your blocks (design.opamp) on top of the generic card: the transistor-level circuit's devices, or at behavioral fidelity the Miller OTA characterised at the corner, temperature and supply",
             read: { s in s.design.transistor.map { .text($0.technology.identifier) } ?? s.design.technologyName.map { .text($0) } })
        { d, v throws(SpecificationError) in
            let parts = v.word.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard [Technology.genericName, Technology.sky130Name].contains(parts[0]) else {
                // Anything else is a designer's model library.
                do throws(TechnologyError) { d.spec.design.userLibrary = try UserLibrary.parse(v.word) } catch {
                    throw .invalid(knob: "design.technology", value: Quantity.echo(v.word), requirement: error.description)
                }
                d.spec.design.technologyName = Technology.genericName
                return
            }
            guard parts.count <= 2 else {
                throw .invalid(knob: "design.technology", value: Quantity.echo(v.word), requirement: "use generic, sky130[:tt|ss|ff|sf|fs] or FILE[:section]")
            }
            d.spec.design.technologyName = parts[0]
            d.spec.design.userLibrary = nil
            if parts.count == 2 {
                guard let corner = ProcessCorner(rawValue: parts[1]) else {
                    throw .invalid(knob: "design.technology", value: Quantity.echo(v.word), requirement: "unknown corner '\(Quantity.echo(parts[1]))'; use tt, ss, ff, sf or fs")
                }
                d.technologyCorner = corner
            }
        },
        userBlock("opamp", .opamp, default: "Crossloop's Miller OTA",
                  "transistor level: your own op-amp in every loop position, by reference (the file is included, not copied); its pins come from FILE.yaml or the file's *> header (README, \"Your own blocks\"), and it is measured (gain, GBW, phase margin in the loop's load, swing, drive, supply current) before the solve trusts it",
                  read: { $0.design.transistor?.opAmpBlock }, set: { $0.opAmpBlock = $1 }),
        userBlock("cell", .cell, default: "Crossloop's SRAM-switched cell",
                  "transistor level: your own cell at every site of the array, by reference; its pins (row, column, bits least significant first, optional bitsBar) come from FILE.yaml or the file's *> header, its gates are driven by the stored bits, and every code's conductance is measured before the solve: G0 is the measured step, and levels that do not rise with the code are refused",
                  read: { $0.design.transistor?.cellBlock }, set: { $0.cellBlock = $1 }),
        userBlock("dac", .dac, default: "Crossloop's R-2R DAC",
                  "transistor level with design.converters transistor: your own DAC on every input, by reference; its pins (bits least significant first, out, vdd, vss, optional refp/refn, driven at Crossloop's DAC references) come from FILE.yaml or the *> header; every code's output and the output resistance are measured before the solve, and the verdict checks every code within half an LSB of the ideal DAC",
                  read: { $0.design.transistor?.dacBlock }, set: { $0.dacBlock = $1 }),
        userBlock("adc", .adc, default: "Crossloop's SAR ADC",
                  "transistor level with design.converters transistor: your own ADC on every output, by reference; its pins (in, clk, samp, bits least significant first, vdd, vss, optional refp/refn/vcm, driven at Crossloop's SAR references) and its timing (clock period, sampling and conversion periods) come from FILE.yaml or the *> header; it converts a ramp through every code before the solve, the solution is read from its codes, and the verdict checks every transition within half an LSB of the ideal ADC",
                  read: { $0.design.transistor?.adcBlock }, set: { $0.adcBlock = $1 }),
        Knob("sram", .design, .choice([["dc"], ["full"]]), default: "dc", scope: .transistor,
             "transistor level: the stored bits as a state source per bit (dc), or full (a 6T latch per bit on word and bit lines, written before the solve and read back)",
             read: { s in s.design.transistor.map { .text($0.cell.sram.rawValue) } })
        { d, v in d.cell.sram = v.word == "full" ? .full : .dc },
        Knob("write-slot", .design, .quantity(unit: "s", domain: .closed(1e-12, 1e-6)), default: "2n", scope: .transistor,
             "transistor level, with the full SRAM (6T latches): how long each row's word line is high in the write phase",
             read: { s in s.design.transistor.flatMap { $0.cell.sram == .full ? .number($0.cell.writeSlotSeconds) : nil } })
        { d, v in d.cell.writeSlotSeconds = v.number },
        Knob("array", .design, .integer(1...1024, zero: nil, unit: "cells"), default: "the problem's size", scope: .transistor,
             "transistor level: rows and columns of every array tile (the reference chip's are 64); the problem sits in its top-left block and every other cell is programmed off",
             read: { s in s.design.transistor?.arraySize.map { .number(Double($0)) } })
        { d, v in d.arraySize = v.integer },
        Knob("converters", .design, .choice([["ideal"], ["transistor"]]), default: "transistor (ideal for an operating point)", scope: .transistor,
             "transistor level: an R-2R DAC per input and a SAR ADC per output simulated in the loop, the answer read from the codes (transistor), or ideal converters",
             read: { s in s.design.transistor.map { .text($0.converters.rawValue) } })
        { d, v in d.converters = v.word == "transistor" ? .transistor : .ideal },
        Knob("ron-fraction", .design, .quantity(unit: "", domain: .open(0, 0.5)), default: "0.02", scope: .transistor,
             "transistor level: switch on-resistance over each cell branch's resistance",
             read: { s in s.design.transistor.map { .number($0.cell.onResistanceFraction) } })
        { d, v in d.cell.onResistanceFraction = v.number },
        Knob("ron-compensation", .design, .flag, default: "true", scope: .transistor,
             "transistor level: shorten each cell branch's resistor by its switch's estimated on-resistance",
             read: { s in s.design.transistor.map { .flag($0.cell.compensateOnResistance) } })
        { d, v in d.cell.compensateOnResistance = v.flag },

        // MARK: conditions
        Knob("corner", .conditions, .choice(ProcessCorner.allCases.map { [$0.rawValue] }), default: "tt", scope: .technology,
             "process corner of the technology",
             read: { s in s.design.technologyName == nil ? nil : .text(s.design.conditions.corner.rawValue) })
        { d, v in d.spec.design.conditions.corner = ProcessCorner(rawValue: v.word)! },
        Knob("temperature", .conditions, .quantity(unit: "C", domain: .closed(-55, 175)), default: "27", aliases: ["temp"], scope: .technology,
             "temperature of the technology's devices, degrees Celsius",
             read: { s in s.design.technologyName == nil ? nil : .number(s.design.conditions.temperatureCelsius) })
        { d, v in d.spec.design.conditions.temperatureCelsius = v.number },
        Knob("supply", .conditions, .quantity(unit: "V", domain: .upTo(10)), default: "the technology's nominal", scope: .technology,
             "supply voltage of the technology",
             read: { s in s.design.transistor.map { .number($0.technology.supplyVolts) } ?? s.design.conditions.supplyVolts.map { .number($0) } })
        { d, v in d.spec.design.conditions.supplyVolts = v.number },

        // MARK: variation
        Knob("programming-sigma", .variation, .quantity(unit: "", domain: .closed(0, 1)), default: "0",
             "relative sigma of the cell programming error, per sample",
             read: { s in .number(s.design.variation.programmingSigma) })
        { d, v in d.spec.design.variation.programmingSigma = v.number },
        Knob("stuck-on-rate", .variation, .quantity(unit: "", domain: .closed(0, 1)), default: "0",
             "probability of a cell site stuck on (full scale), per sample",
             read: { s in .number(s.design.variation.stuckOnRate) })
        { d, v in d.spec.design.variation.stuckOnRate = v.number },
        Knob("stuck-off-rate", .variation, .quantity(unit: "", domain: .closed(0, 1)), default: "0",
             "probability of a cell site stuck off (open), per sample",
             read: { s in .number(s.design.variation.stuckOffRate) })
        { d, v in d.spec.design.variation.stuckOffRate = v.number },
        Knob("read-noise-sigma", .variation, .quantity(unit: "", domain: .closed(0, 1)), default: "0",
             "relative sigma of the read noise, per read",
             read: { s in .number(s.design.variation.readNoiseSigma) })
        { d, v in d.spec.design.variation.readNoiseSigma = v.number },
        Knob("offset-sigma", .variation, .quantity(unit: "V", domain: .closed(0, 1)), default: "0",
             "sigma of each amplifier's input offset, per sample",
             read: { s in .number(s.design.variation.offsetSigmaVolts) })
        { d, v in d.spec.design.variation.offsetSigmaVolts = v.number },
        Knob("mismatch", .variation, .flag, default: "false", scope: .technology,
             "device mismatch through the technology's own statistical models (sky130)",
             read: { s in s.design.technologyName == nil ? nil : .flag(s.design.mismatch) })
        { d, v in d.spec.design.mismatch = v.flag },

        // MARK: plan
        Knob("analysis", .plan, .choice([["op"], ["tran"]]), default: "op (tran for eig and at transistor level)",
             "op (operating point) or tran (step response: stability and settling)",
             read: { s in .text(s.plan.analysis.rawValue) })
        { d, v in d.spec.plan.analysis = AnalysisKind(rawValue: v.word)! },
        Knob("settling-bits", .plan, .integer(1...30, zero: nil), default: "the ADC bits, or 8",
             "settling is measured to this many bits",
             read: { s in .number(Double(s.bitsForSettling)) })
        { d, v in d.spec.plan.settlingBits = v.integer },
        Knob("stop-time", .plan, .quantity(unit: "s", domain: .upTo(10)), default: "4x the predicted settling",
             "transient stop time",
             read: { s in s.plan.stopTime.map { .number($0) } })
        { d, v in d.spec.plan.stopTime = v.number },
        Knob("attribution", .plan, .flag, default: "false",
             "attribute the error to its sources: exactly for quantisation, DAC, ADC and finite gain, and by one more simulation per source the design holds (switches, offset, wires, settling) with that source made ideal",
             read: { s in .flag(s.plan.attribution) })
        { d, v in d.spec.plan.attribution = v.flag },
        Knob("nodeset", .plan, .flag, default: "true",
             "seed .op with the expected voltages",
             read: { s in .flag(s.plan.useNodeset) })
        { d, v in d.spec.plan.useNodeset = v.flag },

        // MARK: policy
        Knob("tolerance-bits", .policy, .quantity(unit: "", domain: .upTo(60)), default: "from the error model",
             aliases: ["target-bits"],
             "pass only at this many equivalent bits against the ideal answer (the target)",
             read: { s in s.policy.toleranceBits.map { .number($0) } })
        { d, v in d.spec.policy.toleranceBits = v.number },
        Knob("max-penalty-bits", .policy, .quantity(unit: "", domain: .closed(0, 60)), default: "1",
             "pass only when the circuit loses at most this many equivalent bits against a digital solver at the same precision (the same quantised cells, DAC and ADC)",
             read: { s in .number(s.policy.maxPenaltyBits) })
        { d, v in d.spec.policy.maxPenaltyBits = v.number },
        Knob("force", .policy, .flag, default: "false",
             "simulate even when the loop is predicted unstable",
             read: { s in .flag(s.policy.force) })
        { d, v in d.spec.policy.force = v.flag },
        Knob("energy-per-flop", .policy, .quantity(unit: "J", domain: .upTo(1e-6)), default: "1p",
             "the digital baseline's energy per floating-point operation (an assumption)",
             read: { s in s.design.transistor == nil ? nil : .number(s.policy.joulesPerFlop) })
        { d, v in d.spec.policy.joulesPerFlop = v.number },

        // MARK: limits
        Knob("timeout", .limits, .quantity(unit: "s", domain: .upTo(1e6)), default: "none",
             "stop a simulation after this much wall-clock time",
             read: { s in s.limits.timeLimitSeconds.map { .number($0) } })
        { d, v in d.spec.limits.timeLimitSeconds = v.number },
    ]

    /// The knob called `name` (or spelt `name` on the command line).
    public static func named(_ name: String) -> Knob? {
        let key = name.lowercased()
        return table.first { $0.name == key || $0.aliases.contains(key) || $0.qualifiedName == key }
    }

    /// The knobs of `sections`, in table order.
    public static func knobs(in sections: Set<Section>) -> [Knob] { table.filter { sections.contains($0.section) } }

    /// The knob whose name is closest to a mistyped `name`, when one is close.
    public static func suggestion(for name: String, among knobs: [Knob] = table) -> Knob? {
        let scored = knobs.map { ($0, editDistance(name.lowercased(), $0.name)) }.min { $0.1 < $1.1 }
        guard let (knob, distance) = scored, distance <= max(2, name.count / 3) else { return nil }
        return knob
    }
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[b.count]
}

extension Knob {
    /// A designer's block by reference (`FILE:SUBCKT`), loaded with its pin map when set.
    static func userBlock(_ name: String, _ kind: UserBlock.Kind, default defaultText: String, _ help: String,
                          read: @escaping @Sendable (SolveSpecification) -> UserBlock?,
                          set: @escaping @Sendable (inout Draft, UserBlock) -> Void) -> Knob {
        Knob(name, .design, .text(valueName: "FILE:SUBCKT"), default: defaultText, scope: .transistor, help,
             read: { s in read(s).map { .text($0.reference) } })
        { d, v throws(SpecificationError) in
            do throws(UserBlockError) { set(&d, try UserBlock.load(v.word, kind: kind)) } catch {
                throw .invalid(knob: "design.\(name)", value: Quantity.echo(v.word), requirement: error.description)
            }
        }
    }
}
