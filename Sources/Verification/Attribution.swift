import Circuits
import CircuitTheory
import Foundation
import Ngspice
import Reference
import Reports
import Specification

/// One source's share of a solve's error against the ideal answer.
public struct AttributionTerm: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        /// Computed exactly from the references (no simulation).
        case exact
        /// The circuit simulated again with this source made ideal.
        case resimulated
    }
    public var source: String
    /// |difference this source makes| / |ideal answer|.
    public var relativeError: Double
    public var method: Method
    /// What was made ideal, or how it was computed.
    public var detail: String
    /// -log2 of the relative error.
    public var bits: Double { -log2(max(relativeError, .leastNormalMagnitude)) }
}

extension Verifier {
    /// The error of `verdict` by source (``AttributionTerm``). Exact where the references are
    /// exact: cell quantisation (A_q^-1 b against A^-1 b), the DAC (A_q^-1 b_q against
    /// A_q^-1 b), finite gain (the finite-gain circuit against A_q^-1 b_q) and the ADC (the
    /// answer through the ADC against before it). The rest by one more simulation each, of
    /// the same design with one source made ideal, read before the ADC: the switches (ideal
    /// switches), the op-amps' offset (behavioural: zero), the wires (none) and incomplete
    /// settling (the operating point of the same circuit). What the design does not hold is
    /// left out.
    static func attribution(_ verdict: Verdict, engine: NgspiceEngine) async throws(VerificationError) -> [AttributionTerm] {
        let problem = verdict.problem
        let mapping = verdict.prediction.mapping
        let references = verdict.prediction.references
        let scale = max(references.ideal.norm2, .leastNormalMagnitude)
        func relative(_ a: [Double], _ b: [Double]) -> Double { a.minus(b).norm2 / scale }
        var terms: [AttributionTerm] = []
        let programmed = mapping.solution(fromOutputVolts: mapping.expectedOutputVolts) ?? references.quantised
        terms.append(AttributionTerm(source: "cell quantisation", relativeError: relative(references.quantised, references.ideal),
                                     method: .exact, detail: "A_q^-1 b against A^-1 b"))
        terms.append(AttributionTerm(source: "DAC", relativeError: relative(programmed, references.quantised),
                                     method: .exact, detail: "A_q^-1 b_q against A_q^-1 b"))
        terms.append(AttributionTerm(source: "finite gain", relativeError: relative(references.finiteGain, programmed),
                                     method: .exact, detail: "the finite-gain circuit (A0 = \(formatSignificant(references.openLoopGain, 4))) against A_q^-1 b_q"))
        terms.append(AttributionTerm(source: "ADC", relativeError: relative(verdict.solution, verdict.analogueSolution),
                                     method: .exact, detail: "the answer through the ADC against before it"))
        // The analogue answer of the same problem with one change to the design.
        func without(_ source: String, _ detail: String, _ change: (inout SolveSpecification) -> Void) async throws(VerificationError) {
            var options = verdict.options
            options.plan.attribution = false
            options.plan.keepWaveforms = false
            options.policy.force = true
            change(&options)
            let other = try await run(problem, options, try prepare(problem, options), engine: engine)
            terms.append(AttributionTerm(source: source, relativeError: relative(verdict.analogueSolution, other.analogueSolution),
                                         method: .resimulated, detail: detail))
        }
        let options = verdict.options
        if options.design.circuit.fidelity == .transistor, options.design.transistor != nil {
            try await without("switch on-resistance", "ideal switches: each set bit its nominal resistor alone") {
                $0.design.transistor?.cell.idealSwitches = true
            }
        }
        if options.design.circuit.fidelity == .behavioral, options.design.circuit.opAmp.inputOffsetVolts != 0 {
            try await without("offset", "op-amp offsets zero") { $0.design.circuit.opAmp.inputOffsetVolts = 0 }
        }
        if options.design.circuit.wires.isPresent {
            try await without("wire R and C", "no line parasitics") { $0.design.circuit.wires = WireParasitics() }
        }
        if options.plan.analysis == .tran, problem.operation != .eig {
            try await without("incomplete settling", "the operating point of the same circuit") {
                $0.plan.analysis = .op
                $0.design.transistor?.converters = .ideal
                if $0.design.transistor?.cell.sram == .full { $0.design.transistor?.cell.sram = .dc }
            }
        }
        return terms
    }
}
