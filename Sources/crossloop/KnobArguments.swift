import ArgumentParser
import Foundation
import Specification

/// The command line as a view of ``Knob/table``: every knob of a command is a flag
/// `--name VALUE` (`--name=VALUE`, and `--name` / `--no-name` for true/false knobs) that the
/// table parses, checks and documents, so no command declares them one by one.
enum KnobArguments {
    /// Reads `tokens` (what ArgumentParser left unrecognised) as knob flags among `knobs`.
    static func parse(_ tokens: [String], knobs: [Knob]) throws -> [(name: String, value: KnobValue)] {
        var entries: [(name: String, value: KnobValue)] = []
        var index = 0
        func knob(_ spelling: String) throws -> Knob {
            if let knob = Knob.named(spelling), knobs.contains(where: { $0.name == knob.name }) { return knob }
            let suggestion = Knob.suggestion(for: spelling, among: knobs).map { "; did you mean --\($0.name)?" } ?? ""
            if Knob.named(spelling) != nil { throw UsageError("--\(Quantity.echo(spelling)) does not apply to this command\(suggestion)") }
            throw UsageError("unknown option --\(Quantity.echo(spelling))\(suggestion) (--help lists the options)")
        }
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard token.hasPrefix("--"), token.count > 2 else {
                throw UsageError("unexpected argument '\(Quantity.echo(token))' (--help lists the options)")
            }
            let body = token.dropFirst(2)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let spelling = String(parts[0])
            if spelling.hasPrefix("no-"), parts.count == 1, let flag = Knob.named(String(spelling.dropFirst(3))),
               case .flag = flag.kind {
                _ = try knob(flag.name)
                entries.append((flag.name, .flag(false)))
                continue
            }
            let found = try knob(spelling)
            if parts.count == 2 {
                entries.append((found.name, .text(String(parts[1]))))
            } else if case .flag = found.kind {
                entries.append((found.name, .flag(true)))
            } else {
                // The next token is the value, even when it starts with '-' (`--offset -10m`).
                guard index < tokens.count else { throw UsageError("--\(spelling) needs a value: \(found.requirement)") }
                entries.append((found.name, .text(tokens[index])))
                index += 1
            }
        }
        return entries
    }

    /// The help of `knobs`: each flag with its value on a line, then what it does, its allowed
    /// values and its default as a user types them, wrapped under it (ArgumentParser keeps
    /// lines that fit).
    static func help(_ knobs: [Knob], title: String = "Design and analysis options") -> String {
        let entries = knobs.map { knob -> String in
            let flag: String
            if case .flag = knob.kind { flag = "--\(knob.name), --no-\(knob.name)" } else { flag = "--\(knob.name) <\(knob.valueName)>" }
            let aliases = knob.aliases.isEmpty ? "" : " Also --\(knob.aliases.joined(separator: ", --"))."
            let allowed: String
            switch knob.kind {
            case .choice, .flag, .text: allowed = ""
            default: allowed = "; \(knob.requirement)"
            }
            let text = "\(knob.help.prefix(1).uppercased() + knob.help.dropFirst())\(allowed). Default: \(knob.defaultText).\(aliases)"
            return (["  \(flag)"] + wrapped(text, width: 72).map { "      \($0)" }).joined(separator: "\n")
        }
        let footer = wrapped("Numbers take SPICE scales (f p n u m k meg g t) and the unit: 10meg, 10megHz, 2.5k, -10m. M alone is refused: SPICE reads it as milli.", width: 76)
        return "\(title.uppercased()):\n" + entries.joined(separator: "\n") + "\n\n" + footer.joined(separator: "\n")
    }

    /// `text` broken at spaces into lines of at most `width` characters.
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// The knobs of the commands that build and judge a circuit (`solve`, `generate`).
    static let solveKnobs = Knob.knobs(in: [.design, .conditions, .plan, .policy, .limits])
    /// `analyze` predicts without simulating: the design and the settling bits.
    static let analyzeKnobs = Knob.knobs(in: [.design]) + [Knob.named("settling-bits")!]
    /// `characterize` measures a technology's blocks.
    static let technologyKnobs = ["technology", "corner", "temperature", "supply"].map { Knob.named($0)! }
    /// `crossloop run` workloads: the primitives' design and analysis.
    static let workloadKnobs = Knob.knobs(in: [.design, .plan, .policy, .limits])
}
