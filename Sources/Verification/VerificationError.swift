import Characterization
import Reports
import Specification
import Circuits
import Ngspice
import CircuitTheory
import Reference

/// Why a solve stopped before a verdict. Each stage wraps its own error.
public enum VerificationError: Error, Sendable, CustomStringConvertible {
    /// The problem cannot be mapped (shape, values, parameters).
    case mapping(MappingError)
    /// The design parameters are invalid or the combination is unsupported.
    case design(CircuitError)
    /// The analysis predicts an unstable loop; nothing was simulated.
    case unstable(Prediction)
    /// An amplifier as measured makes the loop unstable (a designer's op-amp with no phase
    /// margin); nothing was solved.
    case unstableAmplifier(String)
    /// ngspice failed.
    case simulation(NgspiceError)
    /// The run produced no usable answer (for example EIG never grew).
    case readout(String)

    public var description: String {
        switch self {
        case .mapping(let error): return "cannot map the problem: \(error)"
        case .design(let error): return "invalid design: \(error)"
        case .unstable(let prediction): return prediction.refusal
        case .unstableAmplifier(let reason): return "unstable loop: \(reason)"
        case .simulation(let error): return "simulation failed: \(error)"
        case .readout(let reason): return "no answer from the simulation: \(reason)"
        }
    }
}
