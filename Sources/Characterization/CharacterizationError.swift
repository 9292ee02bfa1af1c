import Reports
import Circuits
import Foundation
import Netlist
import Ngspice

/// Why a characterisation stopped. Each stage wraps its own error.
public enum CharacterizationError: Error, Sendable, CustomStringConvertible {
    /// The technology cannot be used (unknown name, PDK not fetched).
    case technology(TechnologyError)
    /// The block cannot be designed for the asked specification.
    case design(String)
    /// ngspice failed.
    case simulation(NgspiceError)
    /// The simulation ran but the quantity could not be measured from it.
    case measurement(String)
    /// The block as measured cannot work in a loop (an op-amp with no phase margin).
    case unstable(String)
    /// A designer's block does not behave as its kind must (a cell whose levels are not
    /// monotonic, a model its library lacks).
    case block(String)

    public var description: String {
        switch self {
        case .technology(let error): return "\(error)"
        case .design(let reason): return "cannot design the block: \(reason)"
        case .simulation(let error): return "simulation failed: \(error)"
        case .measurement(let reason): return "cannot measure: \(reason)"
        case .unstable(let reason): return "unstable: \(reason)"
        case .block(let reason): return reason
        }
    }

    /// Wraps whatever the engine or a generator threw.
    static func wrap(_ error: any Error) -> CharacterizationError {
        switch error {
        case let error as CharacterizationError: return error
        case let error as NgspiceError: return .simulation(error)
        case let error as TechnologyError: return .technology(error)
        default: return .design("\(error)")
        }
    }
}

extension Technology {
    /// A run request with the interpreter flags this technology needs.
    func request(vectors: [String]?, timeLimit: Double? = 120, commands: [String] = [],
                 progress: (@Sendable (RunProgress) -> Void)? = nil) -> RunRequest {
        RunRequest(vectors: vectors, timeLimit: timeLimit, commands: commands, variables: engineVariables,
                   progress: progress)
    }
}

/// Runs a deck and wraps failures.
func simulate(_ engine: NgspiceEngine, _ deck: Deck, _ request: RunRequest) async throws(CharacterizationError)
    -> SimulationResult
{
    do {
        return try await engine.run(deck, request)
    } catch {
        throw CharacterizationError.wrap(error)
    }
}

/// A vector's real values, or a measurement error naming what is missing.
func values(_ result: SimulationResult, _ analysis: String, _ name: String) throws(CharacterizationError) -> [Double] {
    guard let plot = result.plot(analysis) else { throw .measurement("no .\(analysis) plot in the result") }
    guard let vector = plot[name] else { throw .measurement("vector \(name) missing from the .\(analysis) plot") }
    return vector.real
}

/// The independent variable of a plot (time, frequency, sweep).
func scale(_ result: SimulationResult, _ analysis: String) throws(CharacterizationError) -> [Double] {
    guard let plot = result.plot(analysis) else { throw .measurement("no .\(analysis) plot in the result") }
    guard let vector = plot.scale else { throw .measurement("the .\(analysis) plot has no scale vector") }
    return vector.real
}
