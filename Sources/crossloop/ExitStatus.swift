import ArgumentParser
import Foundation
import Verification

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

    /// The exit for a problem that could not be verified: the problem or design invalid,
    /// a loop predicted unstable and refused, or ngspice failing or giving no answer.
    init(_ error: VerificationError) {
        switch error {
        case .mapping, .design: self = .invalidInput
        case .unstable: self = .unstable
        case .simulation, .readout: self = .simulationFailed
        }
    }
}

/// Prints one clear line on standard error and leaves with `status`; never a stack trace.
func fail(_ status: ExitStatus, _ message: String) -> ExitCode {
    printError("error: \(message)")
    return status.code
}

func printError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
