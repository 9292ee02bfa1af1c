import Foundation
import Reports
import Reference

/// The human and JSON output of `crossloop analyze`: every number the analysis used or
/// predicted, each with its unit.
public struct AnalyzeReport {
    public let analysis: ProblemAnalysis
    public let matrixPath: String
    public let rhsPath: String?

    public init(analysis: ProblemAnalysis, matrixPath: String, rhsPath: String?) {
        self.analysis = analysis
        self.matrixPath = matrixPath
        self.rhsPath = rhsPath
    }

    private var mapping: Mapping { analysis.mapping }
    private var parameters: MappingParameters { mapping.parameters }
    private var operation: CrossbarOperation { mapping.operation }

    // MARK: Text

    public func text() -> String {
        let p = parameters
        let a = mapping.problem.matrix
        let g0 = p.unitConductanceSiemens
        let stability = analysis.stability
        var lines: [(String, String)] = []
        let vectorSource = operation == .eig ? "none" : (rhsPath ?? "all ones (default)")
        lines.append(("problem", "\(operation) on \(matrixPath) (\(a.rows)x\(a.columns)), vector \(operation.vectorName): \(vectorSource)"))
        let cell = p.cell.magnitudeBits.map { "\($0) magnitude bits (levels 0..\((1 << $0) - 1))" } ?? "continuous"
        let sign = p.cell.sign == .twoArrays ? "sign by two arrays (P driven by V, N by -V)" : "sign bit per cell"
        lines.append(("cells", "\(cell), \(sign)"))
        lines.append(("unit conductance", "G0 = \(engineering(g0, unit: "S")) (\(engineering(1 / g0, unit: "Ohm")) per LSB)"))
        lines.append(("matrix scale", "s_A = \(significant(mapping.matrixScale, 4)) matrix units per level; |E|_max = \(significant(mapping.quantisationError.maxAbsEntry, 4)) (A_q = A + E)"))
        if let r = mapping.inputConductanceRatio {
            let how = p.inputConductanceRatio == nil ? "auto-ranged" : "from design.gin-ratio"
            lines.append(("input conductance", "G_in = \(significant(r, 4)) G0 = \(engineering(r * g0, unit: "S")) per row (\(how))"))
        }
        if let g = mapping.feedbackConductanceRatio {
            let name = switch operation {
            case .mvm: "TIA feedback G_f"
            case .ginv: "first-stage feedback G_T"
            case .eig: "loop feedback G_lambda"
            case .block: "TIA feedback G_f"
            case .inv: "feedback"
            }
            lines.append(("feedback", "\(name) = \(significant(g, 4)) G0 = \(engineering(g * g0, unit: "S"))"))
        }
        if operation != .eig {
            lines.append(("input scale", "\(significant(mapping.inputScale, 4)) units of \(operation.vectorName) per DAC volt"))
            lines.append(("output scale", "\(significant(mapping.outputScale, 4)) solution units per output volt"))
        }
        lines.append(("DAC", converter(p.dac)))
        lines.append(("ADC", converter(p.adc)))
        lines.append(("op-amp swing", "+-\(engineering(p.opAmpSwingVolts, unit: "V")) about the reference; outputs scaled to \(significant(p.outputHeadroom * 100, 4)) % of min(swing, ADC range) = \(engineering(p.targetOutputVolts, unit: "V"))"))
        lines.append(("op-amps", "A0 = \(significant(analysis.opAmp.openLoopGain, 4)) V/V (\(significant(20 * log10(analysis.opAmp.openLoopGain), 4)) dB), GBW = \(engineering(analysis.opAmp.gainBandwidthHertz, unit: "Hz")), single pole"))
        lines.append(("condition number", "kappa_2 = \(significant(analysis.conditionNumber, 4))"))
        lines.append(("M = D^-1 G0 A", eigenvalueSummary()))
        lines.append(("stability", stability.summary))
        if !stability.isStable {
            if let fix = analysis.fix {
                lines.append(("suggested fix", "design.gin-ratio \(significant(fix.suggestedRatio, 4)) (G_in = \(engineering(fix.suggestedRatio * g0, unit: "S")); boundary at \(significant(fix.thresholdRatio, 4)) G0, 25 % margin)"))
            } else if operation == .inv {
                lines.append(("suggested fix", "none: no G_in in [1e-3, 1e6] G0 makes M stable (eig(A) has a real part <= 0)"))
            } else if operation == .ginv {
                lines.append(("suggested fix", "wire the second stage on its non-inverting inputs"))
            } else if operation == .eig {
                lines.append(("suggested fix", "shift the matrix so one real eigenvalue leads in real part"))
            }
        }
        if let poles = analysis.loopPoles {
            let label = "with op-amp inverters"
            if let tau = poles.timeConstantSeconds(gainBandwidthHertz: analysis.opAmp.gainBandwidthHertz) {
                lines.append((label, "stable: slowest pole tau = \(engineering(tau, unit: "s")) (inverters of the same op-amp at GBW/2, A0 as above)"))
            } else if let fix = analysis.fixWithInverters {
                lines.append((label, "warning: unstable, the inverters' pole at GBW/2 is not in M; design.gin-ratio \(significant(fix.suggestedRatio, 4)) stabilises it (boundary \(significant(fix.thresholdRatio, 4)) G0)"))
            } else {
                lines.append((label, "warning: unstable, the inverters' pole at GBW/2 is not in M, and no G_in in [1e-3, 1e6] G0 fixes it"))
            }
        }
        lines.append(("phase budget", "max |arg lambda(M)| = \(significant(stability.phaseBudgetRadians * 180 / .pi, 4)) deg (op-amp phase margin must exceed it)"))
        let tauRule = operation == .eig ? "1/(2 pi GBW (Re lambda_2 - lambda_1)(M)), dominant mode outgrowing the next" : "1/(2 pi GBW Re lambda_min(M))"
        lines.append(("tau", analysis.timeConstantSeconds.map { "\(engineering($0, unit: "s")) = \(tauRule)" } ?? "none (unstable)"))
        lines.append(("settling", analysis.settlingSeconds.map { "\(engineering($0, unit: "s")) to \(analysis.settlingBits) bits (tau ln 2^\(analysis.settlingBits))" } ?? "none (unstable)"))
        let b = analysis.errorBudget
        lines.append(("error budget", "relative 2-norm, first order: finite gain \(significant(b.finiteGain, 4)), quantisation \(significant(b.quantisation, 4)), DAC \(significant(b.dac, 4)), ADC \(significant(b.adc, 4))"))
        if b.combined.isFinite {
            lines.append(("predicted error", "\(significant(b.combined, 4)) relative = \(b.combined < 1 ? significant(b.equivalentBits, 4) : "0") equivalent bits"))
        } else {
            lines.append(("predicted error", "unbounded: the first-order model needs a stable, well-conditioned mapping"))
        }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    private func converter(_ c: ConverterParameters) -> String {
        let bits = c.bits.map { "\($0) bits, LSB \(engineering(c.lsbVolts!, unit: "V"))" } ?? "ideal"
        return "\(bits), range +-\(engineering(c.fullScaleVolts, unit: "V"))"
    }

    private func eigenvalueSummary() -> String {
        let values = analysis.stability.eigenvalues
        let realParts = values.map(\.real)
        let maxImaginary = values.map { abs($0.imaginary) }.max() ?? 0
        var text = "\(values.count) eigenvalues, Re in [\(significant(realParts.min() ?? 0, 4)), \(significant(realParts.max() ?? 0, 4))], max |Im| \(significant(maxImaginary, 4))"
        let growing = values.filter { $0.real <= 0 }
        if !growing.isEmpty {
            text += "; Re <= 0: " + growing.prefix(4).map { complex($0) }.joined(separator: ", ")
            if growing.count > 4 { text += ", ..." }
        }
        return text
    }

    private func complex(_ z: Complex) -> String {
        z.imaginary == 0 ? significant(z.real, 4) : "\(significant(z.real, 4)) \(z.imaginary < 0 ? "-" : "+") \(significant(abs(z.imaginary), 4))j"
    }

    // MARK: JSON

    struct Document: Encodable {
        struct Source: Encodable { var path: Nullable<String>; var rows: Int; var columns: Int }
        struct Parameters: Encodable {
            var cellMagnitudeBits: Nullable<Int>
            var signScheme: String
            var unitConductanceSiemens: Double
            var matrixScale: Double
            var inputConductanceRatio: Nullable<Double>
            var inputConductanceSiemens: Nullable<Double>
            var feedbackConductanceRatio: Nullable<Double>
            var feedbackConductanceSiemens: Nullable<Double>
            var inputScale: Double
            var outputScale: Double
            var dacBits: Nullable<Int>
            var dacFullScaleVolts: Double
            var adcBits: Nullable<Int>
            var adcFullScaleVolts: Double
            var opAmpSwingVolts: Double
            var outputHeadroom: Double
            var targetOutputVolts: Double
            var openLoopGain: Double
            var gainBandwidthHertz: Double
            var settlingBits: Int
        }
        struct Eigenvalue: Encodable { var re: Double; var im: Double }
        struct Stability: Encodable {
            var stable: Bool
            var summary: String
            var minRealEigenvalue: Double
            var tauSeconds: Nullable<Double>
            var settlingSeconds: Nullable<Double>
            var phaseBudgetRadians: Double
            var suggestedInputConductanceRatio: Nullable<Double>
            var boundaryInputConductanceRatio: Nullable<Double>
            var eigenvalues: [Eigenvalue]
            var withOpAmpInverters: Nullable<InverterCheck>
        }
        struct InverterCheck: Encodable {
            var stable: Bool
            var inverterBandwidthRatio: Double
            var tauSeconds: Nullable<Double>
            var suggestedInputConductanceRatio: Nullable<Double>
            var boundaryInputConductanceRatio: Nullable<Double>
        }
        struct ErrorBound: Encodable {
            var relative: Nullable<Double>
            var equivalentBits: Nullable<Double>
            var finiteGain: Nullable<Double>
            var quantisation: Nullable<Double>
            var dac: Nullable<Double>
            var adc: Nullable<Double>
        }
        struct References: Encodable { var ideal: [Double]; var quantised: [Double]; var finiteGain: [Double] }
        var crossloopVersion: String
        var operation: String
        var matrix: Source
        var rhs: String
        var parameters: Parameters
        var conditionNumber: Nullable<Double>
        var stability: Stability
        var errorBound: ErrorBound
        var reference: References
        var expectedOutputVolts: [Double]
    }

    public func json(crossloopVersion: String) throws -> Data {
        let p = parameters
        let s = analysis.stability
        let b = analysis.errorBudget
        let a = mapping.problem.matrix
        let document = Document(
            crossloopVersion: crossloopVersion,
            operation: operation.rawValue,
            matrix: .init(path: Nullable(matrixPath), rows: a.rows, columns: a.columns),
            rhs: operation == .eig ? "none" : (rhsPath ?? "all ones"),
            parameters: .init(
                cellMagnitudeBits: Nullable(p.cell.magnitudeBits), signScheme: p.cell.sign.rawValue,
                unitConductanceSiemens: p.unitConductanceSiemens, matrixScale: mapping.matrixScale,
                inputConductanceRatio: Nullable(mapping.inputConductanceRatio),
                inputConductanceSiemens: Nullable(mapping.inputConductancesSiemens.first),
                feedbackConductanceRatio: Nullable(mapping.feedbackConductanceRatio),
                feedbackConductanceSiemens: Nullable(mapping.feedbackConductanceSiemens),
                inputScale: mapping.inputScale, outputScale: mapping.outputScale,
                dacBits: Nullable(p.dac.bits), dacFullScaleVolts: p.dac.fullScaleVolts,
                adcBits: Nullable(p.adc.bits), adcFullScaleVolts: p.adc.fullScaleVolts,
                opAmpSwingVolts: p.opAmpSwingVolts, outputHeadroom: p.outputHeadroom,
                targetOutputVolts: p.targetOutputVolts,
                openLoopGain: analysis.opAmp.openLoopGain, gainBandwidthHertz: analysis.opAmp.gainBandwidthHertz,
                settlingBits: analysis.settlingBits),
            conditionNumber: finite(analysis.conditionNumber),
            stability: .init(
                stable: s.isStable, summary: s.summary, minRealEigenvalue: s.minRealEigenvalue,
                tauSeconds: Nullable(analysis.timeConstantSeconds), settlingSeconds: Nullable(analysis.settlingSeconds),
                phaseBudgetRadians: s.phaseBudgetRadians,
                suggestedInputConductanceRatio: Nullable(analysis.fix?.suggestedRatio),
                boundaryInputConductanceRatio: Nullable(analysis.fix?.thresholdRatio),
                eigenvalues: s.eigenvalues.map { .init(re: $0.real, im: $0.imaginary) },
                withOpAmpInverters: Nullable(analysis.loopPoles.map { poles in
                    .init(stable: poles.isStable, inverterBandwidthRatio: 0.5,
                          tauSeconds: Nullable(poles.timeConstantSeconds(gainBandwidthHertz: analysis.opAmp.gainBandwidthHertz)),
                          suggestedInputConductanceRatio: Nullable(analysis.fixWithInverters?.suggestedRatio),
                          boundaryInputConductanceRatio: Nullable(analysis.fixWithInverters?.thresholdRatio))
                })),
            errorBound: .init(relative: finite(b.combined), equivalentBits: finite(b.equivalentBits),
                              finiteGain: finite(b.finiteGain), quantisation: finite(b.quantisation),
                              dac: finite(b.dac), adc: finite(b.adc)),
            reference: .init(ideal: analysis.references.ideal, quantised: analysis.references.quantised,
                             finiteGain: analysis.references.finiteGain),
            expectedOutputVolts: mapping.expectedOutputVolts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(document)
    }

    /// JSON has no infinity: an unbounded value is null.
    private func finite(_ x: Double) -> Nullable<Double> { Nullable(x.isFinite ? x : nil) }
}

/// An optional that encodes as an explicit JSON `null`, so every documented key is always
/// present (synthesised `Encodable` would leave the key out).
struct Nullable<Wrapped: Encodable>: Encodable {
    var value: Wrapped?
    init(_ value: Wrapped?) { self.value = value }
    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
