/// A failed simulation, in ngspice's own words.
///
/// Holds the kind of failure, the line of ngspice output that says so, the offending deck
/// line when ngspice names one, every classified diagnostic of the run, `$sim_status`, and
/// the library version, much as a database error holds a code, a message and the SQL.
public struct NgspiceError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The library or its symbols could not be found or loaded.
        case libraryUnavailable
        /// The deck did not parse (syntax, unknown parameter, bad card).
        case parse
        /// A device names a model that is not defined (or an XSPICE code model not loaded).
        case unknownModel
        /// An `X` instance names a subcircuit that is not defined.
        case unknownSubcircuit
        /// The matrix is singular, typically a floating node or a loop of voltage sources.
        case singularMatrix
        /// The operating point did not converge (gmin and source stepping failed).
        case noConvergence
        /// The transient gave up: timestep too small.
        case timestepTooSmall
        /// The run was stopped: cancelled by the caller or over its time limit.
        case aborted
        /// The library exited fatally (`controlled_exit`); the engine reloads it.
        case libraryExited
        /// The run ended without a plot or vector it should have produced.
        case missingResult
        /// A command could not be sent (too long, contains a newline).
        case invalidCommand
        /// Any other error ngspice reported.
        case simulation
    }

    public var kind: Kind
    /// ngspice's own words for the failure (or Crossloop's, when ngspice said nothing).
    public var message: String
    /// The deck line ngspice complained about, when it named one.
    public var offendingLine: String?
    /// 1-based line number in the deck text, when ngspice gave one.
    public var lineNumber: Int?
    /// Every classified line of the run.
    public var diagnostics: [Diagnostic]
    /// `$sim_status` after the run (0 success, 1 failure), nil when not read.
    public var simStatus: Int?
    public var ngspiceVersion: String?

    public init(kind: Kind, message: String, offendingLine: String? = nil, lineNumber: Int? = nil,
                diagnostics: [Diagnostic] = [], simStatus: Int? = nil, ngspiceVersion: String? = nil) {
        self.kind = kind; self.message = message; self.offendingLine = offendingLine
        self.lineNumber = lineNumber; self.diagnostics = diagnostics; self.simStatus = simStatus
        self.ngspiceVersion = ngspiceVersion
    }

    /// One line: what failed, ngspice's words and the offending line.
    public var description: String {
        var text = "\(kind.summary): \(message)"
        if let offendingLine {
            let at = lineNumber.map { "line \($0): " } ?? ""
            text += " (\(at)`\(offendingLine)`)"
        }
        return text
    }
}

extension NgspiceError {
    /// The model or subcircuit ngspice could not find, from its own words: `can't find model
    /// 'nch'` names the model; `unknown subckt: x1 a b ota` ends with the subcircuit.
    public var missingName: String? {
        for d in diagnostics {
            let lower = d.text.lowercased()
            if let range = lower.range(of: "can't find model '") {
                return String(lower[range.upperBound...].prefix { $0 != "'" })
            }
            if let range = lower.range(of: "unknown subckt:") {
                return lower[range.upperBound...].split(separator: " ").last { !$0.contains("=") }.map(String.init)
            }
        }
        return nil
    }
}

extension NgspiceError.Kind {
    var summary: String {
        switch self {
        case .libraryUnavailable: return "libngspice unavailable"
        case .parse: return "ngspice parse error"
        case .unknownModel: return "unknown model"
        case .unknownSubcircuit: return "unknown subcircuit"
        case .singularMatrix: return "singular matrix"
        case .noConvergence: return "no convergence"
        case .timestepTooSmall: return "timestep too small"
        case .aborted: return "simulation aborted"
        case .libraryExited: return "ngspice exited fatally"
        case .missingResult: return "missing simulation result"
        case .invalidCommand: return "invalid ngspice command"
        case .simulation: return "simulation failed"
        }
    }
}

/// Turns the diagnostics of a failed run into the most specific error.
enum FailureClassifier {
    /// The failure of a run's load phase: any error, and in strict mode an element line that
    /// ngspice ignored.
    static func classify(_ diagnostics: [Diagnostic], strict: Bool = true) -> (NgspiceError.Kind, String, String?, Int?)? {
        if strict, let ignored = diagnostics.first(where: isIgnoredLine) {
            let quoted = ignored.text.split(separator: "'", omittingEmptySubsequences: false)
            let line = quoted.count >= 3 ? String(quoted[1]) : nil
            return (.parse, ignored.text.replacingPrefix("Warning: ", with: "") + " (run with --lenient to go on without it)",
                    line, nil)
        }
        return classify(diagnostics)
    }

    /// The failure of a run's analyses: only what ngspice itself counts as a failed
    /// simulation. Intermediate warnings ("singular matrix", "timestep too small") are
    /// followed by ngspice's own recovery (gmin and source stepping, a transient operating
    /// point) and decide nothing unless the run then gives up.
    /// With `failsOnRecovery`, a warning that made ngspice recover fails the run as well.
    static func classifyOutcome(_ diagnostics: [Diagnostic], failsOnRecovery: Bool = false)
        -> (NgspiceError.Kind, String, String?, Int?)?
    {
        let failed = diagnostics.contains { d in
            d.severity == .error && outcomeMarkers.contains { d.text.lowercased().contains($0) }
        }
        if failed { return classify(diagnostics) ?? (.simulation, "ngspice gave up", nil, nil) }
        guard failsOnRecovery else { return nil }
        if let text = firstMention("singular matrix", in: diagnostics) {
            return (.singularMatrix, singularMatrixDetail(text) + " (ngspice recovered by stepping; the circuit has a defect)",
                    nil, nil)
        }
        if let text = firstMention("timestep too small", in: diagnostics) { return (.timestepTooSmall, text, nil, nil) }
        return nil
    }

    static let outcomeMarkers = [
        "run simulation(s) aborted", "simulation interrupted due to error", "dc solution failed",
        "cannot recover and awaits", "fatal error", "could not be simulated successfully",
    ]

    /// "Warning: 'r1 a' is not a valid resistor instance line, ignored!"
    static func isIgnoredLine(_ d: Diagnostic) -> Bool {
        let lower = d.text.lowercased()
        return lower.hasPrefix("warning") && lower.contains("instance line") && lower.contains("ignored")
    }

    static func classify(_ diagnostics: [Diagnostic]) -> (NgspiceError.Kind, String, String?, Int?)? {
        let errors = diagnostics.enumerated().filter { $0.element.severity == .error }
        guard !errors.isEmpty else { return nil }
        var offending: String?
        var lineNumber: Int?
        // "Error on line 2 or its substitute:" is followed by the line and then the reason.
        for (index, d) in diagnostics.enumerated() {
            let lower = d.text.lowercased()
            if lower.hasPrefix("error on line"), index + 1 < diagnostics.count {
                offending = diagnostics[index + 1].text
                lineNumber = Int(lower.dropFirst("error on line".count).prefix { $0 == " " || $0.isNumber }
                    .trimmingCharacters(in: " "))
                break
            }
            if lower.hasPrefix("warning, can't find model"), index + 1 < diagnostics.count, offending == nil {
                offending = diagnostics[index + 1].text
            }
        }
        func first(_ phrase: String) -> String? { firstMention(phrase, in: diagnostics) }
        if let text = first("unknown subckt") {
            let card = text.components(separatedBy: ": ").dropFirst().joined(separator: ": ")
            return (.unknownSubcircuit, text, card.isEmpty ? offending : card, lineNumber)
        }
        if let text = first("could not find a valid modelname") ?? first("unable to find definition of model") {
            var message = text
            if text.lowercased().contains("unable to find definition of model") {
                message += "; XSPICE code models are not loaded (install the `ngspice` package)"
            }
            return (.unknownModel, message, offending, lineNumber)
        }
        if offending != nil, let reason = diagnosticAfterOffendingLine(diagnostics) {
            return (.parse, reason, offending, lineNumber)
        }
        if let text = first("could not find include file") {
            return (.parse, text, nil, nil)
        }
        if let text = first("singular matrix") {
            return (.singularMatrix, singularMatrixDetail(text), nil, nil)
        }
        if let text = first("tran:  timestep too small") ?? first("tran: timestep too small") {
            return (.timestepTooSmall, text, nil, nil)
        }
        if let text = first("timestep too small") ?? first("operating point could not be simulated")
            ?? first("dc solution failed") {
            let detail = first("trouble with node") ?? text
            return (.noConvergence, detail, nil, nil)
        }
        if let text = first("simulation interrupted") ?? first("pause requested") {
            return (.aborted, text, nil, nil)
        }
        if let text = first("circuit not parsed") ?? first("there aren't any circuits loaded") {
            return (.parse, text, offending, lineNumber)
        }
        let text = errors[0].element.text
        return (.simulation, text, offending, lineNumber)
    }

    /// The first line that mentions `phrase`, among lines that are not plain information: the
    /// title echo ("Circuit: ...") may contain any words.
    static func firstMention(_ phrase: String, in diagnostics: [Diagnostic]) -> String? {
        diagnostics.first { $0.severity != .info && $0.text.lowercased().contains(phrase) }?.text
    }

    /// "Warning: singular matrix:  check node 3" -> "check node 3" (the kind already says it).
    static func singularMatrixDetail(_ text: String) -> String {
        text.replacingPrefix("Warning: ", with: "").replacingPrefix("singular matrix:", with: "").trimmingCharacters(in: " ")
    }

    /// The reason ngspice gives after quoting the offending line.
    static func diagnosticAfterOffendingLine(_ diagnostics: [Diagnostic]) -> String? {
        guard let index = diagnostics.firstIndex(where: { $0.text.lowercased().hasPrefix("error on line") }),
              index + 2 < diagnostics.count else { return nil }
        return diagnostics[index + 2].text
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
