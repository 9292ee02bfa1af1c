import Reports
import Specification
import CircuitTheory
import Reference
import Verification

/// Why a workload stopped. Each case says what to change.
public enum WorkloadError: Error, Sendable, CustomStringConvertible {
    /// A workload or chip parameter is out of range.
    case invalidParameter(name: String, value: String, requirement: String)
    /// A matrix is larger than one array and the primitive cannot tile it.
    case doesNotFit(operation: String, rows: Int, columns: Int, arraySize: Int)
    /// The primitive needs more arrays than the chip has.
    case insufficientArrays(needed: Int, available: Int, reason: String)
    /// One analogue primitive failed; `label` says where in the algorithm.
    case primitive(kind: PrimitiveKind, label: String, error: VerificationError)
    /// A digital step failed (a singular reference system, for instance).
    case digital(label: String, error: LinearAlgebraError)
    /// The engines could not be created.
    case engine(String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, requirement):
            return "\(name) = \(value) is invalid: it must be \(requirement)"
        case let .doesNotFit(operation, rows, columns, arraySize):
            return "\(operation) of a \(rows)x\(columns) matrix does not fit one \(arraySize)x\(arraySize) array; use recursive block inversion (crossloop run rbi) or a larger tile"
        case let .insufficientArrays(needed, available, reason):
            return "the primitive needs \(needed) arrays (\(reason)) and the chip has \(available); use design.sign sign-bit or give the chip more arrays"
        case let .primitive(kind, label, error):
            return "\(kind.rawValue.uppercased()) primitive '\(label)' failed: \(error)"
        case let .digital(label, error):
            return "digital step '\(label)' failed: \(error)"
        case let .engine(message):
            return "cannot start ngspice: \(message)"
        }
    }
}
