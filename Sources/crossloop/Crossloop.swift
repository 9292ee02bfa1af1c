import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct Crossloop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossloop",
        abstract: "Generate, simulate and verify closed-loop analogue in-memory-computing circuits.",
        discussion: """
            Crossloop maps a linear-algebra problem onto a crossbar of conductances in the \
            feedback loop of op-amps, writes the SPICE netlist, simulates it in process with \
            libngspice and checks the answer against a LAPACK reference and the circuit theory.

            Exit codes: 0 success, 1 verification failed, 2 invalid input, 3 simulation failed, \
            4 unstable circuit refused.
            """,
        version: CrossloopVersion.string,
        subcommands: [
            VersionCommand.self,
            SimulateCommand.self,
            AnalyzeCommand.self,
            SolveCommand.self,
            CheckCommand.self,
            GenerateCommand.self,
            BenchCommand.self,
            SweepCommand.self,
            CharacterizeCommand.self,
            RunCommand.self,
        ]
    )

    /// Parses and runs like ArgumentParser's own entry point, except that usage and
    /// validation errors leave with Crossloop's "invalid input" code (2) instead of 64, and
    /// every other failure with the code ``ExitStatus`` gives it and one line on standard
    /// error, never a stack trace.
    static func main() async {
        stopOnSignals()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as VerificationFailure {
            _ = error
            Foundation.exit(ExitStatus.verificationFailed.rawValue)
        } catch let error where error is ExitCode || error is CleanExit || isArgumentParserError(error) {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitStatus.invalidInput.rawValue)
            }
            exit(withError: error)
        } catch {
            printError("error: \(ExitStatus.message(error))")
            Foundation.exit(ExitStatus(error).rawValue)
        }
    }

    /// SIGINT, SIGTERM, SIGQUIT and SIGHUP all end the process at once with 128 + the
    /// signal's number, mid-simulation included: no backtrace, no core, no engine thread left
    /// spinning. Outputs are written atomically, so an interrupted command leaves no half
    /// file. A signal the shell ignores for a background job stays ignored.
    static func stopOnSignals() {
        let stop: @convention(c) (Int32) -> Void = { signal in _exit(128 + signal) }
        for signal in [SIGINT, SIGTERM, SIGQUIT, SIGHUP] {
            let previous = Glibc.signal(signal, stop)
            if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                _ = Glibc.signal(signal, SIG_IGN)
            }
        }
    }

    /// Whether ArgumentParser raised `error` (usage, help, validation), as opposed to a
    /// command's own failure.
    static func isArgumentParserError(_ error: any Error) -> Bool {
        error is ValidationError || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
