import Foundation
import Logging
import Netlist

public struct EngineConfiguration: Sendable {
    /// Where the library and code models are; nil finds them (`LibraryLocation.locate`).
    public var location: LibraryLocation?
    /// OpenMP threads for BSIM3/4 device evaluation inside one run (`set num_threads`).
    public var deviceThreads: Int
    /// The engine thread's own working directory, against which ngspice resolves relative
    /// paths that reach it; nil keeps the process's directory at creation. Changing it never
    /// affects other threads.
    public var workingDirectory: String?
    public var logger: Logger

    public init(location: LibraryLocation? = nil, deviceThreads: Int = 1, workingDirectory: String? = nil,
                logger: Logger = Logger(label: "crossloop.ngspice")) {
        self.location = location
        self.deviceThreads = deviceThreads
        self.workingDirectory = workingDirectory
        self.logger = logger
    }
}

extension EngineConfiguration {
    /// For an engine that runs one simulation at a time while nothing else does (a single
    /// `solve`, a plan's cases in turn): every core evaluates devices. Engines that run side
    /// by side (sweeps, workloads, characterisation) keep one thread each.
    public static var wholeMachine: EngineConfiguration {
        EngineConfiguration(deviceThreads: max(1, ProcessInfo.processInfo.activeProcessorCount))
    }
}

/// What an engine loaded.
public struct EngineInfo: Sendable, Hashable {
    /// ngspice's version, e.g. "46".
    public var ngspiceVersion: String
    /// KLU compiled in (ngspice >= 42 from backports); otherwise Sparse 1.3 only.
    public var hasKLU: Bool
    public var libraryPath: String
    public var codeModels: [String]
    /// A `~/.spiceinit` that ngspice read despite the hermetic start (see `HermeticStart`).
    public var userInitFile: String?
}

public enum SolverPreference: String, Sendable, Hashable {
    /// KLU when the library has it, else Sparse 1.3: for the decks Crossloop writes.
    case automatic
    /// What plain `ngspice -b` would use: the deck's own `.options klu` / `sparse`, else the
    /// library's default (Sparse 1.3).
    case ngspice
    case sparse
    case klu
}

/// How to run one deck.
public struct RunRequest: Sendable {
    /// Vectors that must exist in the last plot; nil copies every vector of every plot.
    public var vectors: [String]?
    /// Wall-clock limit in seconds; the run is halted and reported as aborted past it.
    public var timeLimit: Double?
    /// Writes the last plot as an ngspice raw file (binary) for waveform viewers.
    public var rawFile: String?
    public var solver: SolverPreference
    /// Interpreter commands sent after loading and before running (`option reltol=1e-9`).
    public var commands: [String]
    /// Interpreter variables set before the deck is loaded and unset after the run, for
    /// behaviour flags that must be in place while ngspice reads the deck (for example
    /// `ngbehavior=hsa` for the sky130 models). A nil value sets a flag.
    public var variables: [String: String?]
    public var progress: (@Sendable (RunProgress) -> Void)?
    /// A run that needed ngspice's recovery after a "singular matrix" or "timestep too small"
    /// warning fails even if the recovery succeeded: in a circuit Crossloop wrote, a floating
    /// node is a defect that gmin stepping would paper over. A designer's deck runs as plain
    /// ngspice runs it (false): only ngspice giving up fails it.
    public var failsOnRecovery: Bool
    /// An element line that ngspice ignores (`R1 a`: too few nodes) fails the run: the
    /// circuit that would run is not the one written. False runs on with the warning.
    public var strict: Bool
    /// ngspice's random-number seed for this run (1...2^31 - 1): `setseed` is sent before the
    /// deck is read, so the deck's own random functions (`agauss`, `gauss`, ..., e.g. a PDK's
    /// mismatch models) draw the same numbers on every run with the same seed, whatever ran
    /// on the library copy before. nil leaves ngspice's generator as it is.
    public var randomSeed: UInt32?

    public init(vectors: [String]? = nil, timeLimit: Double? = nil, rawFile: String? = nil,
                solver: SolverPreference = .automatic, commands: [String] = [],
                variables: [String: String?] = [:],
                progress: (@Sendable (RunProgress) -> Void)? = nil, randomSeed: UInt32? = nil, strict: Bool = true,
                failsOnRecovery: Bool = true) {
        self.vectors = vectors; self.timeLimit = timeLimit; self.rawFile = rawFile
        self.solver = solver; self.commands = commands; self.variables = variables
        self.progress = progress
        self.randomSeed = randomSeed
        self.strict = strict
        self.failsOnRecovery = failsOnRecovery
    }
}

/// One simulator: a private copy of libngspice driven from a thread the engine owns.
///
/// Several engines run concurrently in one process, each on its own copy. A run loads the
/// deck (`ngSpice_Circ`), selects the solver after loading (KLU when present: it is not
/// ngspice's run-time default), runs the analyses on ngspice's background thread while the
/// engine thread watches the time limit and cancellation, copies every vector out, and then
/// removes plots and circuit (`destroy all`, `remcirc`) so memory stays flat over thousands
/// of runs. Failure is decided from the classified output, `$sim_status` and the presence
/// and length of the vectors, never from ngspice's return codes alone. After a fatal exit
/// the copy is discarded and a fresh one loaded before the next run.
public final class NgspiceEngine: @unchecked Sendable {
    // Safe: `library`, `commandLog` and `loads` are only touched on `worker`; `info` is
    // written once in init.

    public let info: EngineInfo
    private let configuration: EngineConfiguration
    private let location: LibraryLocation
    private let worker: WorkerThread
    private var library: LoadedLibrary?
    private var commandLog: [String] = []
    private var loads = 0

    public init(configuration: EngineConfiguration = EngineConfiguration()) throws {
        self.configuration = configuration
        let location = try configuration.location ?? LibraryLocation.locate()
        self.location = location
        worker = WorkerThread(workingDirectory: configuration.workingDirectory)
        let threads = configuration.deviceThreads
        let loaded = try worker.sync { try LibraryCache.take(location: location, deviceThreads: threads) }
        info = EngineInfo(ngspiceVersion: loaded.version, hasKLU: loaded.hasKLU,
                          libraryPath: location.libraryPath, codeModels: location.codeModels,
                          userInitFile: HermeticStart.userInitFile())
        try worker.sync { self.library = loaded; self.loads = 1 }
    }

    deinit {
        // Hand the copy on only once this engine's thread has ended, so that no two threads
        // ever call into one copy.
        worker.stop()
        guard let library else { return }
        if worker.isCurrent {
            configuration.logger.debug("engine released on its own thread; its library copy is not recycled")
            return
        }
        worker.join()
        LibraryCache.give(library)
    }

    // MARK: Running

    public func run(_ deck: Deck, _ request: RunRequest = RunRequest()) async throws -> SimulationResult {
        try await run(try PreparedDeck(deck: deck), request)
    }

    public func run(text: String, directory: String? = nil, _ request: RunRequest = RunRequest()) async throws
        -> SimulationResult
    {
        try await run(try PreparedDeck(text: text, directory: directory), request)
    }

    public func run(_ prepared: PreparedDeck, _ request: RunRequest = RunRequest()) async throws -> SimulationResult {
        try await onWorker { control in try self.execute(prepared, request, control) }
    }

    /// Runs `body` on the engine's thread; cancelling the calling task halts the run.
    private func onWorker<T: Sendable>(_ body: @escaping @Sendable (RunControl) throws -> T) async throws -> T {
        let control = RunControl()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                worker.submit { continuation.resume(with: Result { try body(control) }) }
            }
        } onCancel: {
            control.cancel()
        }
    }

    /// The commands sent to ngspice for the latest load and its runs, in order (for tests and
    /// debugging; cleared at each load so that a long-lived engine's memory stays flat).
    public func sentCommands() throws -> [String] { try worker.sync { self.commandLog } }

    /// The interpreter's user variables on this engine's library copy (for tests).
    func interpreterVariables() throws -> Set<String> { try worker.sync { self.library?.variableNames() ?? [] } }

    /// How many library copies this engine has loaded (1 plus one per fatal exit).
    public func libraryLoads() throws -> Int { try worker.sync { self.loads } }

    // MARK: On the worker thread

    private func execute(_ deck: PreparedDeck, _ request: RunRequest, _ control: RunControl) throws -> SimulationResult {
        try withLoaded(deck, request, control) { library, diagnostics, loadSeconds in
            try self.runLoaded(deck, request, control, library, diagnostics, loadSeconds: loadSeconds)
        }
    }

    /// Loads `deck`, hands the loaded library to `body`, then removes plots and circuit.
    private func withLoaded<T>(_ deck: PreparedDeck, _ request: RunRequest, _ control: RunControl,
                               _ body: (LoadedLibrary, [Diagnostic], Double) throws -> T) throws -> T {
        if control.isCancelled { throw abort("cancelled before it started", []) }
        guard !deck.analyses.isEmpty || !deck.script.isEmpty else {
            throw NgspiceError(kind: .missingResult,
                               message: "the deck has no analysis: no analysis card (.op, .tran, .ac, .dc, .noise, .pz, .sens, .tf) and no control script",
                               diagnostics: deck.notes)
        }
        let library = try readyLibrary()
        commandLog.removeAll(keepingCapacity: true)
        let sink = library.sink
        sink.reset(progress: request.progress)
        _ = sink.drain()
        var diagnostics = deck.notes

        // Behaviour flags first: ngspice applies them while reading the deck. They are undone
        // after the run because the library copy outlives this run.
        let variables = request.variables.sorted { $0.key < $1.key }
        for (name, value) in variables {
            guard SpiceName.isValid(name), value.map({ !$0.contains(where: { $0.isWhitespace || $0 == ";" }) }) ?? true else {
                throw NgspiceError(kind: .invalidCommand, message: "invalid interpreter variable \(name)=\(value ?? "")")
            }
            try send(library, value.map { "set \(name)=\($0)" } ?? "set \(name)")
        }
        defer {
            if !sink.hasExited, !library.isAbandoned { for (name, _) in variables { try? send(library, "unset \(name)") } }
            _ = sink.drain()
        }
        if let seed = request.randomSeed {
            guard seed >= 1, seed <= UInt32(Int32.max) else {
                throw NgspiceError(kind: .invalidCommand, message: "random seed \(seed) is outside 1...\(Int32.max)")
            }
            try send(library, "setseed \(seed)")
            _ = sink.drain()
        }

        // `pre_` commands run before ngspice parses the circuit.
        for line in deck.prelude { try send(library, line.text) }
        diagnostics += sink.drain()

        // Load.
        let loadStart = DispatchTime.now()
        commandLog.append("<circuit: \(deck.lines.count) lines>")
        _ = library.loadCircuit(deck.lines)
        diagnostics += sink.drain()
        if sink.hasExited { throw exited(diagnostics) }
        defer { cleanUp(library) }
        if let failure = FailureClassifier.classify(diagnostics, strict: request.strict) {
            throw error(failure, diagnostics, simStatus: nil)
        }

        // Solver and options: after loading, or ngspice ignores them.
        let (wantKLU, note) = try solverChoice(request.solver, deck, library)
        if let note { diagnostics.append(note) }
        if library.hasKLU { try send(library, wantKLU ? "option klu" : "option sparse") }
        for command in request.commands { try send(library, command) }
        diagnostics += sink.drain()
        let loadSeconds = seconds(since: loadStart)
        if let failure = FailureClassifier.classify(diagnostics, strict: request.strict) {
            throw error(failure, diagnostics, simStatus: nil)
        }
        return try body(library, diagnostics, loadSeconds)
    }

    /// Runs the analyses of the loaded circuit, copies the results out and frees the plots
    /// (the circuit stays loaded).
    private func runLoaded(_ deck: PreparedDeck, _ request: RunRequest, _ control: RunControl, _ library: LoadedLibrary,
                           _ initial: [Diagnostic], loadSeconds: Double) throws -> SimulationResult {
        let sink = library.sink
        var diagnostics = initial
        let plotsBefore = Set(library.plotNames())
        let runStart = DispatchTime.now()
        // The control script first, then the analysis cards unless it quit (the order of `ngspice -b`).
        let (scriptOutput, quitStatus) = try runScript(deck, library, request, control, since: runStart,
                                                       diagnostics: &diagnostics)
        var cardPlots: Set<String> = []
        if quitStatus == nil, !deck.analyses.isEmpty {
            let before = deck.script.isEmpty ? plotsBefore : Set(library.plotNames())
            try inBackground("run", library, request, control, since: runStart, diagnostics: &diagnostics)
            diagnostics += sink.drain()
            if sink.hasExited { throw exited(diagnostics) }
            cardPlots = Set(library.plotNames()).subtracting(before)
        }
        let runSeconds = seconds(since: runStart)

        let simStatus = readSimStatus(library)
        if let failure = FailureClassifier.classifyOutcome(diagnostics, failsOnRecovery: request.failsOnRecovery) {
            throw error(failure, diagnostics, simStatus: simStatus)
        }
        if simStatus == 1, deck.script.isEmpty {
            throw NgspiceError(kind: .simulation, message: "ngspice set $sim_status = 1 without an error message",
                               diagnostics: diagnostics, simStatus: 1, ngspiceVersion: library.version)
        }

        // Copy the results out before anything else can free them.
        // ngspice lists its plots newest first.
        let newPlots = Array(library.plotNames().filter { !plotsBefore.contains($0) && $0 != "const" }.reversed())
        var plots: [Plot] = []
        for name in newPlots {
            let vectors = library.vectorNames(plot: name).compactMap {
                library.copyVector("\(name).\($0)", as: $0.lowercased())
            }
            plots.append(Plot(name: name, vectors: vectors.sorted { $0.name < $1.name }))
        }
        if let raw = request.rawFile, !newPlots.isEmpty {
            // Absolute, because the engine thread's working directory is its own; unquoted,
            // because ngspice's `write` takes quotes literally and then writes nothing.
            let path = URL(fileURLWithPath: raw).path
            guard !path.contains(where: { $0.isWhitespace || "\"';$".contains($0) }) else {
                throw NgspiceError(kind: .invalidCommand,
                                   message: "raw file path must not contain spaces, quotes, ';' or '$': \(path)")
            }
            // Every plot of the run, in order, each as a plot of its own in the file.
            let every = "write \(path) " + newPlots.map { "\($0).all" }.joined(separator: " ")
            if every.utf8.count <= LoadedLibrary.maximumCommandLength {
                try send(library, every)
            } else {
                try send(library, "write \(path) \(newPlots[newPlots.count - 1]).all")
                diagnostics.append(Diagnostic(stream: .stdout, severity: .warning,
                                              text: "the raw file holds the last of \(newPlots.count) plots only: naming them all exceeds ngspice's command length"))
            }
            diagnostics += sink.drain()
        }
        // Free the plots now; without it ngspice keeps every run's vectors.
        try? send(library, "destroy all")
        _ = sink.drain()

        var result = SimulationResult(plots: plots, diagnostics: diagnostics, scriptOutput: scriptOutput,
                                      solver: solver(in: diagnostics, library),
                                      ngspiceVersion: library.version, loadSeconds: loadSeconds,
                                      runSeconds: runSeconds)
        result.quitStatus = quitStatus
        try ResultCheck.verify(result, cardPlots: plots.filter { cardPlots.contains($0.name) }, deck: deck,
                               request: request, simStatus: simStatus)
        return result
    }

    // MARK: Sessions: one load, many runs

    /// Loads `deck` once and gives `body` a session in which element values can be altered and
    /// the analyses rerun without reloading: the batch path for many matrices of one shape
    /// (Monte Carlo, sweeps). `body` runs on the engine's thread; the session is valid only
    /// inside it.
    public func withSession<T: Sendable>(_ deck: PreparedDeck, _ request: RunRequest = RunRequest(),
                                         _ body: @escaping @Sendable (CircuitSession) throws -> T) async throws -> T {
        try await onWorker { control in
            try self.withLoaded(deck, request, control) { library, diagnostics, loadSeconds in
                let session = CircuitSession(engine: self, library: library, deck: deck, request: request,
                                             control: control, diagnostics: diagnostics, loadSeconds: loadSeconds)
                defer { session.isValid = false }
                return try body(session)
            }
        }
    }

    fileprivate func sessionRun(_ session: CircuitSession) throws -> SimulationResult {
        let initial = session.pendingDiagnostics
        session.pendingDiagnostics = []
        let load = session.pendingLoadSeconds
        session.pendingLoadSeconds = 0
        return try runLoaded(session.deck, session.request, session.control, session.library, initial, loadSeconds: load)
    }

    fileprivate func sessionSend(_ session: CircuitSession, _ command: String) throws {
        try send(session.library, command)
        session.pendingDiagnostics += session.library.sink.drain()
        if let failure = FailureClassifier.classify(session.pendingDiagnostics, strict: session.request.strict) {
            throw error(failure, session.pendingDiagnostics, simStatus: nil)
        }
    }

    /// Runs the control script line by line, as ngspice feeds its interpreter, each line in
    /// ngspice's background thread so that the time limit and cancellation reach it. Returns
    /// what it printed and the status it quit with, if it did.
    private func runScript(_ deck: PreparedDeck, _ library: LoadedLibrary, _ request: RunRequest, _ control: RunControl,
                           since start: DispatchTime, diagnostics: inout [Diagnostic]) throws -> ([Diagnostic], Int?) {
        guard !deck.script.isEmpty else { return ([], deck.quitStatus) }
        let sink = library.sink
        let quitVariable = ControlSandbox.quitVariable
        if deck.mayQuitInBlock { try send(library, "set \(quitVariable) = -1") }
        // ngspice sets `inputdir` to the deck's folder when it reads a deck from a file.
        if let directory = deck.directory, !directory.contains(where: { $0.isWhitespace || "\"';$".contains($0) }) {
            try send(library, "set inputdir=\(directory)")
        }
        var output: [Diagnostic] = []
        let topLevel = ControlSandbox.endsAtTopLevel(deck.script)
        for (index, line) in deck.script.enumerated() {
            try inBackground(line.text, library, request, control, since: start, diagnostics: &diagnostics)
            if sink.hasExited { throw exited(diagnostics + sink.drain()) }
            guard topLevel[index] else { continue }  // the line only joined an open block
            // What a background command prints can arrive after the thread says it is done:
            // a marker echoed now comes after all of it, and carries the quit variable.
            let marker = "\(quitVariable)_\(index)="
            try send(library, "echo \(marker)" + (deck.mayQuitInBlock ? "$\(quitVariable)" : "-1"))
            var printed: [Diagnostic] = []
            var status: Int?
            let deadline = DispatchTime.now() + .seconds(2)
            while status == nil, DispatchTime.now() < deadline {
                printed += sink.drain()
                status = printed.lazy.filter { $0.text.hasPrefix(marker) }.compactMap { Int($0.text.dropFirst(marker.count)) }.first
                if status == nil { Thread.sleep(forTimeInterval: 0.0005) }
            }
            printed.removeAll { $0.text.hasPrefix(quitVariable) }
            // The wrapper's own note when one background command follows another.
            output += printed.filter { !$0.text.hasPrefix("Background thread stopped with timeout") }
            diagnostics += printed
            if let status, status >= 0 { return (output, status) }
        }
        return (output, deck.quitStatus)
    }

    /// Sends `command` to run in ngspice's background thread and waits for it, halting it at
    /// the time limit or on cancellation. ngspice checks for a halt only inside transient and
    /// sweep loops; when it cannot stop (an operating point that never converges), the copy
    /// is abandoned with its thread still running and the run reported as stopped.
    private func inBackground(_ command: String, _ library: LoadedLibrary, _ request: RunRequest, _ control: RunControl,
                              since start: DispatchTime, diagnostics: inout [Diagnostic]) throws {
        let sink = library.sink
        // `bg_halt`, `bg_ctrl` and `bg_pstop` are commands of their own to the library.
        if ["halt", "ctrl", "pstop"].contains(command.lowercased()) {
            try send(library, command)
            return
        }
        try send(library, "bg_" + command)
        var haltReason: String?
        var haltedAt: DispatchTime?
        while sink.backgroundFinished.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if let haltedAt {
                if seconds(since: haltedAt) > Self.haltGrace {
                    library.abandon()
                    LibraryCache.give(library)
                    self.library = nil
                    diagnostics += sink.drain()
                    throw abort("\(haltReason ?? "stopped"); ngspice did not stop (it checks for a halt only in transient and sweep loops), so its copy was abandoned", diagnostics)
                }
                continue
            }
            if control.isCancelled {
                haltReason = "cancelled"
            } else if let limit = request.timeLimit, seconds(since: start) > limit {
                haltReason = "time limit of \(SpiceNumber.format(limit) ?? "\(limit)") s reached"
            }
            if haltReason != nil {
                haltedAt = .now()
                if !sink.hasExited { try send(library, "bg_halt") }
            }
        }
        if let haltReason { throw abort(haltReason, diagnostics + sink.drain()) }
    }

    /// Seconds to wait after `bg_halt` (which itself waits up to 1 s) before giving up.
    static let haltGrace = 1.0

    /// KLU or not, and a note when a wish cannot be honoured: KLU refuses `.pz` and `.noise`.
    private func solverChoice(_ preference: SolverPreference, _ deck: PreparedDeck,
                              _ library: LoadedLibrary) throws -> (Bool, Diagnostic?) {
        var wantKLU: Bool
        switch preference {
        case .automatic: wantKLU = library.hasKLU
        case .ngspice: wantKLU = library.hasKLU && deck.deckSolver == .klu
        case .sparse: wantKLU = false
        case .klu:
            guard library.hasKLU else {
                throw NgspiceError(kind: .simulation, message: "KLU requested but ngspice \(library.version) was built without it",
                                   ngspiceVersion: library.version)
            }
            wantKLU = true
        }
        let unsupported = Set(deck.analyses + deck.scriptAnalyses).intersection(["pz", "noise"])
        guard wantKLU, !unsupported.isEmpty else { return (wantKLU, nil) }
        let names = unsupported.sorted().map { "." + $0 }.joined(separator: " and ")
        return (false, Diagnostic(stream: .stdout, severity: .warning,
                                  text: "note: KLU does not support \(names); running Sparse 1.3 instead"))
    }

    private func readyLibrary() throws -> LoadedLibrary {
        if let library, !library.sink.hasExited, !library.isAbandoned { return library }
        // The copy exited fatally: set it aside and take a fresh one.
        if let library {
            configuration.logger.notice("ngspice exited fatally; loading a fresh copy of the library")
            LibraryCache.give(library)
            self.library = nil
        }
        let fresh = try LibraryCache.take(location: location, deviceThreads: configuration.deviceThreads)
        library = fresh
        loads += 1
        return fresh
    }

    private func send(_ library: LoadedLibrary, _ command: String) throws {
        commandLog.append(command)
        try library.send(command)
    }

    /// `destroy all` and `remcirc` after every run: without them ngspice keeps ~55 kB per run.
    ///
    /// Deck options can outlive their circuit as interpreter variables (`.options scale=1u`
    /// of a sky130 deck would shrink the next deck's transistors), so every variable that was
    /// not there when the copy started is unset as well.
    private func cleanUp(_ library: LoadedLibrary) {
        guard !library.sink.hasExited, !library.isAbandoned else { return }
        let baseline = library.baselineVariables
        try? send(library, "destroy all")
        try? send(library, "remcirc")
        for name in library.variableNames().subtracting(baseline).sorted() where SpiceName.isValid(name) {
            try? send(library, "unset \(name)")
        }
        _ = library.sink.drain()
    }

    /// Called right after the run's output was drained, so the echo is all there is to read.
    private func readSimStatus(_ library: LoadedLibrary) -> Int? {
        try? send(library, "echo $sim_status")
        let lines = library.sink.drain()
        return lines.lazy.compactMap { Int($0.text) }.last
    }

    private func solver(in diagnostics: [Diagnostic], _ library: LoadedLibrary) -> Solver {
        for d in diagnostics.reversed() {
            if d.text.contains("Using KLU") { return .klu }
            if d.text.contains("Using SPARSE") { return .sparse }
        }
        // ngspice < 42 prints no solver line and has only Sparse 1.3.
        return library.hasKLU ? .unknown : .sparse
    }

    private func exited(_ diagnostics: [Diagnostic]) -> NgspiceError {
        let words = diagnostics.first { $0.severity == .error }?.text ?? "ngspice called controlled_exit"
        let offending = FailureClassifier.classify(diagnostics)
        return NgspiceError(kind: .libraryExited, message: words, offendingLine: offending?.2, lineNumber: offending?.3,
                            diagnostics: diagnostics, ngspiceVersion: library?.version)
    }

    private func abort(_ reason: String, _ diagnostics: [Diagnostic]) -> NgspiceError {
        NgspiceError(kind: .aborted, message: reason, diagnostics: diagnostics, ngspiceVersion: library?.version)
    }

    private func error(_ failure: (NgspiceError.Kind, String, String?, Int?), _ diagnostics: [Diagnostic],
                       simStatus: Int?) -> NgspiceError {
        NgspiceError(kind: failure.0, message: failure.1, offendingLine: failure.2, lineNumber: failure.3,
                     diagnostics: diagnostics, simStatus: simStatus, ngspiceVersion: library?.version)
    }

}

private func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// A loaded circuit inside `NgspiceEngine.withSession`: alter values, run again.
public final class CircuitSession {
    fileprivate let engine: NgspiceEngine
    fileprivate let library: LoadedLibrary
    fileprivate let deck: PreparedDeck
    fileprivate let request: RunRequest
    fileprivate let control: RunControl
    fileprivate var pendingDiagnostics: [Diagnostic]
    fileprivate var pendingLoadSeconds: Double
    fileprivate var isValid = true
    /// Seconds spent altering values since the session began.
    public private(set) var alterSeconds = 0.0

    fileprivate init(engine: NgspiceEngine, library: LoadedLibrary, deck: PreparedDeck, request: RunRequest,
                     control: RunControl, diagnostics: [Diagnostic], loadSeconds: Double) {
        self.engine = engine; self.library = library; self.deck = deck; self.request = request
        self.control = control; pendingDiagnostics = diagnostics; pendingLoadSeconds = loadSeconds
    }

    /// Sets an instance's principal value (a resistance, a source's DC value) with ngspice's
    /// `alter`. The name is the card name as written in the deck (`Rap_1_2`, `Vin1`).
    public func alter(_ instance: String, to value: Double) throws {
        precondition(isValid, "a CircuitSession is only valid inside withSession")
        let parts = instance.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ SpiceName.isValid(String($0)) }) else {
            throw NgspiceError(kind: .invalidCommand, message: "cannot alter \(instance): not a valid instance name")
        }
        guard let number = SpiceNumber.format(value) else {
            throw NgspiceError(kind: .invalidCommand, message: "cannot alter \(instance) to \(value): not finite")
        }
        let start = DispatchTime.now()
        try engine.sessionSend(self, "alter \(instance) = \(number)")
        alterSeconds += seconds(since: start)
    }

    /// Sets a vector parameter of an instance (`pwl` of a source: its time-value pairs) with
    /// `alter @name[parameter] = [ ... ]`.
    public func alter(_ instance: String, parameter: String, to values: [Double]) throws {
        precondition(isValid, "a CircuitSession is only valid inside withSession")
        guard SpiceName.isValid(instance), SpiceName.isValid(parameter) else {
            throw NgspiceError(kind: .invalidCommand, message: "cannot alter \(instance)[\(parameter)]: not a valid name")
        }
        let numbers = values.map(SpiceNumber.format)
        guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else {
            throw NgspiceError(kind: .invalidCommand, message: "cannot alter \(instance)[\(parameter)]: a value is not finite")
        }
        let start = DispatchTime.now()
        try engine.sessionSend(self, "alter @\(instance.lowercased())[\(parameter)] = [ \(numbers.map { $0! }.joined(separator: " ")) ]")
        alterSeconds += seconds(since: start)
    }

    /// Runs the deck's analyses on the circuit as it now stands.
    public func run() throws -> SimulationResult {
        precondition(isValid, "a CircuitSession is only valid inside withSession")
        return try engine.sessionRun(self)
    }
}

/// Cancellation flag shared between a caller's task and the engine thread.
final class RunControl: @unchecked Sendable {  // Safe: `cancelled` behind `lock`.
    private let lock = NSLock()
    private var cancelled = false
    func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}

/// The checks that catch a run which "succeeded" without producing what it should.
enum ResultCheck {
    /// `cardPlots` are the plots of the deck's analysis cards (the script's plots vary with
    /// what it does, so only their shape is checked).
    static func verify(_ result: SimulationResult, cardPlots: [Plot], deck: PreparedDeck, request: RunRequest,
                       simStatus: Int?) throws {
        func missing(_ message: String) -> NgspiceError {
            NgspiceError(kind: .missingResult, message: message, diagnostics: result.diagnostics,
                         simStatus: simStatus, ngspiceVersion: result.ngspiceVersion)
        }
        if result.quitStatus == nil, cardPlots.count < deck.analyses.count {
            let produced = cardPlots.map(\.name).joined(separator: ", ")
            throw missing("the deck has \(deck.analyses.count) analyses (\(deck.analyses.map { "." + $0 }.joined(separator: ", "))) but ngspice produced \(cardPlots.count) plots (\(produced.isEmpty ? "none" : produced))")
        }
        if result.plots.isEmpty, deck.script.isEmpty {
            throw missing("the deck has no analysis to run")
        }
        for plot in result.plots {
            let expected = plot.scale?.count ?? 1
            if expected == 0 { throw missing("plot \(plot.name) is empty") }
            // A script's `meas` or `let` adds vectors of other lengths to its plots.
            for vector in plot.vectors where vector.count != expected && cardPlots.contains(plot) {
                throw missing("vector \(vector.name) of plot \(plot.name) has \(vector.count) points, expected \(expected)")
            }
            if plot.analysis == "tran", cardPlots.contains(plot), let stop = deck.transientStop, let time = plot.scale?.real.last,
               time < stop * (1 - 1e-6) {
                throw missing("transient stopped at t = \(time) s before its stop time \(stop) s")
            }
        }
        if let wanted = request.vectors {
            guard let last = result.lastPlot else { throw missing("no plot to read \(wanted.joined(separator: ", ")) from") }
            for name in wanted where last[name] == nil {
                let available = last.vectors.map(\.name).prefix(12).joined(separator: ", ")
                throw missing("vector \(name) not found in plot \(last.name) (has: \(available))")
            }
        }
    }
}
