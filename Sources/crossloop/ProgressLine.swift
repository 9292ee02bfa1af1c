import Characterization
import Sweeps
import Reports
import Specification
import Foundation
import Ngspice

/// A one-line progress indicator on standard error, redrawn in place on a terminal and
/// silent when standard error is a file or a pipe (CI logs stay readable).
final class ProgressLine: @unchecked Sendable {  // Safe: state behind `lock`.
    private let lock = NSLock()
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false
    private var lastTenth = -1
    private let started = DispatchTime.now()

    init(label: String) { self.label = label }

    /// Seconds since the line was created.
    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    /// 75 s as "1m15s".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }

    func update(_ progress: RunProgress) {
        guard enabled else { return }
        let tenth = Int(progress.percent * 10)
        lock.lock(); defer { lock.unlock() }
        guard tenth != lastTenth else { return }
        lastTenth = tenth
        shown = true
        // The remaining time at the rate so far (the simulated time advances unevenly; an estimate).
        let eta = progress.percent > 1 ? ", ETA \(Self.duration(elapsed * (100 - progress.percent) / progress.percent))" : ""
        FileHandle.standardError.write(Data(String(format: "\r%@: %@ %5.1f%% (%@%@)\u{1B}[K", label, progress.analysis, progress.percent,
                                                   Self.duration(elapsed), eta).utf8))
    }

    /// A message with the time so far and, when `done` of `total` items are known, an ETA at
    /// the rate so far.
    func update(message: String, done: Int = 0, of total: Int? = nil) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        shown = true
        var time = Self.duration(elapsed)
        if let total, done > 0, total >= done {
            time += ", \(done)/\(total), ETA \(Self.duration(elapsed * Double(total - done) / Double(done)))"
        }
        FileHandle.standardError.write(Data("\r\(label): \(message) (\(time))\u{1B}[K".utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
