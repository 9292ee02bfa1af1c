/// One line ngspice printed, classified. ngspice prefixes every printed line with the
/// stream it meant (`stdout ` / `stderr `); progress lines carry no prefix.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Stream: String, Sendable, Hashable { case stdout, stderr, progress }
    public enum Severity: String, Sendable, Hashable { case info, warning, error }

    public var stream: Stream
    public var severity: Severity
    public var text: String

    public init(stream: Stream, severity: Severity, text: String) {
        self.stream = stream; self.severity = severity; self.text = text
    }

    public var description: String { "[\(severity.rawValue)] \(text)" }

    /// Classifies one raw line from the `SendChar` callback.
    ///
    /// Solver banners, `Note:` lines, gmin/source-stepping progress and XSPICE notices are
    /// information even on stderr; `Warning` lines are warnings; `Error`, `MIF-ERROR`, failed
    /// analyses and aborted runs are errors. Unknown stderr lines count as warnings: visible,
    /// but never on their own a failure (failure is decided by `RunOutcome`).
    public static func classify(_ raw: String) -> Diagnostic {
        var line = Substring(raw)
        let stream: Stream
        if line.hasPrefix("stdout ") || line == "stdout" {
            stream = .stdout; line = line.dropFirst(min(7, line.count))
        } else if line.hasPrefix("stderr ") || line == "stderr" {
            stream = .stderr; line = line.dropFirst(min(7, line.count))
        } else {
            stream = .progress
        }
        let text = line.trimmingCharacters(in: " \t\r\n")
        return Diagnostic(stream: stream, severity: severity(of: text, stream: stream), text: text)
    }

    static func severity(of text: String, stream: Stream) -> Severity {
        let lower = text.lowercased()
        switch stream {
        case .progress:
            return .info
        case .stdout:
            // Standard output carries listings and echoes of user text (the title in
            // "Circuit: ..."), so only explicit failures count there.
            if lower.hasPrefix("error") || lower.contains("dc solution failed") || lower.hasPrefix("run simulation(s) aborted") {
                return .error
            }
            return lower.hasPrefix("warning") ? .warning : .info
        case .stderr:
            for marker in informationMarkers where lower.contains(marker) { return .info }
            for marker in errorMarkers where lower.contains(marker) { return .error }
            if lower.hasPrefix("error") || lower.hasPrefix("mif-error") { return .error }
            if lower.hasPrefix("note:") { return .info }
            return .warning
        }
    }

    /// Phrases that mean the run failed, whatever the stream.
    /// "singular matrix" and "timestep too small" are not among them: ngspice recovers from
    /// them (gmin and source stepping, a transient operating point) more often than not.
    static let errorMarkers = [
        "run simulation(s) aborted",
        "run simulation interrupted",
        "simulation interrupted due to error",
        "could not find a valid modelname",
        "unknown subckt",
        "unable to find definition of model",
        "dc solution failed",
        "cannot recover and awaits",
        "fatal error",
    ]

    /// Phrases that are progress or information even when printed on stderr.
    static let informationMarkers = [
        "as direct linear solver",
        "gmin step",
        "source step",
        "trying gmin",
        "supplies reduced",
        "transient op started",
        "transient op finished",
        "reducing trtol",
        "background thread stopped",
        "prepared to start controls",
        "doing analysis at temp",
    ]
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
