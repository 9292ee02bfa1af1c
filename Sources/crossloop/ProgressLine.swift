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

    init(label: String) { self.label = label }

    func update(_ progress: RunProgress) {
        guard enabled else { return }
        let tenth = Int(progress.percent * 10)
        lock.lock(); defer { lock.unlock() }
        guard tenth != lastTenth else { return }
        lastTenth = tenth
        shown = true
        FileHandle.standardError.write(Data(String(format: "\r%@: %@ %5.1f%%", label, progress.analysis, progress.percent).utf8))
    }

    func update(message: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        shown = true
        FileHandle.standardError.write(Data("\r\(label): \(message)\u{1B}[K".utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
