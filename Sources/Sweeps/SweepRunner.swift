import Characterization
import Reports
import Verification
import Specification
import Foundation
import Ngspice

/// A part of a sweep: runs whose index modulo `count` is `index` (interleaved, so every
/// shard gets its share of each grid point).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(SweepError) {
        guard count >= 1, index >= 0, index < count else {
            throw .invalidSpec("shard \(index)/\(count): pass --shard i/K with 0 <= i < K")
        }
        self.index = index; self.count = count
    }

    /// `i/K`.
    public init(parsing text: String) throws(SweepError) {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let k = parts[1] else { throw .invalidSpec("shard \"\(text)\": write it as i/K, e.g. 3/8") }
        try self.init(index: i, count: k)
    }

    public func contains(_ run: Int) -> Bool { run % count == index }
    /// The shard's runs among runs 0..<total, in order: every `count`-th from `index`.
    public func runs(among total: Int) -> StrideTo<Int> { stride(from: index, to: total, by: count) }
    /// How many of runs 0..<total the shard has.
    public func runCount(among total: Int) -> Int { max(0, total - index + count - 1) / count }
    public var description: String { "\(index)/\(count)" }
}

/// The files of a sweep's results directory.
///
/// ```
/// DIR/sweep.json                 the sweep file (canonical) and its run count: what DIR belongs to
/// DIR/rows.jsonl                 rows of a local run, one per finished run, in finishing order
/// DIR/shards/shard-I-of-K.jsonl  rows of shard I (SLURM), same format; .done when complete
/// DIR/timings.jsonl              seconds per run (and shards/timings-I-of-K.jsonl): never in rows
/// DIR/results.jsonl              every row, ordered by run: identical for equal sweeps
/// DIR/summary.json, report.txt, report.html
/// ```
public struct SweepDirectory: Sendable {
    public var path: String
    public init(_ path: String) { self.path = URL(fileURLWithPath: path).standardizedFileURL.path }

    public var manifest: String { path + "/sweep.json" }
    public var journal: String { path + "/rows.jsonl" }
    public var timings: String { path + "/timings.jsonl" }
    public var results: String { path + "/results.jsonl" }
    public var summary: String { path + "/summary.json" }
    public var textReport: String { path + "/report.txt" }
    public var htmlReport: String { path + "/report.html" }
    public var shards: String { path + "/shards" }
    public var slurm: String { path + "/slurm" }
    public func journal(_ shard: Shard) -> String { "\(shards)/shard-\(shard.index)-of-\(shard.count).jsonl" }
    public func timings(_ shard: Shard) -> String { "\(shards)/timings-\(shard.index)-of-\(shard.count).jsonl" }
    public func doneMarker(_ shard: Shard) -> String { "\(shards)/shard-\(shard.index)-of-\(shard.count).done" }

    /// Creates the directory and its manifest, or checks that an existing manifest is this sweep's.
    public func claim(_ spec: SweepSpec) throws(SweepError) {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: shards, withIntermediateDirectories: true) } catch {
            throw .io(path: path, reason: "cannot create the results directory: \(error.localizedDescription)")
        }
        let manifestText = JSONValue.object([
            ("name", .string(spec.name)), ("runs", .number(Double(spec.runCount))),
            ("sweep", (try? JSONValue.parse(spec.canonicalText)) ?? .null),
        ]).text()
        if fm.fileExists(atPath: manifest) {
            let existing = (try? String(contentsOfFile: manifest, encoding: .utf8)) ?? ""
            guard existing == manifestText else {
                throw .directory("\(path) holds the results of a different sweep (its sweep.json differs from this file); choose another --out, or delete the directory to start over")
            }
            return
        }
        try write(manifestText, to: manifest)
    }

    /// The spec recorded in the directory (for `collect`).
    public func recordedSpec(baseDirectory: String) throws(SweepError) -> SweepSpec {
        let text: String
        do { text = try String(contentsOfFile: manifest, encoding: .utf8) } catch {
            throw .directory("\(path) is not a sweep results directory: \(manifest) is missing; run crossloop sweep SPEC --out \(path) first")
        }
        let tree: JSONValue
        do { tree = try JSONValue.parse(text) } catch { throw .directory("\(manifest) is damaged: \(error.description)") }
        guard let sweep = tree["sweep"] else { throw .directory("\(manifest) has no sweep") }
        return try SweepSpec(sweep, baseDirectory: baseDirectory)
    }

    func write(_ text: String, to file: String) throws(SweepError) {
        do { try text.write(toFile: file, atomically: true, encoding: .utf8) } catch {
            throw .io(path: file, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// The rows of a journal, by run. A damaged last line (a run killed mid-write) is cut off
    /// the file so that appending continues cleanly; damage elsewhere is an error.
    public static func readRows(_ file: String, repair: Bool) throws(SweepError) -> [Int: JSONValue] {
        guard FileManager.default.fileExists(atPath: file) else { return [:] }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw .io(path: file, reason: "cannot read: \(error.localizedDescription)")
        }
        var rows: [Int: JSONValue] = [:]
        var offset = 0
        var goodLength = 0
        let bytes = [UInt8](data)
        var lineNumber = 0
        while offset < bytes.count {
            let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n"))
            lineNumber += 1
            guard let end else { break }  // no newline: an unfinished last line
            let text = String(decoding: bytes[offset..<end], as: UTF8.self)
            if !text.isEmpty {
                guard let row = try? JSONValue.parse(text), let run = row["run"]?.numberValue else {
                    throw .directory("\(file) line \(lineNumber) is not a result row; delete the line (or the file) and resume")
                }
                if rows[Int(run)] == nil { rows[Int(run)] = row }
            }
            offset = end + 1
            goodLength = offset
        }
        if goodLength < bytes.count && repair {
            do {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
                try handle.truncate(atOffset: UInt64(goodLength))
                try handle.close()
            } catch {
                throw .io(path: file, reason: "cannot cut off the unfinished last line: \(error.localizedDescription)")
            }
        }
        return rows
    }
}

/// Appends lines to a file, one `write` per line, so a killed process leaves whole lines.
final class LineWriter: @unchecked Sendable {  // Safe: `handle` behind `lock`.
    private let lock = NSLock()
    private let handle: FileHandle

    init(_ file: String) throws(SweepError) {
        if !FileManager.default.fileExists(atPath: file) {
            guard FileManager.default.createFile(atPath: file, contents: nil) else { throw .io(path: file, reason: "cannot create") }
        }
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.seekToEnd()
        } catch {
            throw .io(path: file, reason: "cannot open for appending: \(error.localizedDescription)")
        }
    }

    func append(_ line: String) throws(SweepError) {
        lock.lock(); defer { lock.unlock() }
        do { try handle.write(contentsOf: Data((line + "\n").utf8)) } catch {
            throw .io(path: "results", reason: "cannot append a row: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }
}

/// Progress of a running sweep.
public struct SweepProgress: Sendable {
    /// Runs this invocation has to do, and has done.
    public var total: Int
    public var done: Int
    /// Rows that did not pass (or failed to simulate) so far.
    public var notPassing: Int
    public var failed: Int
    public var elapsedSeconds: Double
    /// Remaining seconds at the rate so far; nil before the first run ends.
    public var remainingSeconds: Double? {
        guard done > 0, done < total else { return done >= total ? 0 : nil }
        return elapsedSeconds / Double(done) * Double(total - done)
    }
}

/// What an invocation did.
public struct SweepOutcome: Sendable {
    /// Runs done by this invocation.
    public var ran: Int
    /// Runs found finished in the journal and skipped.
    public var skipped: Int
    /// Whether every run of the part asked for (whole sweep or shard) now has a row.
    public var complete: Bool
    public var seconds: Double
}

/// Runs a sweep (or one shard of it) on a pool of engines, streaming each row to the journal
/// as soon as its run ends.
public struct SweepRunner: Sendable {
    public let executor: SweepExecutor
    public let directory: SweepDirectory

    public init(executor: SweepExecutor, directory: SweepDirectory) {
        self.executor = executor
        self.directory = directory
    }

    public func journal(for shard: Shard?) -> String { shard.map(directory.journal) ?? directory.journal }

    /// The runs the part asks for.
    public func runs(of shard: Shard?) -> [Int] {
        let total = executor.spec.runCount
        guard let shard else { return Array(0..<total) }
        return Array(shard.runs(among: total))
    }

    /// Runs what is left of the part (`shard`, or the whole sweep).
    /// - Parameters:
    ///   - shard: the part of the sweep's runs to do; nil for all of them.
    ///   - resume: continue a journal that has rows; without it, such a journal is an error.
    ///   - engines: the engines to use, one run each at a time.
    ///   - progress: called as runs finish.
    public func run(shard: Shard?, resume: Bool, engines: [NgspiceEngine],
                    progress: (@Sendable (SweepProgress) -> Void)? = nil) async throws(SweepError) -> SweepOutcome {
        let spec = executor.spec
        try directory.claim(spec)
        let journal = self.journal(for: shard)
        let lock = try JournalLock(journal: journal)
        defer { withExtendedLifetime(lock) {} }
        let existing = try SweepDirectory.readRows(journal, repair: true)
        if !existing.isEmpty && !resume {
            throw .directory("\(journal) already holds \(existing.count) rows of this sweep; pass --resume to complete it, or choose another --out")
        }
        let wanted = runs(of: shard)
        let todo = wanted.filter { existing[$0] == nil }
        let writer = try LineWriter(journal)
        let timings = try LineWriter(shard.map(directory.timings) ?? directory.timings)
        let state = ProgressState(total: todo.count)
        let queue = IndexQueue(todo)
        let clock = Stopwatch()
        let host = ProcessInfo.processInfo.hostName
        let executor = self.executor
        let failures: [SweepError] = await withTaskGroup(of: SweepError?.self) { group in
            for (engineIndex, engine) in engines.prefix(max(1, min(engines.count, todo.count))).enumerated() {
                group.addTask {
                    while let index = queue.next() {
                        if Task.isCancelled { return nil }
                        let runClock = Stopwatch()
                        let row = await executor.run(index, engine: engine)
                        let seconds = runClock.seconds
                        do throws(SweepError) {
                            try writer.append(row.line())
                            try timings.append(JSONValue.object([
                                ("run", .number(Double(index))), ("seconds", .number(seconds)),
                                ("engine", .number(Double(engineIndex))), ("host", .string(host)),
                            ]).line())
                        } catch {
                            queue.stop()
                            return error
                        }
                        let passed = row["pass"]?.boolValue ?? false
                        let failed = row["status"]?.stringValue != "ok"
                        let snapshot = state.record(passed: passed, failed: failed, elapsed: clock.seconds)
                        progress?(snapshot)
                    }
                    return nil
                }
            }
            var errors: [SweepError] = []
            for await error in group { if let error { errors.append(error) } }
            return errors
        }
        if let first = failures.first { throw first }
        let seconds = clock.seconds
        let finished = try SweepDirectory.readRows(journal, repair: false)
        let complete = wanted.allSatisfy { finished[$0] != nil }
        if complete, let shard {
            try directory.write("\(wanted.count)\n", to: directory.doneMarker(shard))
        }
        return SweepOutcome(ran: state.done, skipped: wanted.count - todo.count, complete: complete, seconds: seconds)
    }
}

/// Hands out the runs to do, once each.
final class IndexQueue: @unchecked Sendable {  // Safe: state behind `lock`.
    private let lock = NSLock()
    private var items: [Int]
    private var cursor = 0
    init(_ items: [Int]) { self.items = items }
    func next() -> Int? {
        lock.withLock {
            guard cursor < items.count else { return nil }
            defer { cursor += 1 }
            return items[cursor]
        }
    }
    func stop() { lock.withLock { cursor = items.count } }
}

final class ProgressState: @unchecked Sendable {  // Safe: state behind `lock`.
    private let lock = NSLock()
    private(set) var done = 0
    private var notPassing = 0
    private var failed = 0
    let total: Int
    init(total: Int) { self.total = total }
    func record(passed: Bool, failed isFailure: Bool, elapsed: Double) -> SweepProgress {
        lock.withLock {
            done += 1
            if !passed { notPassing += 1 }
            if isFailure { failed += 1 }
            return SweepProgress(total: total, done: done, notPassing: notPassing, failed: failed, elapsedSeconds: elapsed)
        }
    }
}
