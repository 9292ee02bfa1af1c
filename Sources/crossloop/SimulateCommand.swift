import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Foundation
import Ngspice

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run any SPICE deck in process with libngspice and print its vectors.",
        discussion: """
            Runs the deck's analysis cards (.op, .tran, .ac, .dc); a .control block is skipped \
            with a warning. Prints the requested vectors of the last plot (default: every node \
            voltage), a single value per line for an operating point and a table otherwise. \
            Relative .include/.lib paths are resolved against the deck's directory. \
            Exits 3 with ngspice's own words when the deck fails.
            """
    )

    @Argument(help: "The SPICE deck to run.")
    var deck: String

    @Option(name: .customLong("vector"), help: "A vector to print, e.g. out, v(out), i(V1) (repeatable).")
    var vectors: [String] = []

    @Option(help: "Write every plot and vector as JSON to this path.")
    var json: String?

    @Option(help: "Write the last plot as an ngspice raw file (binary) to this path.")
    var raw: String?

    @Option(help: "Stop the run after this many seconds.")
    var timeout: Double?

    @Option(help: "Linear solver: automatic (KLU when available), klu or sparse.")
    var solver: String = "automatic"

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("Pass --timeout as a positive number of seconds.") }
        if SolverPreference(rawValue: solver) == nil {
            throw ValidationError("Pass --solver automatic, klu or sparse.")
        }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: deck)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw UsageError("cannot read deck \(deck): \(error.localizedDescription)")
        }
        try OutputFile.check(json)
        let progress = ProgressLine(label: "simulating")
        let request = RunRequest(
            vectors: vectors.isEmpty ? nil : vectors,
            timeLimit: timeout,
            rawFile: try raw.map { try OutputFile.destination($0) },
            solver: SolverPreference(rawValue: solver) ?? .automatic,
            progress: { progress.update($0) }
        )
        let result: SimulationResult
        do {
            let engine = try NgspiceEngine()
            let prepared = try PreparedDeck(text: text, directory: url.deletingLastPathComponent().path)
            result = try await engine.run(prepared, request)
            progress.finish()
        } catch let error as NgspiceError {
            progress.finish()
            throw SimulationFailure("\(deck): \(error)")
        }
        for warning in result.warnings { printError("warning: \(warning.text)") }
        if let raw, let written = request.rawFile, !FileManager.default.fileExists(atPath: written) {
            throw UsageError("cannot write \(raw): ngspice wrote no raw file there")
        }
        guard let plot = result.lastPlot else {
            throw SimulationFailure("\(deck): the deck has no analysis to run")
        }
        let selected: [SpiceVector] = vectors.isEmpty
            ? plot.nodeVoltages.filter { $0.quantity != .time }
            : vectors.compactMap { plot[$0] }
        print(VectorTable.render(plot: plot, vectors: selected))
        if let json {
            try SimulationJSON.write(result, to: json)
        }
    }
}

/// Text output of `simulate`: `name = value` for an operating point, a table otherwise.
enum VectorTable {
    static func render(plot: Plot, vectors: [SpiceVector]) -> String {
        guard let scale = plot.scale else {
            let width = vectors.map(\.name.count).max() ?? 0
            return vectors.map { vector in
                let name = vector.name.padding(toLength: width, withPad: " ", startingAt: 0)
                return "\(name) = \(format(vector.real.first ?? .nan))"
            }.joined(separator: "\n")
        }
        let columns = [scale] + vectors.filter { $0.name != scale.name }
        var lines = [columns.map { pad($0.isComplex ? "|\($0.name)|" : $0.name) }.joined(separator: " ")]
        for row in 0..<scale.count {
            lines.append(columns.map { column in
                let value = column.isComplex ? column.complex[row].magnitude : column.real[row]
                return pad(format(value))
            }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String { String(format: "%.15g", value) }
    static func pad(_ text: String) -> String { text.padding(toLength: max(22, text.count), withPad: " ", startingAt: 0) }
}

/// JSON of a whole simulation: plots, vectors (complex as {re, im}), solver, diagnostics.
enum SimulationJSON {
    struct Document: Encodable {
        var ngspiceVersion: String
        var solver: String
        var loadSeconds: Double
        var runSeconds: Double
        var plots: [PlotDocument]
        var warnings: [String]
    }
    struct PlotDocument: Encodable {
        var name: String
        var analysis: String
        var vectors: [String: VectorValues]
    }
    enum VectorValues: Encodable {
        case real([Double])
        case complex([[String: Double]])
        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .real(let xs): try container.encode(xs)
            case .complex(let zs): try container.encode(zs)
            }
        }
    }

    static func write(_ result: SimulationResult, to path: String) throws {
        let document = Document(
            ngspiceVersion: result.ngspiceVersion,
            solver: result.solver.rawValue,
            loadSeconds: result.loadSeconds,
            runSeconds: result.runSeconds,
            plots: result.plots.map { plot in
                PlotDocument(name: plot.name, analysis: plot.analysis, vectors: Dictionary(uniqueKeysWithValues: plot.vectors.map {
                    ($0.name, $0.isComplex
                        ? VectorValues.complex($0.complex.map { ["re": $0.real, "im": $0.imaginary] })
                        : VectorValues.real($0.real))
                }))
            },
            warnings: result.warnings.map(\.text)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try OutputFile.write(try encoder.encode(document), to: path)
    }
}
