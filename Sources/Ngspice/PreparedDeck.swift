import Foundation
import Netlist

/// Deck text made ready for `ngSpice_Circ`, with what the run must do and produce.
///
/// A deck Crossloop wrote comes straight from the typed `Deck`; a designer's deck comes from
/// `DeckReader`, which resolves its includes and separates its control script. Either way the
/// circuit text holds no include and no control block, so ngspice opens no file and runs no
/// command while it loads.
public struct PreparedDeck: Sendable {
    /// The circuit cards, title first and `.end` last.
    public var lines: [String]
    /// Where each line came from (empty for a deck Crossloop wrote).
    public var origins: [DeckLocation]
    /// The control script, run after the circuit is loaded and before the analysis cards,
    /// as `ngspice -b` runs it. Already checked against the sandbox policy.
    public var script: [ControlLine]
    /// Control lines written `pre_COMMAND`: ngspice runs them (as COMMAND) before it parses
    /// the circuit.
    public var prelude: [ControlLine]
    /// The script ends with `quit` (and this status): the analysis cards are not run after it.
    public var quitStatus: Int?
    /// A `quit` inside a block may end the script early (see `ControlSandbox.quits`).
    public var mayQuitInBlock: Bool
    /// Analysis cards, in order (`op`, `tran`, `ac`, `dc`, ...).
    public var analyses: [String]
    /// Analyses the control script runs (`tran`, `pz`, ...), for the solver's choice.
    public var scriptAnalyses: [String]
    /// Stop time of the first `.tran`, to check that the transient reached it.
    public var transientStop: Double?
    /// The deck's folder, ngspice's `inputdir` variable (nil for a deck Crossloop wrote).
    public var directory: String?
    /// The solver the deck's own `.options` ask for (`klu` or `sparse`), if any.
    public var deckSolver: Solver?
    /// Notes about changes made to the text.
    public var notes: [Diagnostic]

    /// A typed deck: its lines come straight from the writer and its analyses are known.
    public init(deck: Deck) throws {
        lines = try NetlistWriter().formatLines(deck, includeControl: false)
        origins = []
        script = []
        prelude = []
        quitStatus = nil
        mayQuitInBlock = false
        scriptAnalyses = []
        analyses = deck.analyses.map { analysis in
            switch analysis {
            case .operatingPoint: "op"
            case .dcSweep: "dc"
            case .transient: "tran"
            case .ac: "ac"
            }
        }
        directory = nil
        transientStop = deck.analyses.lazy.compactMap { if case .transient(let t) = $0 { t.stop } else { nil } }.first
        deckSolver = nil
        notes = []
        if !deck.control.isEmpty {
            notes.append(Diagnostic(stream: .stdout, severity: .warning,
                                    text: ".control block skipped; Crossloop runs the deck's analysis cards itself"))
        }
    }

    /// Deck text that is not in a file, read as `DeckReader` reads one; relative includes
    /// resolve against `directory` (default: the working directory), within the default
    /// sandbox of a deck there.
    public init(text: String, directory: String? = nil) throws {
        let directory = directory ?? FileManager.default.currentDirectoryPath
        self = try DeckReader.read(text: text, directory: directory, policy: .forDeck(in: directory))
    }

    /// The cards of a read deck: analyses, solver options and sizes are taken from them.
    init(circuit: [String], origins: [DeckLocation], script: [ControlLine], directory: String, limits: DeckLimits) throws {
        lines = circuit
        self.directory = directory
        self.origins = origins
        // As in `ngspice -b`, plotting commands are ignored: there is no display.
        var script = script
        var ignored: [Diagnostic] = []
        script.removeAll { line in
            let name = line.text.prefix { !" \t".contains($0) }.lowercased()
            guard ControlSandbox.batchIgnored.contains(name) else { return false }
            ignored.append(Diagnostic(stream: .stderr, severity: .warning,
                                      text: "\(line.location): \(name) is not available during batch simulation, ignored"))
            return true
        }
        prelude = script.filter { $0.text.lowercased().hasPrefix("pre_") && !$0.isCommentLine }
            .map { ControlLine(text: String($0.text.dropFirst(4)), location: $0.location) }
        let (kept, status, nested) = ControlSandbox.quits(script.filter { !$0.text.lowercased().hasPrefix("pre_") || $0.isCommentLine })
        self.script = kept
        quitStatus = status
        mayQuitInBlock = nested
        notes = ignored
        analyses = []
        scriptAnalyses = []
        transientStop = nil
        deckSolver = nil

        func checkSize(_ words: [String], at location: DeckLocation?) throws {
            do {
                if let points = try AnalysisSize.points(words), points > limits.maximumPoints {
                    throw DeckRefusal(.analysisSize, at: location,
                                      "\(words.joined(separator: " ")) asks for \(Self.count(points)) points, over the limit of \(Self.count(limits.maximumPoints)); raise --max-points to run it")
                }
            } catch let error as AnalysisSize.SizeError {
                throw DeckRefusal(.analysisSize, at: location, "\(words.joined(separator: " ")): \(error.message)")
            }
        }
        var autostop = false
        for (index, card) in Self.logicalCards(circuit).enumerated() where index > 0 {
            let words = card.text.lowercased().split(whereSeparator: { " \t,()=".contains($0) }).map(String.init)
            guard let keyword = words.first, keyword.hasPrefix(".") else { continue }
            let location = card.line < origins.count ? origins[card.line] : nil
            switch keyword {
            case _ where Self.analysisKinds.contains(String(keyword.dropFirst())):
                analyses.append(String(keyword.dropFirst()))
                var bare = words
                bare[0] = String(keyword.dropFirst())
                try checkSize(bare, at: location)
                if keyword == ".tran", transientStop == nil, words.count >= 3 { transientStop = SpiceNumber.parse(words[2]) }
            case _ where keyword.hasPrefix(".opt"):
                // `autostop` ends a transient once its measurements are done.
                if words.contains("autostop") { autostop = true }
                if words.contains("klu") { deckSolver = .klu }
                if words.contains("sparse") { deckSolver = .sparse }
            default:
                break
            }
        }
        if autostop { transientStop = nil }
        for line in kept {
            for command in ControlSandbox.commands(in: line.text) {
                let words = command.map { $0.lowercased() }
                guard let name = words.first else { continue }
                if Self.analysisKinds.contains(name) {
                    scriptAnalyses.append(name)
                    try checkSize(words, at: line.location)
                }
                if name == "option" || name == "options", words.contains("klu") { deckSolver = .klu }
            }
        }
    }

    /// The analyses ngspice runs, as cards (`.tran`) and as control commands (`tran`).
    static let analysisKinds: Set<String> = ["op", "tran", "ac", "dc", "noise", "tf", "sens", "pz", "disto", "pss", "sp"]

    /// Cards with their `+` continuation lines joined, and the index of their first line.
    static func logicalCards(_ lines: [String]) -> [(line: Int, text: String)] {
        var cards: [(line: Int, text: String)] = []
        for (index, line) in lines.enumerated() {
            if index > 0, line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("+"), let last = cards.popLast() {
                cards.append((last.line, last.text + " " + line.drop(while: { $0 == " " || $0 == "\t" }).dropFirst()))
            } else {
                cards.append((index, line))
            }
        }
        return cards
    }

    static func count(_ value: Double) -> String {
        value >= 1e15 || !value.isFinite ? String(format: "%.3g", value) : String(format: "%.0f", value)
    }
}
