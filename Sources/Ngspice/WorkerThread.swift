import Foundation

/// The one thread an engine owns. Every call into its library copy runs here, in order,
/// so the copy's global state is never touched by two threads at once (ngspice's own
/// background thread aside, which it manages itself).
///
/// A plain pthread rather than a Foundation `Thread`, so that an engine can join it and hand
/// its library copy to the next engine only when nothing of the old thread remains.
final class WorkerThread: @unchecked Sendable {
    // Safe: `jobs` and `stopping` behind `condition`; `thread` written once in init.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private let workingDirectory: String?
    private var thread = pthread_t()

    init(workingDirectory: String? = nil) {
        self.workingDirectory = workingDirectory
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        // ngspice's parser recurses over deck structure; give it room.
        pthread_attr_setstacksize(&attributes, 16 << 20)
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(&thread, &attributes, { context in
            let worker = Unmanaged<WorkerThread>.fromOpaque(context!).takeRetainedValue()
            worker.loop()
            return nil
        }, context)
        pthread_attr_destroy(&attributes)
        precondition(status == 0, "cannot create the engine thread (pthread_create: \(status))")
    }

    /// Whether the caller is this worker's own thread.
    var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Waits until the thread has ended, thread-specific-data destructors included.
    func join() { _ = pthread_join(thread, nil) }

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

    /// Finishes the queued jobs, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        NumericLocale.useCOnThisThread()
        ThreadWorkingDirectory.detachFromProcess()
        if let workingDirectory { _ = chdir(workingDirectory) }
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
