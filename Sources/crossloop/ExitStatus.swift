import ArgumentParser
import Characterization
import CircuitTheory
import Circuits
import Foundation
import MatrixFiles
import Ngspice
import Reference
import Specification
import Sweeps
import Verification
import Workloads

/// The process exit codes, one meaning each, shared by every subcommand.
enum ExitStatus: Int32 {
    /// The command did what was asked and every check passed.
    case success = 0
    /// The circuit simulated but its answer failed verification.
    case verificationFailed = 1
    /// The input (a file, a flag, a matrix) was invalid.
    case invalidInput = 2
    /// ngspice could not simulate the deck (parse error, no convergence, fatal exit, timeout).
    case simulationFailed = 3
    /// The mapped circuit is unstable and was refused before simulation.
    case unstable = 4

    var code: ExitCode { ExitCode(rawValue) }

    /// The one mapping from a failure to its exit code: the same failure leaves with the
    /// same code from every command.
    init(_ error: any Error) {
        switch error {
        case let error as VerificationError:
            switch error {
            case .mapping, .design: self = .invalidInput
            case .unstable, .unstableAmplifier: self = .unstable
            case .simulation, .readout: self = .simulationFailed
            }
        case let error as SweepError:
            switch error {
            case .invalidSpec, .directory, .io, .specification: self = .invalidInput
            case .verification(let inner): self = ExitStatus(inner)
            case .scheduler: self = .simulationFailed
            case .everyRun(let status, _):
                self = status == "unstable" ? .unstable : status == "invalid" ? .invalidInput : .simulationFailed
            }
        case let error as WorkloadError:
            switch error {
            case .invalidParameter, .doesNotFit, .insufficientArrays, .digital: self = .invalidInput
            case .engine: self = .simulationFailed
            case .primitive(_, _, let inner): self = ExitStatus(inner)
            }
        case let error as CharacterizationError:
            switch error {
            case .technology, .design, .block: self = .invalidInput
            case .unstable: self = .unstable
            case .simulation, .measurement: self = .simulationFailed
            }
        case is NgspiceError, is SimulationFailure: self = .simulationFailed
        case is DeckRefusal, is UserBlockError: self = .invalidInput
        case is VerificationFailure: self = .verificationFailed
        default:
            // What was typed or read: flags, knobs, files, matrices, technologies.
            self = .invalidInput
        }
    }

    /// The one-line message of a failure, with knob names spelt as flags.
    static func message(_ error: any Error) -> String {
        switch error {
        case let error as SpecificationError: return error.rendered(.flag)
        // A sweep file names knobs as the file does.
        case let error as SweepError: return error.description
        case let error as CustomStringConvertible: return Knob.spelled(error.description, as: .flag)
        default: return Knob.spelled("\(error)", as: .flag)
        }
    }
}

/// A problem with what was typed or named on the command line (exit 2).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A simulator failure found by the command line itself (exit 3).
struct SimulationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A result that missed its checks or target, already reported on standard output (exit 1).
struct VerificationFailure: Error {}

func printError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
