import ArgumentParser
import Foundation
import MatrixFiles
import CircuitTheory
import Reference

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
            """
    )

    @Option(help: ArgumentHelp("The matrix A (or X for ginv): .mtx (Matrix Market) or CSV.", valueName: "path"))
    var matrix: String

    @Option(help: ArgumentHelp("The vector: b (inv), x (mvm) or y (ginv). Default: all ones.", valueName: "path"))
    var rhs: String?

    @Option(help: ArgumentHelp("The operation: inv, mvm, ginv or eig.", valueName: "op"))
    var op: String = "inv"

    @Option(parsing: .unconditional, help: ArgumentHelp("Magnitude bits per cell, 1 to 16 (the sign is a second array).", valueName: "K"))
    var bits: String = "4"

    @Option(name: .customLong("gin-ratio"), parsing: .unconditional,
            help: ArgumentHelp("G_in / G0 for inv and ginv, a positive number. Default: auto-ranged from the exact solution.", valueName: "R"))
    var ginRatio: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Op-amp gain-bandwidth product in hertz, e.g. 10e6.", valueName: "hz"))
    var gbw: String = "10e6"

    @Option(parsing: .unconditional, help: ArgumentHelp("Op-amp DC open-loop gain A0 in V/V, e.g. 1e4.", valueName: "A0"))
    var gain: String = "1e4"

    @Option(help: ArgumentHelp("Also write the analysis as JSON to this path.", valueName: "path"))
    var json: String?

    /// The flags as typed values; every message says what to type instead.
    struct Settings {
        var operation: CrossbarOperation
        var bits: Int
        var ginRatio: Double?
        var gbw: Double
        var gain: Double
    }

    func settings() throws -> Settings {
        guard let operation = CrossbarOperation(rawValue: op.lowercased()) else {
            throw fail(.invalidInput, "unknown operation '\(op)': pass --op inv, mvm, ginv or eig.")
        }
        guard let k = Int(bits), (1...16).contains(k) else {
            throw fail(.invalidInput, "--bits \(bits) is not a whole number from 1 to 16: pass e.g. --bits 4.")
        }
        var ratio: Double?
        if let ginRatio {
            guard let r = Double(ginRatio), r.isFinite, r > 0 else {
                throw fail(.invalidInput, "--gin-ratio \(ginRatio) is not a positive number: pass G_in / G0, e.g. --gin-ratio 5.")
            }
            guard operation == .inv || operation == .ginv else {
                throw fail(.invalidInput, "--gin-ratio applies to inv and ginv only; drop it for \(operation).")
            }
            ratio = r
        }
        guard let hz = Double(gbw), hz.isFinite, hz > 0 else {
            throw fail(.invalidInput, "--gbw \(gbw) is not a positive number of hertz: pass e.g. --gbw 10e6.")
        }
        guard let a0 = Double(gain), a0.isFinite, a0 > 1 else {
            throw fail(.invalidInput, "--gain \(gain) is not a number above 1: pass the DC gain in V/V, e.g. --gain 1e4.")
        }
        if operation == .eig, rhs != nil {
            throw fail(.invalidInput, "eig takes no right-hand side: drop --rhs.")
        }
        return Settings(operation: operation, bits: k, ginRatio: ratio, gbw: hz, gain: a0)
    }

    // The numeric flags are parsed here rather than by ArgumentParser (and take the next
    // argument unconditionally, so `--gin-ratio -1` reaches this check) so that every invalid
    // value exits with status 2 and a sentence saying what to type.
    func validate() throws {
        _ = try settings()
    }

    func run() async throws {
        let settings = try settings()
        let problem = try readProblem(settings.operation, matrix: matrix, rhs: rhs)
        var parameters = MappingParameters()
        parameters.cell.magnitudeBits = settings.bits
        parameters.inputConductanceRatio = settings.ginRatio
        let analysis: ProblemAnalysis
        do {
            analysis = try ProblemAnalysis(problem: problem, parameters: parameters,
                                           opAmp: OpAmpParameters(openLoopGain: settings.gain, gainBandwidthHertz: settings.gbw))
        } catch {
            throw fail(.invalidInput, "\(matrix): \(error.description)")
        }
        let report = AnalyzeReport(analysis: analysis, matrixPath: matrix, rhsPath: rhs)
        print(report.text())
        if let json {
            do {
                try report.json().write(to: URL(fileURLWithPath: json))
            } catch {
                throw fail(.invalidInput, "cannot write \(json): \(error.localizedDescription)")
            }
        }
        if !analysis.stability.isStable {
            throw ExitStatus.unstable.code
        }
    }
}
