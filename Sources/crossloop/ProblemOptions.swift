import ArgumentParser
import CircuitTheory
import Foundation
import MatrixFiles
import Reference
import Specification

/// The problem flags of `solve`, `generate` and `analyze`, and the knob flags after them.
struct ProblemOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The matrix: A (or X for ginv, [[A, B], [C, D]] for block), Matrix Market or CSV.", valueName: "path"))
    var matrix: String

    @Option(help: ArgumentHelp("The vector: b (inv), x (mvm), y (ginv), u (block). Default: all ones.", valueName: "path"))
    var rhs: String?

    @Option(help: ArgumentHelp("The operation: inv, mvm, ginv, eig or block.", valueName: "op"))
    var op: String = "inv"

    @Option(name: .customLong("block-size"), help: ArgumentHelp("block: n1, the size of the loop block A. Default: half.", valueName: "n1"))
    var blockSize: Int?

    /// The operation; every message says what to type instead.
    func operation() throws -> CrossbarOperation {
        guard let operation = CrossbarOperation(rawValue: op.lowercased()) else {
            throw UsageError("unknown operation '\(Quantity.echo(op))': pass --op inv, mvm, ginv, eig or block")
        }
        if let blockSize {
            guard operation == .block else { throw UsageError("--block-size applies to --op block only") }
            guard blockSize > 0 else { throw UsageError("--block-size \(blockSize): pass n1 >= 1, the size of the loop block A") }
        }
        if operation == .eig, rhs != nil { throw UsageError("eig takes no right-hand side: drop --rhs") }
        return operation
    }

    /// The specification of the knob flags in `tokens`, after `defaults` (a command's own).
    func specification(_ tokens: [String], knobs: [Knob], defaults: [(name: String, value: KnobValue)] = []) throws
        -> (CrossbarOperation, SolveSpecification)
    {
        let operation = try operation()
        let entries = try KnobArguments.parse(tokens, knobs: knobs)
        return (operation, try SolveSpecification.resolve(defaults + entries, operation: operation))
    }

    /// Reads the matrix and vector files into a problem.
    func problem(_ operation: CrossbarOperation) throws -> Problem {
        try readProblem(operation, matrix: matrix, rhs: rhs, blockSize: blockSize)
    }
}

/// Reads A and the vector (the operation's default, all ones, without `rhs`) into a
/// problem. An unreadable file, or a problem the operation cannot take, is invalid input.
func readProblem(_ operation: CrossbarOperation, matrix: String, rhs: String?, blockSize: Int? = nil) throws -> Problem {
    let a = try MatrixFiles.readMatrix(at: matrix)
    var vector = Problem.defaultVector(operation: operation, matrix: a, blockSize: blockSize)
    if let rhs { vector = try MatrixFiles.readVector(at: rhs) }
    do {
        return try Problem(operation: operation, matrix: a, vector: vector, blockSize: blockSize)
    } catch {
        throw UsageError("\(matrix): \(error.description)")
    }
}
