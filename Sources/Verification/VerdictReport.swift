import Characterization
import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// The verdict as JSON, JUnit XML and a short text summary. Every report states the values
/// the design used.
public enum VerdictReport {
    public static func json(_ v: Verdict, crossloopVersion: String) -> JSONValue {
        let p = v.prediction
        let m = p.mapping
        func metrics(_ x: Metrics) -> JSONValue {
            .object([
                ("relativeError", .number(x.relativeError)),
                ("equivalentBits", .number(x.equivalentBits)),
                ("maxErrorLSB", .optional(x.maxErrorLSB)),
                ("residual", .optional(x.residual)),
                ("snrDecibels", .number(x.snrDecibels)),
            ])
        }
        var mainMetrics: [(String, JSONValue)]
        if case .object(let members) = metrics(v.metricsIdeal) { mainMetrics = members } else { mainMetrics = [] }
        mainMetrics += [
            ("againstQuantised", metrics(v.metricsQuantised)),
            ("againstFiniteGain", metrics(v.metricsFiniteGain)),
            ("circuitAgreement", metrics(v.circuitAgreement)),
        ]
        let measuredOpAmp: JSONValue = v.options.design.measuredOpAmp.map { opAmpJSON($0, block: v.options.design.transistor?.opAmpBlock) } ?? .null
        let measuredCell: JSONValue = v.options.design.measuredCell.map { cell in
            .object([("block", v.options.design.transistor?.cellBlock.map { .string($0.reference) } ?? .null),
                     ("levelSiemens", .numbers(cell.levelSiemens)), ("unitSiemens", .number(cell.unitSiemens)),
                     ("offSiemens", .number(cell.offSiemens)), ("levelError", .number(cell.levelError)),
                     ("testVolts", .number(cell.testVolts))])
        } ?? .null
        let cellAsLaid: JSONValue = v.options.design.cellAsLaid.map { cell in
            .object([("levelSiemens", .numbers(cell.levelSiemens)), ("testVolts", .number(cell.testVolts)),
                     ("levelError", .number(cell.levelError(unitSiemens: v.prediction.mapping.unitConductanceSiemens)))])
        } ?? .null
        let measuredDAC: JSONValue = v.options.design.measuredDAC.map { dac in
            .object([("block", v.options.design.transistor?.dacBlock.map { .string($0.reference) } ?? .null),
                     ("codeVolts", .numbers(dac.codeVolts)), ("maxErrorLSB", .number(dac.maxErrorLSB)),
                     ("inlLSB", .number(dac.inlLSB)), ("dnlLSB", .number(dac.dnlLSB)),
                     ("outputResistanceOhms", .number(dac.outputResistanceOhms))])
        } ?? .null
        let measuredADC: JSONValue = v.options.design.measuredADC.map { adc in
            .object([("block", v.options.design.transistor?.adcBlock.map { .string($0.reference) } ?? .null),
                     ("transitionVolts", .numbers(adc.transitionVolts)), ("maxErrorLSB", .number(adc.maxErrorLSB)),
                     ("resolutionLSB", .number(adc.resolutionLSB)), ("inlLSB", .number(adc.inlLSB)), ("dnlLSB", .number(adc.dnlLSB)),
                     ("missingCodes", .array(adc.missingCodes.map { .number(Double($0)) })), ("grossErrors", .number(Double(adc.grossErrors))),
                     ("conversions", .number(Double(adc.conversions))), ("conversionSeconds", .number(adc.conversionSeconds))])
        } ?? .null
        let design: JSONValue = .object([
            ("fidelity", .string(v.options.design.circuit.fidelity.rawValue)),
            ("analysis", .string(v.options.plan.analysis.rawValue)),
            ("elements", .number(Double(v.design.elementCount))),
            ("switchDevices", .number(Double(v.design.switchDevices))),
            ("arrays", .array(v.design.arrays.map { state in
                .object([("name", .string(state.structure.name)), ("rows", .number(Double(state.structure.rows))),
                         ("columns", .number(Double(state.structure.columns))),
                         ("planes", .array(state.structure.planes.map { .string($0) })),
                         ("switchBranches", .number(Double(state.structure.switchBranches))),
                         ("storedBits", .number(Double(state.structure.storedBits)))])
            })),
            ("sramReadback", v.sramReadback.map { r in
                .object([("bits", .number(Double(r.bits))), ("mismatches", .array(r.mismatches.map { .string($0) })),
                         ("readSeconds", .number(r.readSeconds))])
            } ?? .null),
            ("values", .array(v.design.values.map(\.json))),
            ("measuredOpAmp", measuredOpAmp),
        ("measuredCell", measuredCell),
        ("cellAsLaid", cellAsLaid),
        ("measuredDAC", measuredDAC),
        ("measuredADC", measuredADC),
        ])
        let head: [(String, JSONValue)] = [
            ("crossloopVersion", .string(crossloopVersion)),
            ("problem", .object([
                ("operation", .string(v.problem.operation.rawValue)),
                ("rows", .number(Double(v.problem.matrix.rows))),
                ("columns", .number(Double(v.problem.matrix.columns))),
                ("blockSize", .optional(v.problem.blockSize.map(Double.init))),
                ("vector", .numbers(v.problem.vector)),
            ])),
            ("solution", .numbers(v.solution)),
            ("outputVolts", .numbers(v.outputVolts)),
            ("outputNodes", .array(v.design.outputNodes.map { .string($0) })),
            ("reference", .object([
                ("ideal", .numbers(p.references.ideal)),
                ("quantised", .numbers(p.references.quantised)),
                ("finiteGain", .numbers(p.references.finiteGain)),
            ])),
            ("metrics", .object(mainMetrics)),
            ("equivalentPrecision", .object([
                ("bits", .number(v.equivalentPrecision.equivalentBits)),
                ("relativeError", .number(v.equivalentPrecision.relativeError)),
                ("solution", .numbers(v.equivalentSolution)),
            ])),
            ("analoguePenaltyBits", .number(v.analoguePenaltyBits)),
            ("attribution", .array(v.attribution.map { t in
                .object([("source", .string(t.source)), ("relativeError", .number(t.relativeError)), ("bits", .number(t.bits)),
                         ("method", .string(t.method.rawValue)), ("detail", .string(t.detail))])
            })),
            ("attributionSum", v.attribution.isEmpty ? .null : .number(v.attribution.map(\.relativeError).reduce(0, +))),
            ("stability", .object([
                ("stable", .bool(p.isStable)),
                ("minRealEigenvalue", .number(p.stability.minRealEigenvalue)),
                ("phaseBudgetRadians", .number(p.stability.phaseBudgetRadians)),
                ("loopPolesStable", p.loopPoles.map { .bool($0.isStable) } ?? .null),
                ("tauSeconds", .optional(p.timeConstantSeconds)),
                ("suggestedGinRatio", .optional(p.fix?.suggestedRatio)),
                ("transient", v.transientOutcome.map { .string($0.rawValue) } ?? .null),
            ])),
            ("settling", .object([
                ("bits", .number(Double(p.settlingBits))),
                ("predictedSeconds", .optional(v.problem.operation == .eig ? p.growthSeconds : p.settlingSeconds)),
                ("measuredSeconds", .optional(v.measuredSettlingSeconds)),
            ])),
            ("conditionNumber", .number(p.conditionNumber)),
            ("energy", v.energy.map { e in
                .object([("joulesPerSolve", .number(e.joulesPerSolve)), ("totalJoules", .number(e.joulesPerSolve)),
                         ("items", .array(e.items.map { .object([("block", .string($0.block)), ("joules", .number($0.joules))]) })),
                         ("averageWatts", .number(e.averageWatts)),
                         ("quiescentWatts", .number(e.quiescentWatts)), ("latencySeconds", .number(e.latencySeconds)),
                         ("digitalFlops", .number(e.digitalFlops)), ("joulesPerFlop", .number(e.joulesPerFlop)),
                         ("digitalJoules", .number(e.digitalJoules)), ("efficiencyRatio", .number(e.efficiencyRatio))])
            } ?? .null),
            ("errorBudget", .object([
                ("finiteGain", .number(p.budget.finiteGain)),
                ("quantisation", .number(p.budget.quantisation)),
                ("dac", .number(p.budget.dac)),
                ("adc", .number(p.budget.adc)),
                ("relative", .number(p.budget.combined)),
            ])),
            ("deviceErrors", p.deviceErrors.map { d in
                .object([("switch", .number(d.switchResistance)), ("switchMeasured", .bool(d.switchMeasured)),
                         ("wires", .number(d.wires)), ("offset", .number(d.offset)),
                         ("requiredOutputAmperes", .number(d.requiredOutputAmperes)),
                         ("availableOutputAmperes", .optional(d.availableOutputAmperes))])
            } ?? .null),
            ("mapping", .object([
                ("unitConductanceSiemens", .number(m.unitConductanceSiemens)),
                ("cellBits", .optional(m.parameters.cell.magnitudeBits.map(Double.init))),
                ("sign", .string(m.parameters.cell.sign.rawValue)),
                ("matrixScale", .number(m.matrixScale)),
                ("inputConductanceRatio", .optional(m.inputConductanceRatio)),
                ("feedbackConductanceRatio", .optional(m.feedbackConductanceRatio)),
                ("inputScale", .number(m.inputScale)),
                ("outputScale", .number(m.outputScale)),
                ("dacBits", .optional(m.parameters.dac.bits.map(Double.init))),
                ("adcBits", .optional(m.parameters.adc.bits.map(Double.init))),
                ("converterFullScaleVolts", .number(m.parameters.adc.fullScaleVolts)),
                ("swingVolts", .number(m.parameters.opAmpSwingVolts)),
            ])),
        ]
        return .object(head + [
            ("design", design),
            ("specification", .array(v.options.parameterValues().map(\.json))),
            ("engine", .object([
                ("ngspiceVersion", .string(v.simulation.ngspiceVersion)),
                ("solver", .string(v.simulation.solver)),
                ("seconds", .number(v.simulation.seconds)),
                ("loadSeconds", .number(v.simulation.loadSeconds)),
                ("runSeconds", .number(v.simulation.runSeconds)),
                ("timepoints", .number(Double(v.simulation.timepoints))),
                ("warnings", .array(v.simulation.warnings.map { .string($0) })),
            ])),
            ("timings", .object([
                ("analysisSeconds", .number(v.timings.analysisSeconds)),
                ("generationSeconds", .number(v.timings.generationSeconds)),
                ("loadSeconds", .number(v.timings.loadSeconds)),
                ("runSeconds", .number(v.timings.runSeconds)),
                ("verificationSeconds", .number(v.timings.verificationSeconds)),
                ("totalSeconds", .number(v.timings.totalSeconds)),
            ])),
            ("checks", .array(v.checks.map { check in
                .object([("name", .string(check.name)), ("status", .string(check.status.rawValue)),
                         ("detail", .string(check.detail))])
            })),
            ("verdict", .object([
                ("pass", .bool(v.passed)),
                ("toleranceBits", .number(v.toleranceBits)),
            ])),
        ])
    }

    /// What was measured of a designer's op-amp before the solve trusted it.
    static func userOpAmpLines(_ block: UserBlock, _ m: OTAMeasurement) -> [String] {
        func volts(_ x: Double?) -> String { x.map { formatSignificant($0, 3) } ?? "?" }
        func amps(_ x: Double?) -> String { x.map { engineering($0, unit: "A") } ?? "?" }
        return [
            "  op-amp    \(block.summary), measured on the simulator into \(engineering(m.loadCapacitanceFarads ?? 0, unit: "F")):",
            "            A0 \(engineering(m.dcGain, unit: "V/V")) (\(formatSignificant(m.dcGainDecibels, 3)) dB), GBW \(engineering(m.gainBandwidthHertz, unit: "Hz")), PM \(formatSignificant(m.phaseMarginDegrees, 3)) deg, offset \(engineering(m.offsetVolts, unit: "V")), r_out \(m.outputResistanceOhms.map { engineering($0, unit: "Ohm") } ?? "?")",
            "            output \(volts(m.outputLowVolts))..\(volts(m.outputHighVolts)) V, linear (gain >= \(Int(OTAMeasurement.linearGainFraction * 100)) % of A0) \(volts(m.linearLowVolts))..\(volts(m.linearHighVolts)) V, sources \(amps(m.outputSourceAmperes)), sinks \(amps(m.outputSinkAmperes)), supply \(engineering(m.supplyCurrentAmperes, unit: "A")), slew \(engineering(min(m.slewRisingVoltsPerSecond, m.slewFallingVoltsPerSecond), unit: "V/s"))",
        ]
    }

    static func opAmpJSON(_ m: OTAMeasurement, block: UserBlock?) -> JSONValue {
        .object([
            ("block", block.map { .string($0.reference) } ?? .null),
            ("dcGain", .number(m.dcGain)), ("gainBandwidthHertz", .number(m.gainBandwidthHertz)),
            ("phaseMarginDegrees", .number(m.phaseMarginDegrees)), ("offsetVolts", .number(m.offsetVolts)),
            ("outputResistanceOhms", .optional(m.outputResistanceOhms)),
            ("outputLowVolts", .optional(m.outputLowVolts)), ("outputHighVolts", .optional(m.outputHighVolts)),
            ("linearLowVolts", .optional(m.linearLowVolts)), ("linearHighVolts", .optional(m.linearHighVolts)),
            ("outputSourceAmperes", .optional(m.outputSourceAmperes)), ("outputSinkAmperes", .optional(m.outputSinkAmperes)),
            ("supplyCurrentAmperes", .number(m.supplyCurrentAmperes)),
            ("slewRisingVoltsPerSecond", .number(m.slewRisingVoltsPerSecond)),
            ("slewFallingVoltsPerSecond", .number(m.slewFallingVoltsPerSecond)),
            ("loadCapacitanceFarads", .optional(m.loadCapacitanceFarads)),
        ])
    }

    /// JUnit XML: one testsuite, one testcase per check.
    public static func junit(_ v: Verdict, suiteName: String) -> String {
        let failures = v.checks.filter { $0.status == .failed }.count
        let skipped = v.checks.filter { $0.status == .skipped }.count
        let time = String(format: "%.6f", v.simulation.seconds)
        return junitDocument(tests: v.checks.count, failures: failures, errors: 0, skipped: skipped, time: time,
                             suites: [junitSuite(v, name: suiteName)])
    }

    /// A JUnit document around test suites (from ``junitSuite(_:name:)``).
    public static func junitDocument(tests: Int, failures: Int, errors: Int, skipped: Int, time: String, suites: [[String]]) -> String {
        let lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<testsuites name=\"crossloop\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time)\">"]
            + suites.flatMap { $0 } + ["</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One testsuite: a testcase per check of the verdict.
    public static func junitSuite(_ v: Verdict, name suiteName: String) -> [String] {
        let failures = v.checks.filter { $0.status == .failed }.count
        let skipped = v.checks.filter { $0.status == .skipped }.count
        let time = String(format: "%.6f", v.simulation.seconds)
        var lines = [
            "  <testsuite name=\"\(Markup.attribute(suiteName))\" tests=\"\(v.checks.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(time)\">",
        ]
        let classname = "crossloop.\(v.problem.operation.rawValue)"
        for check in v.checks {
            let open = "    <testcase classname=\"\(Markup.attribute(classname))\" name=\"\(Markup.attribute(check.name))\" time=\"0\""
            switch check.status {
            case .passed:
                lines.append(open + ">")
                lines.append("      <system-out>\(Markup.text(check.detail))</system-out>")
                lines.append("    </testcase>")
            case .failed:
                lines.append(open + ">")
                lines.append("      <failure message=\"\(Markup.attribute(check.detail))\" type=\"verification\">\(Markup.text(check.detail))</failure>")
                lines.append("    </testcase>")
            case .skipped:
                lines.append(open + ">")
                lines.append("      <skipped message=\"\(Markup.attribute(check.detail))\"/>")
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        return lines
    }

    /// One testsuite of a run that gave no verdict (refused, invalid, failed to simulate):
    /// a single testcase with an error of `kind`.
    public static func junitErrorSuite(name suiteName: String, testcase: String, kind: String, message: String) -> [String] {
        ["  <testsuite name=\"\(Markup.attribute(suiteName))\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">",
         "    <testcase classname=\"crossloop.check\" name=\"\(Markup.attribute(testcase))\" time=\"0\">",
         "      <error message=\"\(Markup.attribute(message))\" type=\"\(Markup.attribute(kind))\">\(Markup.text(message))</error>",
         "    </testcase>",
         "  </testsuite>"]
    }

    /// A few lines for a person.
    public static func summary(_ v: Verdict) -> String {
        let p = v.prediction
        let m = p.mapping
        let op = v.problem.operation
        let shape = "\(v.problem.matrix.rows)x\(v.problem.matrix.columns)"
        var lines: [String] = []
        lines.append("\(op.rawValue) \(shape), \(v.options.design.circuit.fidelity.rawValue) fidelity, .\(v.options.plan.analysis.rawValue): \(v.passed ? "PASS" : "FAIL")")
        lines.append("  solution  \(vector(v.solution))")
        lines.append("  ideal     \(vector(p.references.ideal))")
        lines.append("  accuracy  \(significant(v.metricsIdeal.equivalentBits, 4)) equivalent bits vs ideal (relative error \(scientific(v.metricsIdeal.relativeError, 3))), tolerance \(significant(v.toleranceBits, 4)) bits")
        lines.append("            vs quantised \(significant(v.metricsQuantised.equivalentBits, 4)) bits, vs finite-gain circuit \(significant(v.metricsFiniteGain.equivalentBits, 4)) bits; analogue vs finite-gain \(scientific(v.circuitAgreement.relativeError, 3))")
        lines.append("  penalty   a digital solver at the same precision (quantised cells, DAC, ADC) has \(significant(v.equivalentPrecision.equivalentBits, 4)) bits; analogue penalty \(significant(v.analoguePenaltyBits, 3)) bits (max \(significant(v.options.policy.maxPenaltyBits, 3)))")
        var stability = "  stability \(p.isStable ? "stable" : "UNSTABLE"), min Re eig(M) = \(significant(p.stability.minRealEigenvalue, 4))"
        if let poles = p.loopPoles { stability += ", with inverter poles \(poles.isStable ? "stable" : "unstable")" }
        if let tau = p.timeConstantSeconds { stability += ", tau = \(engineering(tau, unit: "s"))" }
        if let outcome = v.transientOutcome { stability += "; transient \(outcome.rawValue)" }
        lines.append(stability)
        if v.options.plan.analysis == .tran {
            let predicted = (op == .eig ? p.growthSeconds : p.settlingSeconds).map { engineering($0, unit: "s") } ?? "n/a"
            let measured = v.measuredSettlingSeconds.map { engineering($0, unit: "s") } ?? "n/a"
            let what = op == .eig ? "growth from the kick to half the swing (first order)" : "settling to \(p.settlingBits) bits"
            lines.append("  timing    \(what): predicted \(predicted), measured \(measured)")
        }
        let gin = m.inputConductanceRatio.map { ", G_in = \(significant($0, 4)) G0" } ?? ""
        let fb = m.feedbackConductanceRatio.map { ", feedback = \(significant($0, 4)) G0" } ?? ""
        let cells = m.parameters.cell.magnitudeBits.map { "\($0)-bit cells" } ?? "continuous cells"
        let dac = m.parameters.dac.bits.map { "\($0)-bit DAC" } ?? "ideal DAC"
        let adc = m.parameters.adc.bits.map { "\($0)-bit ADC" } ?? "ideal ADC"
        let gain = engineering(v.options.design.circuit.openLoopGain, unit: "V/V")
        let gbw = v.options.design.circuit.fidelity == .ideal ? "" : ", GBW = \(engineering(v.options.design.circuit.opAmp.gainBandwidthHertz, unit: "Hz"))"
        lines.append("  design    G0 = \(engineering(m.unitConductanceSiemens, unit: "S"))\(gin)\(fb), \(cells), \(dac), \(adc), A0 = \(gain)\(gbw), swing +-\(engineering(m.parameters.opAmpSwingVolts, unit: "V")), \(v.design.elementCount) elements")
        if let energy = v.energy {
            lines.append("  energy    \(engineering(energy.joulesPerSolve, unit: "J")) per solve over \(engineering(energy.latencySeconds, unit: "s")) (average \(engineering(energy.averageWatts, unit: "W")), quiescent \(engineering(energy.quiescentWatts, unit: "W")))")
            lines.append("            " + energy.items.map { "\($0.block) \(engineering($0.joules, unit: "J"))" }.joined(separator: ", "))
            lines.append("  digital   \(formatSignificant(energy.digitalFlops, 4)) flops x \(engineering(energy.joulesPerFlop, unit: "J")) = \(engineering(energy.digitalJoules, unit: "J")) (assumed per flop, policy.energy-per-flop): analogue \(formatSignificant(energy.efficiencyRatio, 3))x \(energy.efficiencyRatio >= 1 ? "more" : "less") efficient")
        }
        if let t = v.options.design.transistor, v.options.design.circuit.fidelity == .transistor {
            let measured = v.options.design.measuredOpAmp.map { "measured A0 \(engineering($0.dcGain, unit: "V/V")), GBW \(engineering($0.gainBandwidthHertz, unit: "Hz")), PM \(formatSignificant($0.phaseMarginDegrees, 3)) deg" } ?? "sizing prediction"
            if let first = v.design.arrays.first {
                let tiles = v.design.arrays.map { "\($0.structure.rows)x\($0.structure.columns)" }.joined(separator: " + ")
                let planes = first.structure.sign == .twoArrays ? "two planes (P and N)" : "one plane with a sign bit"
                let written = v.sramReadback.map { r in r.mismatches.isEmpty ? "; \(r.bits) latches written and read back" : "; \(r.mismatches.count) of \(r.bits) latches read back wrong" } ?? ""
                lines.append("  array     \(tiles) tile\(v.design.arrays.count > 1 ? "s" : ""), \(planes), \(first.structure.magnitudeBits) bits per site: \(t.cellBlock.map { "your cell \($0.subcircuit) at every site" } ?? "\(v.design.switchDevices) switch transistors"), \(v.design.arrays.map(\.structure.storedBits).reduce(0, +)) stored bits\(written); converters \(t.converters.rawValue)")
            }
            if let block = t.opAmpBlock, let m = v.options.design.measuredOpAmp { lines += userOpAmpLines(block, m) }
            if let block = t.dacBlock, let m = v.options.design.measuredDAC {
                lines.append("  dac       \(block.summary), every code measured unloaded: worst \(formatSignificant(m.maxErrorLSB, 3)) LSB from the ideal DAC, INL \(formatSignificant(m.inlLSB, 3)) LSB, DNL \(formatSignificant(m.dnlLSB, 3)) LSB, r_out \(engineering(m.outputResistanceOhms, unit: "Ohm")) (taken off G_in)")
            }
            if let block = t.adcBlock, let m = v.options.design.measuredADC {
                lines.append("  adc       \(block.summary), a ramp of \(m.conversions) conversions (\(m.hitsPerCode) per LSB): worst transition \(formatSignificant(m.maxErrorLSB, 3)) LSB from the ideal ADC, INL \(formatSignificant(m.inlLSB, 3)) LSB, DNL \(formatSignificant(m.dnlLSB, 3)) LSB, \(m.missingCodes.count) missing codes, a conversion \(engineering(m.conversionSeconds, unit: "s"))")
            }
            if let block = t.cellBlock, let m = v.options.design.measuredCell {
                lines.append("  cell      \(block.summary), measured at +-\(engineering(m.testVolts, unit: "V")) about the reference: G0 = \(engineering(m.unitSiemens, unit: "S")) (the step), off \(engineering(m.offSiemens, unit: "S")), level error \(formatSignificant(m.levelError * 100, 3)) %")
                lines.append("            codes 0..\(m.levelSiemens.count - 1): " + m.levelSiemens.map { engineering($0, unit: "S") }.joined(separator: ", "))
            }
            let amplifier = t.opAmpBlock.map { "op-amp \($0.subcircuit) (yours, measured above)" } ?? "Miller OTA (\(measured))"
            lines.append("  devices   \(t.technology.identifier) at \(formatSignificant(t.technology.temperatureCelsius, 3)) C, \(amplifier), \(t.cellBlock.map { "cell \($0.subcircuit) (yours, measured above)" } ?? "switches sized for R_on = \(formatSignificant(t.cell.onResistanceFraction * 100, 3)) % of each branch"), SRAM \(t.cell.sram.rawValue)")
            if let m = v.options.design.cellAsLaid {
                lines.append("            the cell as laid, simulated at +-\(engineering(m.testVolts, unit: "V")) about the reference: largest level error \(formatSignificant(m.levelError(unitSiemens: v.prediction.mapping.unitConductanceSiemens) * 100, 3)) % of its level, off \(engineering(m.offSiemens, unit: "S")); the switch term is what these levels do to the answer")
            }
        }
        if v.options.design.circuit.wires.isPresent {
            lines.append("  wires     \(engineering(v.options.design.circuit.wires.resistanceOhms, unit: "Ohm")) and \(engineering(v.options.design.circuit.wires.capacitanceFarads, unit: "F")) per segment")
        }
        lines.append("  engine    ngspice \(v.simulation.ngspiceVersion), \(v.simulation.solver), \(String(format: "%.3f", v.simulation.seconds)) s (load \(String(format: "%.3f", v.simulation.loadSeconds)) s, run \(String(format: "%.3f", v.simulation.runSeconds)) s)")
        if !v.attribution.isEmpty {
            let sum = v.attribution.map(\.relativeError).reduce(0, +)
            lines.append("  errors    by source (relative to |ideal|; total \(scientific(v.attributedTotal, 3)), sum of the terms \(scientific(sum, 3))):")
            for t in v.attribution.sorted(by: { $0.relativeError > $1.relativeError }) {
                lines.append("            \(t.source.padding(toLength: 22, withPad: " ", startingAt: 0)) \(scientific(t.relativeError, 3))  \(t.method == .exact ? "exact" : "re-simulated"): \(t.detail)")
            }
        }
        for check in v.checks {
            let mark = check.status == .passed ? "ok  " : check.status == .failed ? "FAIL" : "skip"
            lines.append("  [\(mark)] \(check.name): \(check.detail)")
        }
        return lines.joined(separator: "\n")
    }

    static func vector(_ x: [Double]) -> String {
        let shown = x.prefix(6).map { String(format: "%.6g", $0) }.joined(separator: ", ")
        return "[\(shown)\(x.count > 6 ? ", ... (\(x.count) entries)" : "")]"
    }

}

extension VerdictReport {
    /// The solve as a page on its own (inline SVG, no script, nothing fetched): the verdict,
    /// the output waveforms with the predicted and measured settling, the energy by block,
    /// every check and every parameter the design used.
    public static func html(_ v: Verdict, byline: String?) -> String {
        let p = v.prediction
        var sections: [HTMLReport.Section] = []
        sections.append(HTMLReport.Section("Verdict", [
            .status(passed: v.passed, text: v.passed ? "PASS: every check holds" : "FAIL: \(v.checks.filter { $0.status == .failed }.map(\.name).joined(separator: "; "))"),
            .preformatted(summary(v)),
        ]))
        if let w = v.waveforms {
            let micro = 1e6
            let shown = min(w.nodes.count, 8)
            var markers = [PlotMarker(.vertical, at: w.start * micro, label: v.problem.operation == .eig ? "kick" : "inputs applied")]
            let predicted = v.problem.operation == .eig ? p.growthSeconds : p.settlingSeconds
            if let predicted { markers.append(PlotMarker(.vertical, at: (w.start + predicted) * micro, label: "predicted settling")) }
            if let measured = v.measuredSettlingSeconds { markers.append(PlotMarker(.vertical, at: (w.start + measured) * micro, label: "measured settling")) }
            let plot = LinePlot(title: "Loop outputs" + (shown < w.nodes.count ? " (\(shown) of \(w.nodes.count))" : ""),
                                xLabel: "time (us)", yLabel: "output (V about the reference)",
                                series: (0..<shown).map { k in PlotSeries("v(\(w.nodes[k]))", x: w.time.map { $0 * micro }, y: w.values[k]) },
                                markers: markers)
            sections.append(HTMLReport.Section("Output waveforms", [
                .plot(plot),
                .paragraph("Settling to \(p.settlingBits) bits: predicted \(predicted.map { engineering($0, unit: "s") } ?? "n/a"), measured \(v.measuredSettlingSeconds.map { engineering($0, unit: "s") } ?? "n/a"), from the moment the inputs arrive."),
            ]))
        } else {
            sections.append(HTMLReport.Section("Output waveforms", [.paragraph("An operating point has no waveforms: solve with --analysis tran for the step response.")]))
        }
        if let e = v.energy {
            sections.append(HTMLReport.Section("Energy by block", [
                .bars(BarChart(title: "Energy per solve by block", valueLabel: "energy (pJ)",
                               labels: e.items.map(\.block), values: e.items.map { $0.joules * 1e12 })),
                .table(header: ["block", "energy"], rows: e.items.map { [$0.block, engineering($0.joules, unit: "J")] }
                    + [["total", engineering(e.joulesPerSolve, unit: "J")]],
                       caption: "Over \(engineering(e.latencySeconds, unit: "s")) from the input step; the digital baseline: \(engineering(e.digitalJoules, unit: "J")) (\(formatSignificant(e.digitalFlops, 4)) flops at an assumed \(engineering(e.joulesPerFlop, unit: "J")) each)"),
            ]))
        }
        if !v.attribution.isEmpty {
            let sum = v.attribution.map(\.relativeError).reduce(0, +)
            sections.append(HTMLReport.Section("Error by source", [
                .bars(BarChart(title: "Each source's share of the error", valueLabel: "relative error (of |ideal|)",
                               labels: v.attribution.map(\.source), values: v.attribution.map(\.relativeError))),
                .table(header: ["source", "relative error", "bits", "how"], rows: v.attribution.map {
                    [$0.source, scientific($0.relativeError, 3), significant($0.bits, 3), "\($0.method == .exact ? "exact" : "re-simulated"): \($0.detail)"]
                } + [["sum of the terms", scientific(sum, 3), "", ""], ["total error", scientific(v.attributedTotal, 3), "", "|solution - ideal| / |ideal|"]],
                       caption: "Terms are first-order shares: they add up to about the total, not exactly."),
            ]))
        }
        sections.append(HTMLReport.Section("Checks", [
            .table(header: ["check", "status", "what was compared"], rows: v.checks.map { [$0.name, $0.status.rawValue, $0.detail] }, caption: nil),
        ]))
        let parameters = v.options.parameterValues() + v.design.values
        sections.append(HTMLReport.Section("Parameters", [
            .keyValues(parameters.map { HTMLReport.KeyValue($0.name, "\($0.formatted)  (\($0.description))") }),
        ]))
        let shape = "\(v.problem.matrix.rows)x\(v.problem.matrix.columns)"
        return HTMLReport(title: "crossloop solve: \(v.problem.operation.rawValue) \(shape), \(v.options.design.circuit.fidelity.rawValue) fidelity",
                          byline: byline, sections: sections).html()
    }
}
