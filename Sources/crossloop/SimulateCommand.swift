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
        abstract: "Run any SPICE deck in process with libngspice, as plain `ngspice -b` would.",
        discussion: """
            The deck is read as ngspice reads it: its .include and .lib files are resolved by \
            Crossloop first (cycles, depth, non-regular files and sizes refused), its .control \
            blocks and *# lines run after the circuit is loaded, then its analysis cards, unless \
            the script quits. What the script prints appears as ngspice prints it; without a \
            script the vectors of the last plot are printed (default: every node voltage). \
            The solver is the one plain ngspice would use: the deck's .options, else Sparse 1.3.

            Sandbox: a deck reads files only below its own folder and writes only below its \
            own folder and the working directory; commands that start programs, change \
            directory or load code (shell, cd, source, codemodel, back-quoted commands, a \
            command named through a variable) are refused before anything runs, naming the \
            file and line (exit 2). --allow-paths DIR opens a folder, --allow-shell everything.

            An analysis that asks for more than --max-points points is refused before it runs; \
            an element line ngspice would ignore fails the run (exit 3) unless --lenient. \
            Exits 3 with ngspice's own words when the simulation fails.
            """
    )

    @Argument(help: "The SPICE deck to run.")
    var deck: String

    @Option(name: .customLong("vector"), help: "A vector to print, e.g. out, v(out), i(V1) (repeatable).")
    var vectors: [String] = []

    @Option(help: "Write every plot and vector, the measurements and the warnings as JSON to this path.")
    var json: String?

    @Option(help: "Write every plot of the run as an ngspice raw file (binary) to this path.")
    var raw: String?

    @Option(help: "Stop the run after this many seconds, whatever phase it is in.")
    var timeout: Double?

    @Option(help: "Linear solver: ngspice (what plain ngspice would use), sparse or klu.")
    var solver: String = SolverPreference.ngspice.rawValue

    @Flag(help: "Let the deck run programs, change directory and load code (shell, cd, source, codemodel, ...).")
    var allowShell = false

    @Option(name: .customLong("allow-paths"), help: "A folder the deck may read and write below (repeatable).")
    var allowedPaths: [String] = []

    @Flag(help: "Run on when ngspice ignores an element line, with a warning.")
    var lenient = false

    @Option(help: "The most points one analysis may produce.")
    var maxPoints: Double = DeckLimits.defaultMaximumPoints

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("Pass --timeout as a positive number of seconds.") }
        if SolverPreference(rawValue: solver) == nil || solver == SolverPreference.automatic.rawValue {
            throw ValidationError("Pass --solver ngspice, sparse or klu.")
        }
        if !(maxPoints >= 1) || !maxPoints.isFinite { throw ValidationError("Pass --max-points as a positive number.") }
        for path in allowedPaths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--allow-paths \(path) is not a folder.")
            }
        }
    }

    func run() async throws {
        let deckURL = URL(fileURLWithPath: deck)
        guard FileManager.default.isReadableFile(atPath: deck) else {
            throw UsageError("cannot read deck \(deck): no such readable file")
        }
        try OutputFile.check(json)
        let policy = SandboxPolicy.forDeck(in: deckURL.deletingLastPathComponent().path, allowing: allowedPaths,
                                           allowsShell: allowShell, limits: DeckLimits(maximumPoints: maxPoints))
        let progress = ProgressLine(label: "simulating")
        var request = RunRequest(
            vectors: vectors.isEmpty ? nil : vectors,
            timeLimit: timeout,
            rawFile: try raw.map { try OutputFile.destination($0) },
            solver: SolverPreference(rawValue: solver) ?? .ngspice,
            progress: { progress.update($0) },
            strict: !lenient,
            failsOnRecovery: false
        )
        // `ngspice -b` sets `batchmode`; decks test it (`if $?batchmode`) to skip interactive parts.
        request.variables["batchmode"] = .some(nil)
        let result: SimulationResult
        let prepared: PreparedDeck
        do {
            let engine = try NgspiceEngine()
            let deck = self.deck
            let run = Task { () throws -> (PreparedDeck, SimulationResult) in
                let prepared = try DeckReader.read(file: deck, policy: policy)
                // As plain ngspice: a deck with nothing to run is no failure.
                guard !prepared.analyses.isEmpty || !prepared.script.isEmpty else {
                    return (prepared, SimulationResult(plots: [], diagnostics: [Diagnostic(
                        stream: .stderr, severity: .warning, text: "the deck has no analysis card and no control script: nothing was simulated")],
                        solver: .unknown, ngspiceVersion: engine.info.ngspiceVersion, loadSeconds: 0, runSeconds: 0))
                }
                do {
                    return (prepared, try await engine.run(prepared, request))
                } catch let error as NgspiceError {
                    throw FailedRun(error: error, deck: prepared)
                }
            }
            // The engine halts a run at the limit; loading a deck cannot be interrupted, so a
            // watchdog ends the command a little later whatever ngspice is doing.
            (prepared, result) = try await Deadline.first(of: run, within: timeout.map { $0 + Self.watchdogGrace }) {
                NgspiceError(kind: .aborted, message: "time limit of \(VectorTable.format(timeout ?? 0)) s reached while the deck was still being read, loaded or stopped")
            }
            progress.finish()
        } catch let error as FailedRun {
            progress.finish()
            throw SimulationFailure("\(deck): \(Self.located(error.error, in: error.deck))")
        } catch let error as NgspiceError {
            progress.finish()
            throw SimulationFailure("\(deck): \(error)")
        }
        for line in result.scriptOutput where line.stream != .progress {
            if line.stream == .stderr { printError(line.text) } else { print(line.text) }
        }
        var seen: [String: Int] = [:]
        let warnings = result.warnings.filter { !result.scriptOutput.contains($0) }
            .map { $0.text.replacingOccurrences(of: "Warning: ", with: "", options: [.anchored, .caseInsensitive]) }
        for text in warnings { seen[text, default: 0] += 1 }
        for text in warnings where seen[text] != nil {
            let count = seen.removeValue(forKey: text) ?? 1
            printError("warning: \(text)\(count > 1 ? " (\(count) times)" : "")")
        }
        if let raw, let written = request.rawFile, !result.plots.isEmpty, !FileManager.default.fileExists(atPath: written) {
            throw UsageError("cannot write \(raw): ngspice wrote no raw file there")
        }
        let measurements = result.measurements
        if prepared.script.isEmpty || !vectors.isEmpty, let plot = result.lastPlot {
            let selected: [SpiceVector] = vectors.isEmpty
                ? plot.nodeVoltages.filter { $0.quantity != .time }
                : vectors.compactMap { plot[$0] }
            print(VectorTable.render(plot: plot, vectors: selected))
        }
        if prepared.script.isEmpty {
            for measurement in measurements { print(measurement.line) }
        }
        if let json {
            let settings = SimulationJSON.Settings(
                solver: solver, readable: policy.readable, writable: policy.writable, allowsShell: allowShell,
                maximumPoints: maxPoints, strict: !lenient, timeoutSeconds: timeout)
            try SimulationJSON.write(result, measurements: measurements, settings: settings, to: json)
        }
        // The deck's own check, as `ngspice -b` reports it: its exit status.
        if let status = result.quitStatus, status != 0 {
            printError("error: \(deck): the deck's script quit with status \(status)")
            throw VerificationFailure()
        }
    }

    /// Seconds past `--timeout` before the watchdog gives up on ngspice.
    static let watchdogGrace = 2.0

    /// ngspice names the card it failed on by its text; say which file and line that is. An
    /// included file's card is named by its place, not quoted: its contents stay out of
    /// messages (an include of a file that is not a deck would otherwise echo it).
    static func located(_ error: NgspiceError, in deck: PreparedDeck) -> String {
        guard let card = error.offendingLine?.lowercased().trimmingCharacters(in: .whitespaces), !card.isEmpty,
              let index = deck.lines.firstIndex(where: { $0.lowercased().trimmingCharacters(in: .whitespaces) == card }),
              index < deck.origins.count else { return shortened(error.description) }
        var located = error
        located.lineNumber = nil
        let origin = deck.origins[index]
        if origin.file != deck.origins.first?.file {
            located.offendingLine = nil
            let quoted = located.message.lowercased().range(of: card)
            located.message = quoted == nil ? shortened(located.message, limit: 120) : "ngspice refused the card on this line"
        }
        return "\(origin): \(shortened(located.description))"
    }

    static func shortened(_ text: String, limit: Int = 400) -> String {
        text.count <= limit ? text : text.prefix(limit) + "... (\(text.count - limit) more characters)"
    }
}

/// A failed run with the deck it ran, to name the file and line of the offending card.
struct FailedRun: Error {
    var error: NgspiceError
    var deck: PreparedDeck
}

/// The result of a task, or an error once a time has passed, whichever comes first.
enum Deadline {
    static func first<T: Sendable>(of task: Task<T, Error>, within seconds: Double?,
                                   _ expired: @escaping @Sendable () -> Error) async throws -> T {
        guard let seconds else { return try await task.value }
        let once = Once()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            Task {
                let result = await task.result
                if once.claim() { continuation.resume(with: result) }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                if once.claim() { task.cancel(); continuation.resume(throwing: expired()) }
            }
        }
    }

    final class Once: @unchecked Sendable {  // Safe: `done` behind `lock`.
        private let lock = NSLock()
        private var done = false
        func claim() -> Bool { lock.lock(); defer { lock.unlock() }; if done { return false }; done = true; return true }
    }
}

extension SpiceMeasurement {
    /// `name = value`, or why it failed.
    var line: String { value.map { "\(name) = \(VectorTable.format($0))" } ?? "\(name): failed: \(failure ?? "no value")" }
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
    /// What the run was allowed and asked to do, so that the file states the values it used.
    struct Settings: Encodable {
        var solver: String
        var readable: [String]
        var writable: [String]
        var allowsShell: Bool
        var maximumPoints: Double
        var strict: Bool
        var timeoutSeconds: Double?
    }

    struct Document: Encodable {
        var ngspiceVersion: String
        var settings: Settings
        var solver: String
        var loadSeconds: Double
        var runSeconds: Double
        var plots: [PlotDocument]
        var measurements: [SpiceMeasurement]
        var quitStatus: Int?
        var output: [String]
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

    /// A plot may hold two vectors of one name (a script's `let` over an analysis vector):
    /// the later ones are kept as `name#2`, `name#3`, ..., so that nothing is lost.
    static func uniqueNames(_ vectors: [SpiceVector]) -> [(String, SpiceVector)] {
        var seen: [String: Int] = [:]
        return vectors.map { vector in
            let count = (seen[vector.name] ?? 0) + 1
            seen[vector.name] = count
            return (count == 1 ? vector.name : "\(vector.name)#\(count)", vector)
        }
    }

    static func write(_ result: SimulationResult, measurements: [SpiceMeasurement], settings: Settings, to path: String) throws {
        let document = Document(
            ngspiceVersion: result.ngspiceVersion,
            settings: settings,
            solver: result.solver.rawValue,
            loadSeconds: result.loadSeconds,
            runSeconds: result.runSeconds,
            plots: result.plots.map { plot in
                PlotDocument(name: plot.name, analysis: plot.analysis, vectors: Dictionary(uniqueKeysWithValues: uniqueNames(plot.vectors).map {
                    ($0.0, $0.1.isComplex
                        ? VectorValues.complex($0.1.complex.map { ["re": $0.real, "im": $0.imaginary] })
                        : VectorValues.real($0.1.real))
                }))
            },
            measurements: measurements,
            quitStatus: result.quitStatus,
            output: result.scriptOutput.filter { $0.stream != .progress }.map(\.text),
            warnings: result.warnings.map(\.text)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try OutputFile.write(try encoder.encode(document), to: path)
    }
}
