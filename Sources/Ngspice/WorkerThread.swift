import Foundation

/// The one thread an engine owns. Every call into its library copy runs here, in order,
/// so the copy's global state is never touched by two threads at once (ngspice's own
/// background thread aside, which it manages itself).
final class WorkerThread: @unchecked Sendable {  // Safe: `jobs` and `stopping` behind `condition`.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        // ngspice's parser recurses over deck structure; give it room.
        thread.stackSize = 16 << 20
        thread.start()
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the worker and waits for its result.
    func sync<T>(_ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, Error>?
        submit {
            result = Result { try body() }
            done.signal()
        }
        done.wait()
        return try result!.get()
    }

    /// Finishes queued jobs, runs `last`, then ends the thread.
    func stop(after last: @escaping () -> Void) {
        condition.lock()
        jobs.append(last)
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        NumericLocale.useCOnThisThread()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

enum NumericLocale {
    /// A C numeric locale for the calling thread only (`uselocale`), whatever the process uses.
    static func useCOnThisThread() {
        #if canImport(Glibc)
        if let c = newlocale(Int32(1 << LC_NUMERIC), "C", nil) { uselocale(c) }
        #endif
    }
}
