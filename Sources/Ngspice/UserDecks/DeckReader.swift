import Foundation
import Netlist

/// Reads a designer's deck as ngspice reads it, in a sandbox, into one text ngspice can load
/// without opening a file itself.
///
/// ngspice's own reader decides what the deck is; this one follows its rules so that the
/// circuit loaded is exactly the one ngspice would load (see the "Running designers' decks"
/// article of the Ngspice documentation):
/// - `.include` / `.inc...` and `.lib FILE SECTION` are resolved here, relative to the file
///   that names them, and inlined: cycles, depth, non-regular files and sizes are refused
///   before anything is read, and paths outside the policy's folders are refused.
/// - `.control` ... `.endc` are recognised by prefix, as ngspice does (`.controls`,
///   `.control;x` open a block too), in every file, and so are `*#` control lines; their
///   lines become the deck's control script, each vetted by `ControlSandbox`.
/// - Full-line comments and blank lines are left out of the circuit text, so that a `+`
///   continuation after them joins its card as it does in ngspice's file reader.
public struct DeckReader {
    public let policy: SandboxPolicy
    private var circuit: [String] = []
    private var origins: [DeckLocation] = []
    private var script: [ControlLine] = []
    private var stack: [String] = []
    private var cache: [String: [Substring]] = [:]
    private var totalBytes = 0

    private init(policy: SandboxPolicy) { self.policy = policy }

    /// Reads the deck in `path`.
    public static func read(file path: String, policy: SandboxPolicy) throws -> PreparedDeck {
        var reader = DeckReader(policy: policy)
        let canonical = SandboxPolicy.canonical(path)
        let lines = try reader.load(canonical, shown: path, from: nil)
        return try reader.finish(lines, file: path, canonical: canonical)
    }

    /// Reads deck text that is not in a file; its includes resolve against `directory`.
    public static func read(text: String, name: String = "<deck>", directory: String, policy: SandboxPolicy) throws -> PreparedDeck {
        var reader = DeckReader(policy: policy)
        let lines = try reader.split(Data(text.utf8), shown: name)
        return try reader.finish(lines, file: name, canonical: SandboxPolicy.canonical(directory) + "/" + name)
    }

    private mutating func finish(_ lines: [Substring], file: String, canonical: String) throws -> PreparedDeck {
        guard lines.contains(where: { !$0.trimmingCharacters(in: Self.blank).isEmpty }) else {
            throw DeckRefusal(.text, at: nil, "\(file): the deck is empty")
        }
        stack = [canonical]
        // The first line is the title, never a card.
        circuit.append(String(lines[0]))
        origins.append(DeckLocation(file: file, line: 1))
        let directory = URL(fileURLWithPath: canonical).deletingLastPathComponent().path
        try process(lines.dropFirst(), firstLine: 2, file: file, directory: directory, depth: 0)
        circuit.append(".end")
        origins.append(origins.last ?? DeckLocation(file: file, line: 1))
        let commands = ControlSandbox.preprocess(script)
        for line in commands { try ControlSandbox.vet(line, policy: policy) }
        return try PreparedDeck(circuit: circuit, origins: origins, script: commands, directory: policy.deckDirectory,
                                limits: policy.limits)
    }

    static let blank = " \t\u{0C}\u{0B}"

    // MARK: Lines of one file

    private mutating func process<Lines: Collection>(_ lines: Lines, firstLine: Int, file: String, directory: String,
                                                     depth: Int) throws where Lines.Element == Substring {
        var inControl = false
        for (offset, raw) in lines.enumerated() {
            let location = DeckLocation(file: file, line: firstLine + offset)
            let lead = raw.drop { Self.blank.contains($0) }
            let lower = lead.lowercased()
            if inControl {
                if lower.hasPrefix(".endc") { inControl = false; continue }
                // ngspice comments `.end` out wherever it stands, a block left open included.
                if lower.prefix(while: { !Self.blank.contains($0) }) == ".end" { continue }
                if lower.hasPrefix("*#") {
                    script.append(ControlLine(text: String(lead.dropFirst(2)), location: location, isCommentLine: true))
                    continue
                }
                if lower.isEmpty || lower.hasPrefix("*") { continue }
                script.append(ControlLine(text: String(lead), location: location))
                continue
            }
            if lower.hasPrefix(".control") { inControl = true; continue }
            if lower.hasPrefix("*#") {
                script.append(ControlLine(text: String(lead.dropFirst(2)), location: location, isCommentLine: true))
                continue
            }
            if lower.isEmpty || lower.hasPrefix("*") { continue }
            let keyword = lower.prefix { !Self.blank.contains($0) }
            if lower.hasPrefix(".inc") {
                guard let (path, _) = Self.arguments(lead.dropFirst(keyword.count)) else {
                    throw DeckRefusal(.include, at: location, "\(keyword) names no file")
                }
                let target = try resolve(path, from: directory, at: location)
                let included = try load(target, shown: path, from: location)
                try enter(target, at: location, depth: depth) {
                    try $0.process(included, firstLine: 1, file: path, directory: Self.folder(of: target), depth: depth + 1)
                }
                continue
            }
            if lower.hasPrefix(".lib") {
                let rest = lead.dropFirst(keyword.count)
                guard let (first, remainder) = Self.arguments(rest) else {
                    throw DeckRefusal(.include, at: location, ".lib names no file or section")
                }
                guard let (section, _) = Self.arguments(Substring(remainder)) else {
                    // `.lib NAME` outside a library: ngspice keeps it as a card and refuses it.
                    circuit.append(String(raw))
                    origins.append(location)
                    continue
                }
                let target = try resolve(first, from: directory, at: location)
                let body = try sectionLines(section, of: target, shown: first, at: location)
                try enter(target + "#" + section.lowercased(), at: location, depth: depth) {
                    try $0.process(body.lines, firstLine: body.firstLine, file: first, directory: Self.folder(of: target),
                                   depth: depth + 1)
                }
                continue
            }
            if lower.hasPrefix(".endl") { continue }
            // ngspice turns `.end` into a comment and reads on; one `.end` closes the text.
            if keyword == ".end" { continue }
            circuit.append(String(raw))
            origins.append(location)
        }
    }

    private mutating func enter(_ key: String, at location: DeckLocation, depth: Int, _ body: (inout DeckReader) throws -> Void) throws {
        if let index = stack.firstIndex(of: key) {
            let chain = (stack[index...] + [key]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: " -> ")
            throw DeckRefusal(.include, at: location, index == stack.count - 1
                              ? "\(URL(fileURLWithPath: key).lastPathComponent) includes itself"
                              : "include cycle: \(chain)")
        }
        guard depth + 1 <= policy.limits.maximumDepth else {
            throw DeckRefusal(.include, at: location, "includes nested deeper than \(policy.limits.maximumDepth) levels")
        }
        stack.append(key)
        defer { stack.removeLast() }
        try body(&self)
    }

    // MARK: Files

    /// The path an include names, resolved as ngspice does: absolute, `~/`, or relative to
    /// the folder of the file that names it.
    private func resolve(_ path: String, from directory: String, at location: DeckLocation) throws -> String {
        guard !path.isEmpty else { throw DeckRefusal(.include, at: location, "include of an empty path") }
        let path = Self.expandingEnvironment(path)
        var absolute = path
        if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            absolute = home + path.dropFirst(1)
        } else if !path.hasPrefix("/") {
            // ngspice looks in the working directory first, then beside the including file.
            let here = policy.workingDirectory + "/" + path
            absolute = FileManager.default.fileExists(atPath: here) ? here : directory + "/" + path
        }
        let canonical = SandboxPolicy.canonical(absolute)
        guard policy.mayRead(canonical) else {
            throw DeckRefusal(.sandbox, at: location,
                              "\(path) is outside the folders this deck may read (\(policy.readable.joined(separator: ", "))); pass --allow-paths DIR to read it")
        }
        return canonical
    }

    /// The lines of a file, read once per deck: only regular files within the size limits.
    private mutating func load(_ canonical: String, shown: String, from location: DeckLocation?) throws -> [Substring] {
        if let lines = cache[canonical] { return lines }
        var info = stat()
        guard stat(canonical, &info) == 0 else {
            throw DeckRefusal(.include, at: location, "cannot read \(shown): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw DeckRefusal(.include, at: location, "cannot read \(shown): \(what)")
        }
        let size = Int(info.st_size)
        guard size <= policy.limits.maximumFileBytes else {
            throw DeckRefusal(.include, at: location, "\(shown) is \(size) bytes, over the limit of \(policy.limits.maximumFileBytes)")
        }
        guard totalBytes + size <= policy.limits.maximumTotalBytes else {
            throw DeckRefusal(.include, at: location, "the deck's files exceed \(policy.limits.maximumTotalBytes) bytes together")
        }
        guard let handle = FileHandle(forReadingAtPath: canonical) else {
            throw DeckRefusal(.include, at: location, "cannot read \(shown): permission denied")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: policy.limits.maximumFileBytes + 1)) ?? Data()
        totalBytes += data.count
        let lines = try split(data, shown: shown, at: location)
        cache[canonical] = lines
        return lines
    }

    private func split(_ data: Data, shown: String, at location: DeckLocation? = nil) throws -> [Substring] {
        // Control characters other than tab, line ends, form feed, vertical tab and a DOS
        // end-of-file mark mean a binary file: its bytes would reach ngspice's messages.
        if let byte = data.first(where: { $0 < 0x20 && ![0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A].contains($0) || $0 == 0x7F }) {
            throw DeckRefusal(.text, at: location, "\(shown) is not a text file (it contains the control byte 0x\(String(byte, radix: 16)))")
        }
        // ngspice deletes every carriage return, wherever it stands.
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The body of `.lib NAME` ... `.endl` in a library file.
    private mutating func sectionLines(_ section: String, of canonical: String, shown: String,
                                       at location: DeckLocation) throws -> (lines: ArraySlice<Substring>, firstLine: Int) {
        let lines = try load(canonical, shown: shown, from: location)
        let wanted = section.lowercased()
        var start: Int?
        for (index, raw) in lines.enumerated() {
            let lower = raw.drop { Self.blank.contains($0) }.lowercased()
            if let begin = start {
                if lower.hasPrefix(".endl") { return (lines[begin..<index], begin + 1) }
                continue
            }
            guard lower.hasPrefix(".lib") else { continue }
            let keyword = lower.prefix { !Self.blank.contains($0) }
            if let (name, remainder) = Self.arguments(Substring(lower.dropFirst(keyword.count))), name == wanted,
               Self.arguments(Substring(remainder)) == nil {
                start = index + 1
            }
        }
        if let begin = start { return (lines[begin...], begin + 1) }
        throw DeckRefusal(.include, at: location, "library \(shown) has no section \(section)")
    }

    /// `$NAME` and `${NAME}` from the environment, as ngspice expands them in include paths.
    static func expandingEnvironment(_ path: String) -> String {
        guard path.contains("$") else { return path }
        var out = ""
        var index = path.startIndex
        let environment = ProcessInfo.processInfo.environment
        while index < path.endIndex {
            let character = path[index]
            guard character == "$" else { out.append(character); index = path.index(after: index); continue }
            var cursor = path.index(after: index)
            let braced = cursor < path.endIndex && path[cursor] == "{"
            if braced { cursor = path.index(after: cursor) }
            let nameEnd = path[cursor...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? path.endIndex
            let name = String(path[cursor..<nameEnd])
            out += environment[name] ?? ""
            index = braced && nameEnd < path.endIndex ? path.index(after: nameEnd) : nameEnd
        }
        return out
    }

    static func folder(of path: String) -> String { URL(fileURLWithPath: path).deletingLastPathComponent().path }

    /// The first argument (quotes removed) and the text after it.
    static func arguments(_ text: Substring) -> (String, String)? {
        let rest = text.drop { blank.contains($0) }
        guard let first = rest.first else { return nil }
        if first == "\"" || first == "'" {
            let body = rest.dropFirst()
            guard let close = body.firstIndex(of: first) else { return (String(body), "") }
            return (String(body[..<close]), String(body[body.index(after: close)...]))
        }
        var word = Substring(rest.prefix { !blank.contains($0) })
        // `;` and `//` end an unquoted word as a comment would.
        if let cut = word.firstIndex(of: ";") { word = word[..<cut] }
        if let cut = word.range(of: "//") { word = word[..<cut.lowerBound] }
        return (String(word), String(rest.dropFirst(word.count)))
    }
}
