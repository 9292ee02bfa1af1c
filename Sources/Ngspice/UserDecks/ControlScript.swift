import Foundation

/// One line of a deck's control script: a line of a `.control` block or a `*#` line.
public struct ControlLine: Sendable, Hashable {
    public var text: String
    public var location: DeckLocation
    /// A `*#` line: ngspice passes it on as written, comments and all.
    public var isCommentLine: Bool
    public init(text: String, location: DeckLocation, isCommentLine: Bool = false) {
        self.text = text; self.location = location; self.isCommentLine = isCommentLine
    }
}

/// The commands of a control script, split as ngspice's interpreter splits them, and the
/// sandbox check of each.
///
/// The check is a list of what is known to stay inside the simulation; anything else is
/// refused unless the policy allows programs to run. Commands that write or read files are
/// allowed when their path is written out literally and lies inside the policy's folders.
/// A path or a command built from variables (`$name`) or from a back-quoted command cannot
/// be checked before it runs and is refused.
public enum ControlSandbox {
    /// Commands that compute, print, alter or run analyses: nothing outside the simulation.
    static let inside: Set<String> = [
        "ac", "alter", "altermod", "alterparam", "asciiplot", "break", "cdump", "check", "cutout", "compose", "continue", "cross",
        "dc", "define", "deftype", "delete", "destroy", "devhelp", "diff", "disto", "display", "dowhile",
        "echo", "else", "end", "eprint", "eprvcd", "fft", "foreach", "fourier", "goto", "help", "if",
        "inventory", "iplot", "label", "let", "linearize", "listing", "meas", "measure", "noise",
        "op", "option", "options", "optran", "print", "psd", "pss", "pz", "quit", "exit", "remcirc",
        "remzerovec", "repeat", "reset", "reshape", "resume", "rusage", "save", "sens", "set", "setcirc",
        "setplot", "setscale", "setseed", "settype", "shift", "show", "showmod", "sp", "spec", "state",
        "status", "step", "stop", "strcmp", "sysinfo", "tf", "trace", "tran", "transpose", "unalias",
        "undefine", "unlet", "unset", "version", "where", "while", "getcwd", "esave", "edisplay",
    ]

    /// Commands `ngspice -b` ignores with a warning: there is no display in batch mode.
    static let batchIgnored: Set<String> = ["plot", "iplot"]

    /// Commands that write a file named by their first argument.
    static let writers: Set<String> = ["run", "write", "wrdata", "wrs2p", "wrnodev", "snsave", "hardcopy", "mdump", "mrdump"]
    /// Commands that read a file named by their first argument.
    static let readers: Set<String> = ["load", "snload"]
    /// Control structures: their arguments are expressions, not redirections.
    static let structures: Set<String> = ["if", "while", "dowhile", "repeat", "foreach", "else", "end", "label", "goto",
                                          "break", "continue"]
    /// Variables whose value is a path ngspice writes to or searches, or that let unknown
    /// words run as programs.
    static let pathVariables: Set<String> = ["rawfile", "sourcepath", "controlswait", "inputdir", "unixcom"]

    /// Refuses `line` unless `policy` allows everything it would do. Relative paths resolve
    /// against the policy's working directory, as the interpreter resolves them.
    public static func vet(_ line: ControlLine, policy: SandboxPolicy) throws {
        let workingDirectory = policy.workingDirectory
        func refuse(_ message: String) -> DeckRefusal { DeckRefusal(.sandbox, at: line.location, message) }
        if line.text.utf8.count > maximumLineLength {
            throw DeckRefusal(.text, at: line.location,
                              "control line of \(line.text.utf8.count) characters; ngspice's interpreter cuts lines at \(maximumLineLength)")
        }
        if policy.allowsShell { return }
        if line.text.contains("`") {
            throw refuse("a back-quoted command runs a program; pass --allow-shell to run it")
        }
        // A value holding `;`, `<` or `>` separates or redirects commands wherever a variable
        // made of it is used later.
        let firstWord = line.text.prefix { !" \t".contains($0) }.lowercased()
        if firstWord != "echo", quotedText(line.text).contains(where: { ";<>".contains($0) }) {
            throw refuse("a quoted ';', '<' or '>' would separate or redirect commands where it is substituted; pass --allow-shell to run it")
        }
        for command in commands(in: line.text) {
            guard var name = command.first?.lowercased() else { continue }
            // `pre_COMMAND` is COMMAND, run before the circuit is parsed.
            if name.hasPrefix("pre_"), name.count > 4 { name = String(name.dropFirst(4)) }
            // ngspice closes a block at any word starting with `end` (`endif`, `endwhile`).
            if name.hasPrefix("end") { continue }
            if name.contains("$") || name.hasPrefix("!") {
                throw refuse("`\(command[0])`: a command named through a variable or the history cannot be checked; pass --allow-shell to run it")
            }
            let arguments = Array(command.dropFirst())
            if !structures.contains(name) {
                for (target, writes) in redirections(arguments) {
                    try vetPath(target, writes: writes, policy: policy, workingDirectory: workingDirectory, line: line,
                                what: "redirection of \(name)")
                }
            }
            let plain = structures.contains(name) ? arguments : withoutRedirections(arguments)
            if writers.contains(name) {
                if let target = plain.first {
                    try vetPath(target, writes: true, policy: policy, workingDirectory: workingDirectory, line: line, what: name)
                }
                continue
            }
            if readers.contains(name) {
                if let target = plain.first {
                    try vetPath(target, writes: false, policy: policy, workingDirectory: workingDirectory, line: line, what: name)
                }
                continue
            }
            if name == "set" || name == "setcs" {
                let assignment = plain.joined(separator: " ")
                let variable = assignment.prefix { $0 != "=" && $0 != " " }.lowercased()
                if pathVariables.contains(variable) {
                    throw refuse("`set \(variable)` changes where ngspice reads or writes; pass --allow-shell to run it")
                }
                continue
            }
            guard inside.contains(name) || batchIgnored.contains(name) else {
                let hint = ["shell", "cd", "source", "codemodel", "osdi"].contains(name)
                    ? "it reaches outside the simulation" : "it is not a command Crossloop's sandbox knows to stay inside the simulation"
                throw refuse("`\(name)`: \(hint); pass --allow-shell to run it")
            }
        }
    }

    /// The characters inside quotes.
    static func quotedText(_ text: String) -> String {
        var out = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { out.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            }
        }
        return out
    }

    /// Control lines as ngspice's reader leaves them: end-of-line comments (`;` past the
    /// first column, `$ ` and `//`, outside quotes) cut, `+` continuations joined, lines
    /// starting with `$` dropped, and lowercased except where case is data (file names,
    /// echoed text, shell commands).
    static func preprocess(_ lines: [ControlLine]) -> [ControlLine] {
        var out: [ControlLine] = []
        for line in lines {
            var text = line.isCommentLine ? line.text : stripComments(line.text)
            text = text.trimmingCharacters(in: " \t")
            if text.isEmpty { continue }
            if text.hasPrefix("+"), let last = out.popLast() {
                out.append(ControlLine(text: last.text + " " + text.dropFirst().trimmingCharacters(in: " \t"),
                                       location: last.location, isCommentLine: last.isCommentLine))
                continue
            }
            if text.hasPrefix("$") { continue }
            out.append(ControlLine(text: text, location: line.location, isCommentLine: line.isCommentLine))
        }
        return out.map {
            let text = $0.isCommentLine ? $0.text : squeezed(lowercased($0.text))
            return ControlLine(text: text, location: $0.location, isCommentLine: $0.isCommentLine)
        }
    }

    /// Runs of blanks become one space outside quotes, except on `echo` lines, as ngspice's
    /// reader leaves them; on `meas` lines the blanks around `=` go too (`from = 1n` is read
    /// as `from=1n` by plain ngspice, and `meas` fails on it otherwise). Elsewhere they stay:
    /// `set x = ( 1 2 )` is a list, `set x=( 1 2 )` is not.
    static func squeezed(_ text: String) -> String {
        let lower = text.lowercased()
        if lower.hasPrefix("echo") { return text }
        let joinsEquals = lower.hasPrefix("meas")
        var out = ""
        var quote: Character?
        var pendingBlank = false
        for character in text {
            if let open = quote {
                out.append(character)
                if character == open { quote = nil }
                continue
            }
            if character == " " || character == "\t" { pendingBlank = true; continue }
            if joinsEquals, character == "=" {
                pendingBlank = false
                out.append(character)
                continue
            }
            if pendingBlank, !out.isEmpty, !(joinsEquals && out.last == "=") { out.append(" ") }
            pendingBlank = false
            if character == "\"" || character == "'" { quote = character }
            out.append(character)
        }
        return out
    }

    static let caseKept = ["write", "wrdata", "codemodel", "osdi", "pre_osdi", "echo", "shell", "source", "cd", "load",
                           "setcs", "strcmp", "strstr"]

    static func lowercased(_ text: String) -> String {
        let lower = text.lowercased()
        if caseKept.contains(where: { lower.hasPrefix($0) }) { return text }
        if ["print", "eprint", "eprvcd", "asciiplot"].contains(where: { lower.hasPrefix($0) }), let cut = text.firstIndex(of: ">") {
            return text[..<cut].lowercased() + text[cut...]
        }
        return lower
    }

    static func stripComments(_ text: String) -> String {
        var out = ""
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index) < text.endIndex ? text[text.index(after: index)] : nil
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == ";" && index != text.startIndex {
                break
            } else if character == "$" && (next == " " || next == "\t") {
                break
            } else if character == "/" && next == "/" {
                break
            }
            out.append(character)
            index = text.index(after: index)
        }
        return out
    }

    /// ngspice cuts a command at 1023 characters; `bg_` takes three of them.
    public static let maximumLineLength = 1020

    /// The commands of one line: words split at blanks, commands at `;`, quotes kept whole.
    static func commands(in text: String) -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var quote: Character?
        func endWord() { if !word.isEmpty { words.append(word); word = "" } }
        for character in text {
            if let open = quote {
                word.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'":
                quote = character
                word.append(character)
            case ";":
                endWord()
                if !words.isEmpty { commands.append(words); words = [] }
            case " ", "\t", "\u{0C}", "\u{0B}":
                endWord()
            default:
                word.append(character)
            }
        }
        endWord()
        if !words.isEmpty { commands.append(words) }
        return commands
    }

    /// `> file`, `>> file`, `>file`, `>& file`, `< file`: (target, writes).
    static func redirections(_ words: [String]) -> [(String, Bool)] {
        var out: [(String, Bool)] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if let first = word.first, first == ">" || first == "<" {
                let target = word.drop { $0 == ">" || $0 == "<" || $0 == "&" }
                if target.isEmpty, index + 1 < words.count {
                    out.append((words[index + 1], first == ">"))
                    index += 1
                } else if !target.isEmpty {
                    out.append((String(target), first == ">"))
                } else {
                    out.append(("", first == ">"))
                }
            }
            index += 1
        }
        return out
    }

    static func withoutRedirections(_ words: [String]) -> [String] {
        var out: [String] = []
        var skipNext = false
        for word in words {
            if skipNext { skipNext = false; continue }
            if let first = word.first, first == ">" || first == "<" {
                skipNext = word.allSatisfy { $0 == ">" || $0 == "<" || $0 == "&" }
                continue
            }
            out.append(word)
        }
        return out
    }

    static func vetPath(_ word: String, writes: Bool, policy: SandboxPolicy, workingDirectory: String,
                        line: ControlLine, what: String) throws {
        // `inputdir` is the one variable whose value is known before the run: the deck's folder.
        var path = word.replacingOccurrences(of: "${inputdir}", with: policy.deckDirectory)
            .replacingOccurrences(of: "$inputdir", with: policy.deckDirectory)
        if let first = path.first, first == "\"" || first == "'", path.count >= 2, path.last == first {
            path = String(path.dropFirst().dropLast())
        }
        if path.isEmpty || path.contains("$") || path.contains("{") || path.hasPrefix("~") {
            throw DeckRefusal(.sandbox, at: line.location,
                              "\(what) \(word): a path that is not written out literally cannot be checked; pass --allow-shell to run it")
        }
        let absolute = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        let allowed = writes ? policy.mayWrite(absolute) : policy.mayRead(absolute)
        guard allowed else {
            let folders = (writes ? policy.writable : policy.readable).joined(separator: ", ")
            throw DeckRefusal(.sandbox, at: line.location,
                              "\(what) \(path) \(writes ? "writes" : "reads") outside the folders this deck may use (\(folders)); pass --allow-paths DIR to allow it")
        }
    }

    /// For each line, whether the interpreter is outside every block after it: only there
    /// does a command sent next run at once (inside a block it would join the block).
    public static func endsAtTopLevel(_ lines: [ControlLine]) -> [Bool] {
        var depth = 0
        return lines.map { line in
            depth = max(0, depth + depthChange(commands(in: line.text).first?.first?.lowercased() ?? ""))
            return depth == 0
        }
    }

    /// A command opens a block (+1), closes one (-1: any word starting with `end`, as ngspice
    /// reads `endif`), or neither.
    static func depthChange(_ name: String) -> Int {
        if ["if", "while", "dowhile", "repeat", "foreach"].contains(name) { return 1 }
        return name.hasPrefix("end") ? -1 : 0
    }

    /// The interpreter variable a `quit` inside a block sets instead of ending the library.
    static let quitVariable = "crossloop_quit"

    /// Where the script ends for ngspice: the first `quit` or `exit` outside any block, with
    /// its status. A `quit` inside a block (`if $err ... quit 1 ... end`) would end the
    /// library itself, losing every result; it becomes `set crossloop_quit = N`, which the
    /// engine reads after each line and then stops as ngspice would.
    static func quits(_ lines: [ControlLine]) -> (lines: [ControlLine], status: Int?, nested: Bool) {
        var depth = 0
        var out: [ControlLine] = []
        var nested = false
        for line in lines {
            var text = line.text
            let words = commands(in: line.text).first ?? []
            let name = words.first?.lowercased() ?? ""
            let status = words.count > 1 ? Int(words[1]) ?? 0 : 0
            depth = max(0, depth + depthChange(name))
            if name == "quit" || name == "exit" {
                if depth == 0 { return (out, status, nested) }
                text = "set \(quitVariable) = \(status)"
                nested = true
            }
            out.append(ControlLine(text: text, location: line.location, isCommentLine: line.isCommentLine))
        }
        return (out, nil, nested)
    }
}
