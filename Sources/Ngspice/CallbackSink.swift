import Foundation

/// Receives ngspice's callbacks. They arrive on the engine thread (while loading and for
/// commands) and on ngspice's background simulation thread (during `bg_run`), so every
/// field is guarded by one lock.
final class CallbackSink: @unchecked Sendable {  // Safe: all mutable state behind `lock`.
    private let lock = NSLock()
    private var lines: [Diagnostic] = []
    private var progressHandler: (@Sendable (RunProgress) -> Void)?
    private var exitStatus: Int32?
    private var lastPercent: Double = -1
    /// Signalled when the background thread ends or the library exits.
    let backgroundFinished = DispatchSemaphore(value: 0)

    func append(_ raw: String) {
        let diagnostic = Diagnostic.classify(raw)
        lock.lock(); lines.append(diagnostic); lock.unlock()
    }

    func status(_ text: String) {
        // "tran: 42.3%" / "--ready--" / "Source Deck"
        guard let colon = text.firstIndex(of: ":"), text.hasSuffix("%") else { return }
        let analysis = String(text[..<colon]).trimmingCharacters(in: " ")
        let number = text[text.index(after: colon)...].dropLast().trimmingCharacters(in: " ")
        guard let percent = Double(number) else { return }
        lock.lock()
        let handler = progressHandler
        let changed = abs(percent - lastPercent) >= 0.1
        if changed { lastPercent = percent }
        lock.unlock()
        if changed { handler?(RunProgress(analysis: analysis, percent: percent)) }
    }

    func exited(status: Int32) {
        lock.lock(); exitStatus = status; lock.unlock()
        backgroundFinished.signal()
    }

    func backgroundThread(finished: Bool) {
        // ngspice passes false when its thread starts and true when it ends (the opposite
        // of the comment in sharedspice.h, see docs/ngspice.md).
        if finished { backgroundFinished.signal() }
    }

    /// Takes the lines collected so far.
    func drain() -> [Diagnostic] {
        lock.lock(); defer { lock.unlock() }
        let taken = lines
        lines.removeAll(keepingCapacity: true)
        return taken
    }

    var hasExited: Bool { lock.lock(); defer { lock.unlock() }; return exitStatus != nil }

    func reset(progress: (@Sendable (RunProgress) -> Void)?) {
        lock.lock()
        progressHandler = progress
        lastPercent = -1
        lock.unlock()
        while backgroundFinished.wait(timeout: .now()) == .success {}
    }
}

// MARK: C entry points. `user` is an unretained pointer to the engine's sink, which outlives
// every library copy it is registered with.

typealias SendCharFunction = @convention(c) (UnsafeMutablePointer<CChar>?, Int32, UnsafeMutableRawPointer?) -> Int32
typealias SendStatFunction = @convention(c) (UnsafeMutablePointer<CChar>?, Int32, UnsafeMutableRawPointer?) -> Int32
typealias ControlledExitFunction = @convention(c) (Int32, Bool, Bool, Int32, UnsafeMutableRawPointer?) -> Int32
typealias BackgroundRunningFunction = @convention(c) (Bool, Int32, UnsafeMutableRawPointer?) -> Int32

private func sink(_ user: UnsafeMutableRawPointer?) -> CallbackSink? {
    user.map { Unmanaged<CallbackSink>.fromOpaque($0).takeUnretainedValue() }
}

let sendCharCallback: SendCharFunction = { text, _, user in
    if let text { sink(user)?.append(String(cString: text)) }
    return 0
}

let sendStatCallback: SendStatFunction = { text, _, user in
    if let text { sink(user)?.status(String(cString: text)) }
    return 0
}

let controlledExitCallback: ControlledExitFunction = { status, _, _, _, user in
    sink(user)?.exited(status: status)
    return 0
}

let backgroundRunningCallback: BackgroundRunningFunction = { finished, _, user in
    sink(user)?.backgroundThread(finished: finished)
    return 0
}
