import Foundation
import Netlist

/// Deck text made ready for `ngSpice_Circ`, with what the run must produce.
///
/// From raw text: `.control` blocks are removed (the engine runs the deck's analyses itself;
/// a block could `quit` the library or write files) with a warning, relative `.include` and
/// `.lib` paths are made absolute against the deck's directory (default: the process's working
/// directory, so they never depend on the engine thread's own), and a missing `.end` is added.
/// The analysis cards are noted so that a run that silently produced nothing is caught.
public struct PreparedDeck: Sendable {
    public var lines: [String]
    /// Analyses found in the deck, in order (`op`, `tran`, `ac`, `dc`, ...).
    public var analyses: [String]
    /// Stop time of the first `.tran`, to check that the transient reached it.
    public var transientStop: Double?
    /// Notes about changes made to the text.
    public var notes: [Diagnostic]

    /// A typed deck: its lines come straight from the writer and its analyses are known.
    public init(deck: Deck) throws {
        lines = try NetlistWriter().formatLines(deck, includeControl: false)
        analyses = deck.analyses.map { analysis in
            switch analysis {
            case .operatingPoint: "op"
            case .dcSweep: "dc"
            case .transient: "tran"
            case .ac: "ac"
            }
        }
        transientStop = deck.analyses.lazy.compactMap { if case .transient(let t) = $0 { t.stop } else { nil } }.first
        notes = []
        if !deck.control.isEmpty {
            notes.append(Diagnostic(stream: .stdout, severity: .warning,
                                    text: ".control block skipped; Crossloop runs the deck's analysis cards itself"))
        }
    }

    public init(text: String, directory: String? = nil) throws {
        let directory = directory ?? FileManager.default.currentDirectoryPath
        var out: [String] = []
        var notes: [Diagnostic] = []
        var analyses: [String] = []
        var transientStop: Double?
        var inControl = false
        var sawEnd = false
        let rawLines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        guard rawLines.contains(where: { !$0.trimmingCharacters(in: " \t").isEmpty }) else {
            throw NgspiceError(kind: .parse, message: "the deck is empty")
        }
        // Continuation lines belong to the card above; join them to read analysis cards.
        var logical: [(index: Int, text: String)] = []
        for (index, raw) in rawLines.enumerated() {
            let line = String(raw)
            if index > 0, line.hasPrefix("+"), let last = logical.popLast() {
                logical.append((last.index, last.text + " " + line.dropFirst()))
            } else {
                logical.append((index, line))
            }
        }
        for (position, entry) in logical.enumerated() {
            let line = entry.text
            if position == 0 {  // the title line is never a card
                out.append(line)
                continue
            }
            let trimmed = line.trimmingCharacters(in: " \t")
            let lower = trimmed.lowercased()
            let keyword = lower.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            if inControl {
                if keyword == ".endc" { inControl = false }
                continue
            }
            if keyword == ".control" {
                inControl = true
                notes.append(Diagnostic(stream: .stdout, severity: .warning,
                                        text: "line \(entry.index + 1): .control block skipped; Crossloop runs the deck's analysis cards itself"))
                continue
            }
            if sawEnd { continue }
            switch keyword {
            case ".end":
                sawEnd = true
                out.append(line)
                continue
            case ".op", ".tran", ".ac", ".dc", ".noise", ".tf", ".sens", ".pz", ".disto":
                analyses.append(String(keyword.dropFirst()))
                if keyword == ".tran", transientStop == nil {
                    let fields = lower.split(whereSeparator: { $0 == " " || $0 == "\t" })
                    if fields.count >= 3 { transientStop = SpiceNumber.parse(String(fields[2])) }
                }
            case ".include", ".inc", ".lib":
                if let rewritten = Self.absoluteInclude(trimmed, keyword: keyword, directory: directory) {
                    out.append(rewritten)
                    continue
                }
            default:
                break
            }
            out.append(line)
        }
        if !sawEnd { out.append(".end") }
        self.lines = out
        self.analyses = analyses
        self.transientStop = transientStop
        self.notes = notes
    }

    /// `.include sub/x.lib` -> `.include "/abs/dir/sub/x.lib"` (quotes kept or added).
    static func absoluteInclude(_ line: String, keyword: String, directory: String) -> String? {
        let rest = line.dropFirst(keyword.count).trimmingCharacters(in: " \t")
        guard !rest.isEmpty else { return nil }
        var path: String
        var tail = ""
        if rest.hasPrefix("\"") || rest.hasPrefix("'") {
            let quote = rest.first!
            let body = rest.dropFirst()
            guard let close = body.firstIndex(of: quote) else { return nil }
            path = String(body[..<close])
            tail = String(body[body.index(after: close)...])
        } else {
            let parts = rest.split(separator: " ", maxSplits: 1)
            path = String(parts[0])
            tail = parts.count > 1 ? " " + parts[1] : ""
        }
        if path.hasPrefix("/") || path.hasPrefix("~") { return nil }
        path = URL(fileURLWithPath: directory).appendingPathComponent(path).standardized.path
        return "\(keyword) \"\(path)\"\(tail)"
    }
}
