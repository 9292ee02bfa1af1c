import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import MatrixFiles
import CircuitTheory
import Reference
import CircuitTheory

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Predict, without simulating, whether a matrix maps to a stable circuit, how fast it settles and how accurate it can be.",
        discussion: """
            Reads A (Matrix Market or CSV) and optionally the vector (b for inv, x for mvm, y for \
            ginv; all ones when omitted; eig takes none), maps it onto the crossbar (cell bits, \
            G0 = 10 uS, 8-bit converters, +-0.5 V swing, 80 % headroom) and prints the \
            condition number, the eigenvalues of the associated matrix M = D^-1 G0 A, the \
            stability verdict with a suggested G_in when unstable, tau = 1/(2 pi GBW \
            Re lambda_min(M)), the settling time to the ADC's 8 bits and the first-order error \
            budget. Every parameter used is printed with its unit. \
            Exit status: 0 solvable and stable, 4 maps to an unstable circuit (eig: more than \
            one growing mode), 2 invalid input.

            \(KnobArguments.help(KnobArguments.analyzeKnobs))
            """
    )

    @OptionGroup var problem: ProblemOptions

    @Option(help: ArgumentHelp("Also write the analysis as JSON to this path.", valueName: "path"))
    var json: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The design options below.", valueName: "options"))
    var knobs: [String] = []

    /// The predictions are of op-amps with dynamics: behavioural unless --fidelity says otherwise.
    static let defaults: [(name: String, value: KnobValue)] = [("fidelity", .text("behavioral"))]


    func run() async throws {
        let (operation, spec) = try problem.specification(knobs, knobs: KnobArguments.analyzeKnobs, defaults: Self.defaults)
        try OutputFile.check(json)
        let problem = try problem.problem(operation)
        let design = spec.design.circuit
        let analysis: ProblemAnalysis
        do {
            analysis = try ProblemAnalysis(problem: problem, parameters: spec.design.mapping,
                                           opAmp: OpAmpParameters(openLoopGain: design.openLoopGain,
                                                                  gainBandwidthHertz: design.opAmp.gainBandwidthHertz),
                                           settlingBits: spec.bitsForSettling)
        } catch {
            throw UsageError("\(self.problem.matrix): \(error.description)")
        }
        let report = AnalyzeReport(analysis: analysis, matrixPath: self.problem.matrix, rhsPath: self.problem.rhs)
        print(Knob.spelled(report.text(), as: .flag))
        if let json { try OutputFile.write(try report.json(crossloopVersion: CrossloopVersion.string), to: json) }
        if !analysis.stability.isStable { throw ExitStatus.unstable.code }
    }
}
