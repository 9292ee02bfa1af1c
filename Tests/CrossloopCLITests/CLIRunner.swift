import Foundation
import Testing

/// What a run of the `crossloop` binary produced.
struct CLIResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Wall-clock seconds from start to exit.
    var seconds = 0.0

    /// The non-empty lines of standard error.
    var stderrLines: [Substring] { stderr.split(separator: "\n") }
}

enum CLIError: Error, CustomStringConvertible {
    case binaryNotFound(searched: [String])
    var description: String {
        switch self {
        case let .binaryNotFound(searched):
            return "crossloop binary not found; searched \(searched.joined(separator: ", ")). Build it (swift build) or set CROSSLOOP_BINARY."
        }
    }
}

/// Runs the built `crossloop` executable, as a user would, for end-to-end tests.
///
/// The binary is found, in order: `$CROSSLOOP_BINARY`; next to the test bundle (SwiftPM puts
/// test bundles and executables in the same build products directory, whatever the
/// `--scratch-path` or configuration); next to the running test executable; and last, in the
/// products directory that `swift build --show-bin-path` reports for the package that
/// contains this file (found by walking up from `#filePath` to `Package.swift`).
enum CLIRunner {
    static let binary: Result<URL, CLIError> = locate()

    static func locate() -> Result<URL, CLIError> {
        let fm = FileManager.default
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["CROSSLOOP_BINARY"], !explicit.isEmpty {
            return .success(URL(fileURLWithPath: explicit))
        }
        var directories: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let executable = Bundle.main.executableURL {
            directories.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let linuxSelf = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: linuxSelf).deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("crossloop")
            if fm.isExecutableFile(atPath: candidate.path) { return .success(candidate) }
        }
        var searched = directories.map(\.path)
        if let root = packageRoot(), let bin = showBinPath(root) {
            let candidate = URL(fileURLWithPath: bin).appendingPathComponent("crossloop")
            searched.append(bin)
            if fm.isExecutableFile(atPath: candidate.path) { return .success(candidate) }
        }
        return .failure(.binaryNotFound(searched: searched))
    }

    /// The directory holding the Package.swift above this source file.
    static func packageRoot(from file: String = #filePath) -> URL? {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    private static func showBinPath(_ root: URL) -> String? {
        guard let result = try? execute(URL(fileURLWithPath: "/usr/bin/env"), ["swift", "build", "--show-bin-path"], in: root),
              result.status == 0 else { return nil }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `crossloop arguments...` in `directory` (default: a fresh temporary directory)
    /// with no standard input, and returns its exit status and output. The child inherits
    /// the test's environment with `environment` added (or overriding). With `signal`, the
    /// child is sent that signal `after` seconds in.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    signal: Int32? = nil, after: Double = 0) throws -> CLIResult {
        if let directory {
            return try execute(binary.get(), arguments, in: directory, environment: environment, signal: signal, after: after)
        }
        let scratch = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try execute(binary.get(), arguments, in: scratch, environment: environment, signal: signal, after: after)
    }

    /// Any other program (plain `ngspice`, for comparisons), with the same capture.
    static func runProgram(_ path: String, _ arguments: [String], in directory: URL) throws -> CLIResult {
        try execute(URL(fileURLWithPath: path), arguments, in: directory)
    }

    /// A fresh directory for one test's files.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Output goes to files, not pipes, so a chatty child can never block on a full pipe.
    private static func execute(_ executable: URL, _ arguments: [String], in directory: URL,
                                environment: [String: String] = [:], signal: Int32? = nil, after: Double = 0) throws -> CLIResult {
        let scratch = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let start = Date()
        try process.run()
        if let signal {
            Thread.sleep(forTimeInterval: after)
            kill(process.processIdentifier, signal)
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        try outHandle.close()
        try errHandle.close()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self), seconds: seconds)
    }
}

/// File and JSON helpers shared by the CLI suites.
protocol CLISuite {}

extension CLISuite {
    /// Writes `files` (name: contents) into a fresh directory and returns it.
    func directory(_ files: [String: String]) throws -> URL {
        let dir = try CLIRunner.makeTemporaryDirectory()
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    /// The JSON object in the file at `url`.
    func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// The value at a dotted key path (`stability.stable`), nil when any step is missing.
    func value(_ object: [String: Any], _ path: String) -> Any? {
        var current: Any? = object
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }
}
