import Foundation

/// What a deck may reach outside the simulation.
///
/// A deck is code: its `.include`s read files, its control lines can write files, change
/// directory or start programs. By default a deck reads only below its own folder and writes
/// only below its own folder and the output folder (the working directory), and nothing
/// starts a program. The user opens more on purpose (`--allow-paths`, `--allow-shell`).
public struct SandboxPolicy: Sendable, Hashable {
    /// Folders whose files (and everything below) a deck may read.
    public var readable: [String]
    /// Folders below which a deck may write.
    public var writable: [String]
    /// Commands that start programs, change directory or load code (`shell`, `cd`,
    /// `codemodel`, back-quoted commands, ...) are allowed.
    public var allowsShell: Bool
    /// Where relative paths of control commands land: the interpreter's working directory.
    public var workingDirectory: String
    /// The deck's own folder: ngspice's `inputdir` variable.
    public var deckDirectory: String
    /// Limits on what a deck may take in and ask for.
    public var limits: DeckLimits

    public init(readable: [String], writable: [String], workingDirectory: String = FileManager.default.currentDirectoryPath,
                deckDirectory: String? = nil, allowsShell: Bool = false, limits: DeckLimits = DeckLimits()) {
        self.deckDirectory = Self.canonical(deckDirectory ?? readable.first ?? workingDirectory)
        self.readable = Self.unique(readable.map(Self.canonical))
        self.writable = Self.unique(writable.map(Self.canonical))
        self.workingDirectory = workingDirectory
        self.allowsShell = allowsShell
        self.limits = limits
    }

    /// The default for a deck in `deckDirectory` run from `outputDirectory`, widened by
    /// `extra` folders (readable and writable).
    public static func forDeck(in deckDirectory: String, output outputDirectory: String = FileManager.default.currentDirectoryPath,
                               allowing extra: [String] = [], allowsShell: Bool = false,
                               limits: DeckLimits = DeckLimits()) -> SandboxPolicy {
        SandboxPolicy(readable: [deckDirectory] + extra, writable: [deckDirectory, outputDirectory] + extra,
                      workingDirectory: outputDirectory, deckDirectory: deckDirectory, allowsShell: allowsShell, limits: limits)
    }

    public func mayRead(_ path: String) -> Bool { Self.contains(readable, Self.canonical(path)) }

    /// A path to be written: its folder must exist (symbolic links followed) inside a
    /// writable folder.
    public func mayWrite(_ path: String) -> Bool {
        let url = URL(fileURLWithPath: path).standardized
        let parent = Self.canonical(url.deletingLastPathComponent().path)
        let target = parent == "/" ? "/" + url.lastPathComponent : parent + "/" + url.lastPathComponent
        // A link at the target itself is followed by the writer.
        return Self.contains(writable, Self.canonical(target))
    }

    static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    static func contains(_ roots: [String], _ path: String) -> Bool {
        roots.contains { root in root == "/" || path == root || path.hasPrefix(root + "/") }
    }

    /// Absolute, `..` removed, symbolic links resolved as far as the path exists.
    static func canonical(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardized.path
        var existing = absolute
        var rest: [String] = []
        while existing != "/", !FileManager.default.fileExists(atPath: existing) {
            rest.insert(URL(fileURLWithPath: existing).lastPathComponent, at: 0)
            existing = URL(fileURLWithPath: existing).deletingLastPathComponent().path
        }
        var resolved = existing
        if let real = realpath(existing, nil) {
            resolved = String(cString: real)
            free(real)
        }
        for component in rest { resolved = resolved == "/" ? "/" + component : resolved + "/" + component }
        return resolved
    }
}

/// Bounds on a deck, so that no include or analysis can exhaust the machine by accident.
public struct DeckLimits: Sendable, Hashable {
    /// Nested includes deeper than this are refused (a file that includes itself otherwise
    /// recurses until the process dies).
    public var maximumDepth: Int
    /// One file larger than this is refused before it is read.
    public var maximumFileBytes: Int
    /// All files of one deck together.
    public var maximumTotalBytes: Int

    /// Points one analysis may produce (time points of a `.tran` at its step, frequencies of
    /// an `.ac`, sweep points of a `.dc`): past it the deck is refused before it runs.
    public var maximumPoints: Double

    public static let defaultMaximumPoints = 10_000_000.0

    public init(maximumDepth: Int = 32, maximumFileBytes: Int = 256 << 20, maximumTotalBytes: Int = 1 << 30,
                maximumPoints: Double = DeckLimits.defaultMaximumPoints) {
        self.maximumDepth = maximumDepth
        self.maximumFileBytes = maximumFileBytes
        self.maximumTotalBytes = maximumTotalBytes
        self.maximumPoints = maximumPoints
    }
}

/// A place in a deck's files: what an error names.
public struct DeckLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based.
    public var line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
    public var description: String { "\(file):\(line)" }
}

/// A deck refused before it ran: what it tried to reach, where, and how to allow it.
public struct DeckRefusal: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// A command or path outside the sandbox.
        case sandbox
        /// An include that cannot be read: missing, not a regular file, a cycle, too deep,
        /// too large.
        case include
        /// An analysis that would produce more points than allowed.
        case analysisSize
        /// The deck's text itself (empty, not text).
        case text
    }
    public var reason: Reason
    public var location: DeckLocation?
    public var message: String

    public init(_ reason: Reason, at location: DeckLocation?, _ message: String) {
        self.reason = reason; self.location = location; self.message = message
    }

    public var description: String { location.map { "\($0): \(message)" } ?? message }
}
