import Characterization
import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference

/// The checks of a verdict, each an inequality with its tolerance stated.
enum Checks {
    static func all(_ v: Verdict) -> [Check] {
        var checks: [Check] = []
        let bits = v.metricsIdeal.equivalentBits
        checks.append(Check(
            "accuracy against the ideal solution",
            bits >= v.toleranceBits ? .passed : .failed,
            "equivalent bits \(significant(bits, 3)) >= tolerance \(significant(v.toleranceBits, 3)) (relative error \(scientific(v.metricsIdeal.relativeError, 3)), error budget \(scientific(v.prediction.budget.combined, 3)))"))

        let digitalBits = v.equivalentPrecision.equivalentBits
        let penalty = v.analoguePenaltyBits
        let maximum = v.options.policy.maxPenaltyBits
        checks.append(Check(
            "penalty against a digital solver at the same precision",
            penalty <= maximum ? .passed : .failed,
            "the circuit's \(significant(bits, 3)) bits against the digital solver's \(significant(digitalBits, 3)) bits (the same quantised cells, DAC and ADC): penalty \(significant(penalty, 3)) \(penalty <= maximum ? "<=" : ">") \(significant(maximum, 3)) bits (policy.max-penalty-bits)\(penalty <= maximum ? "" : "; the circuit, not its precision, costs the bits: see the agreement and device checks")"))

        if let varied = v.options.policy.variedFromReference {
            checks.append(Check(
                "agreement with the finite-gain circuit reference", .skipped,
                "the circuit is varied (\(varied)) and the reference is the nominal design's; relative difference \(scientific(v.circuitAgreement.relativeError, 3))"))
        } else if referenceIsExact(v.options) {
            let limit = 1e-6
            let error = v.circuitAgreement.relativeError
            checks.append(Check(
                "agreement with the finite-gain circuit reference",
                error <= limit ? .passed : .failed,
                "relative difference before the ADC \(scientific(error, 3)) <= \(scientific(limit, 3)) (A0 = \(scientific(v.prediction.references.openLoopGain, 3)))"))
        } else if let devices = v.prediction.deviceErrors {
            // Transistor level: the devices' own first-order terms, twice, plus the settling residue.
            let (settling, limit) = Tolerance.agreementLimit(devices, v.options)
            let error = v.circuitAgreement.relativeError
            checks.append(Check(
                "agreement with the finite-gain circuit reference",
                error <= limit ? .passed : .failed,
                "relative difference before the ADC \(scientific(error, 3)) <= 2 x (switch\(devices.switchMeasured ? " (cells as measured)" : " (R_on fraction, unmeasured)") \(scientific(devices.switchResistance, 3))\(devices.wires > 0 ? " + wires \(scientific(devices.wires, 3))" : "") + offset \(scientific(devices.offset, 3)) + settling \(scientific(settling, 3))) = \(scientific(limit, 3))"))
        } else {
            checks.append(Check(
                "agreement with the finite-gain circuit reference", .skipped,
                "the reference leaves out what this design adds (op-amp poles, offset, wires); relative difference \(scientific(v.circuitAgreement.relativeError, 3))"))
        }

        if let devices = v.prediction.deviceErrors, let available = devices.availableOutputAmperes {
            let required = devices.requiredOutputAmperes
            checks.append(Check(
                "op-amp output current within its output stage",
                required <= available ? .passed : .failed,
                "the largest column needs \(engineering(required, unit: "A")) <= the OTA's second-stage current \(engineering(available, unit: "A"))\(required <= available ? "" : "; lower design.g0 (larger unit resistors) or give the OTA more bias current")"))
        }

        if v.options.design.transistor?.opAmpBlock != nil, let rout = v.options.design.measuredOpAmp?.outputResistanceOhms,
           let levels = v.prediction.mapping.levels.absoluteColumnSums.max() {
            // Each output carries its column and an inverter's input resistor: through r_out
            // they cost the gain the finite-gain reference assumes.
            let inverter = Verifier.UserOpAmpLoading.inverterOhms(v.options.design.circuit.inverterResistanceOhms, outputResistanceOhms: rout)
            let load = levels * v.prediction.mapping.unitConductanceSiemens + 1 / inverter
            let loading = rout * load
            let limit = Verifier.UserOpAmpLoading.columnLoading + Verifier.UserOpAmpLoading.columnLoading / 5
            checks.append(Check(
                "op-amp output resistance against its load",
                loading <= limit ? .passed : .failed,
                "r_out \(engineering(rout, unit: "Ohm")) x the heaviest load \(engineering(load, unit: "S")) = \(significant(loading, 3)) <= \(significant(limit, 3)) (the gain kept: \(significant(100 / (1 + loading), 3)) %)\(loading <= limit ? "" : "; your op-amp cannot drive this array: a lower G0 (larger cell resistors) or an output stage with a lower r_out")"))
        }

        if let dac = v.options.design.measuredDAC {
            // The references assume the ideal DAC: half an LSB is what its quantisation allows.
            let worst = dac.maxErrorLSB
            checks.append(Check(
                "your DAC against the ideal DAC",
                worst <= 0.5 ? .passed : .failed,
                "every code within \(significant(worst, 3)) LSB <= 0.5 LSB of the ideal output (INL \(significant(dac.inlLSB, 3)) LSB, DNL \(significant(dac.dnlLSB, 3)) LSB)\(worst <= 0.5 ? "" : "; trim its gain and offset or its ladder")"))
        }

        if let adc = v.options.design.measuredADC {
            // The references assume the ideal ADC: half an LSB is what its rounding allows.
            let worst = adc.maxErrorLSB
            let clean = adc.missingCodes.isEmpty && adc.grossErrors == 0
            let ok = worst <= 0.5 && clean
            checks.append(Check(
                "your ADC against the ideal ADC",
                ok ? .passed : .failed,
                "every transition within \(significant(worst, 3)) LSB <= 0.5 LSB of the ideal one (located to \(significant(adc.resolutionLSB, 2)) LSB; INL \(significant(adc.inlLSB, 3)) LSB, DNL \(significant(adc.dnlLSB, 3)) LSB), \(adc.missingCodes.count) missing codes, \(adc.grossErrors) of \(adc.conversions) conversions off by more than a code\(ok ? "" : "; trim its offset and gain, or check its comparator and logic")"))
        }

        if let readback = v.sramReadback {
            let shown = readback.mismatches.prefix(4).joined(separator: ", ")
            checks.append(Check(
                "SRAM latches hold the programmed matrix",
                readback.mismatches.isEmpty ? .passed : .failed,
                readback.mismatches.isEmpty
                    ? "\(readback.bits) of \(readback.bits) latches read back at \(engineering(readback.readSeconds, unit: "s")) equal the bits written"
                    : "\(readback.mismatches.count) of \(readback.bits) latches differ from the bits written (\(shown)\(readback.mismatches.count > 4 ? ", ..." : "")); lengthen design.write-slot or strengthen the access devices"))
        }

        if let adc = v.adc {
            checks.append(Check(
                "ADC codes against an ideal quantiser",
                adc.worstDifference <= 1 ? .passed : .failed,
                "largest difference \(adc.worstDifference) LSB <= 1 LSB over \(adc.codes.count) outputs (codes \(adc.codes.map(String.init).joined(separator: " ")); ideal \(adc.idealCodes.map(String.init).joined(separator: " ")))"))
        }

        checks.append(Check(
            "outputs inside the ADC range",
            v.clippedOutputs.isEmpty ? .passed : .failed,
            v.clippedOutputs.isEmpty
                ? "every |V| <= \(v.options.design.mapping.adc.fullScaleVolts) V"
                : "outputs \(v.clippedOutputs.map { String($0 + 1) }.joined(separator: ", ")) clipped at +-\(v.options.design.mapping.adc.fullScaleVolts) V"))

        if let outcome = v.transientOutcome {
            let predictedStable = v.prediction.isStable
            let observedStable = outcome.isStable
            checks.append(Check(
                "stability prediction matches the transient",
                predictedStable == observedStable ? .passed : .failed,
                "predicted \(predictedStable ? "stable" : "unstable"), transient \(outcome.rawValue)"))
            if v.problem.operation != .eig {
                if let window = v.window, window.rampedForRinging {
                    checks.append(Check("settling time within a factor 2 of the prediction", .skipped,
                                        "the inputs ramp over ten ringing periods of an underdamped loop; the first-order prediction assumes a step"))
                } else if let measured = v.measuredSettlingSeconds, let predicted = v.prediction.settlingSeconds {
                    let ratio = measured / predicted
                    checks.append(Check(
                        "settling time within a factor 2 of the prediction",
                        ratio >= 0.5 && ratio <= 2 ? .passed : .failed,
                        "measured \(scientific(measured, 3)) s / predicted \(scientific(predicted, 3)) s = \(significant(ratio, 3)) in [0.5, 2] (to \(v.prediction.settlingBits) bits)"))
                } else {
                    checks.append(Check("settling time within a factor 2 of the prediction", .skipped,
                                        "no settled transient to measure or no prediction (unstable)"))
                }
            }
        }
        return checks
    }

    /// The finite-gain reference models the ideal-fidelity circuit exactly (wires aside).
    static func referenceIsExact(_ options: SolveSpecification) -> Bool {
        options.design.circuit.fidelity == .ideal && !options.design.circuit.wires.isPresent && options.plan.analysis == .op
    }

}
