import ArgumentParser
import Foundation
import Ngspice
import CircuitTheory
import Reference
import Verification

struct SolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Build the closed-loop circuit of a matrix problem, simulate it and verify its answer.",
        discussion: """
            Maps the problem onto the crossbar (quantised cells, G_in, converters), predicts \
            stability, settling and the error budget, refuses a loop predicted unstable (exit 4; \
            --force simulates it anyway), generates the netlist, simulates it in process with \
            libngspice and compares the answer with the ideal, quantised and finite-gain \
            references. Without --rhs the vector is all ones.

            Exit codes: 0 pass, 1 verification failed, 2 invalid input, 3 simulation failed, \
            4 unstable circuit refused.
            """
    )

    @OptionGroup var design: DesignOptions

    @Option(name: .customLong("tolerance-bits"), help: ArgumentHelp("Pass at this many equivalent bits vs the ideal answer. Default: from the error model.", valueName: "B"))
    var toleranceBits: Double?

    @Flag(help: "Simulate even when the loop is predicted unstable.")
    var force = false

    @Option(help: ArgumentHelp("Stop the simulation after this many seconds of wall time.", valueName: "s"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Write the verdict as JSON.", valueName: "path"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML, one test case per check.", valueName: "path"))
    var junit: String?

    @Option(help: ArgumentHelp("Also write the simulated deck.", valueName: "path"))
    var deck: String?

    func validate() throws {
        _ = try design.validated()
        if let toleranceBits, !(toleranceBits > 0 && toleranceBits <= 60) {
            throw ValidationError("Pass --tolerance-bits between 0 and 60.")
        }
        if let timeout, !(timeout > 0) { throw ValidationError("Pass --timeout as a positive number of seconds.") }
    }

    func run() async throws {
        var (operation, options) = try design.validated()
        options.toleranceBits = toleranceBits
        options.force = force
        options.timeLimit = timeout
        let problem = try design.problem(operation)

        if let deck {
            do {
                let prepared = try Verifier.prepare(problem, options)
                try DeckFile.write(prepared, options: options, commandLine: CommandLine.arguments, to: deck)
            } catch let error as VerificationError {
                throw fail(ExitStatus(error), error.description)
            } catch {
                throw fail(.invalidInput, "cannot write \(deck): \(error.localizedDescription)")
            }
        }
        let engine: NgspiceEngine
        do { engine = try NgspiceEngine() } catch { throw fail(.simulationFailed, "\(error)") }
        let progress = ProgressLine(label: "simulating")
        let verdict: Verdict
        do {
            verdict = try await Verifier.solve(problem, options, engine: engine) { progress.update($0) }
            progress.finish()
        } catch {
            progress.finish()
            throw fail(ExitStatus(error), error.description)
        }
        print(VerdictReport.summary(verdict))
        do {
            if let json {
                try VerdictReport.json(verdict, crossloopVersion: CrossloopVersion.string).text()
                    .write(to: URL(fileURLWithPath: json), atomically: true, encoding: .utf8)
            }
            if let junit {
                let name = "crossloop solve \(operation.rawValue) \(design.matrix)"
                try VerdictReport.junit(verdict, suiteName: name).write(to: URL(fileURLWithPath: junit), atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail(.invalidInput, "cannot write a report: \(error.localizedDescription)")
        }
        if !verdict.passed { throw ExitStatus.verificationFailed.code }
    }
}

/// A generated deck on disk, runnable with plain `ngspice -b`: it prints its outputs.
enum DeckFile {
    static func write(_ prepared: Verifier.Prepared, options: SolveOptions, commandLine: [String], to path: String) throws {
        let deck = Verifier.standalone(prepared, generatedBy: generatedBy(commandLine), options: options)
        try deck.text().write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
    }

    /// The command that made the deck, with the binary's name only (no machine paths).
    static func generatedBy(_ arguments: [String]) -> String {
        (["crossloop"] + arguments.dropFirst()).joined(separator: " ")
    }
}
