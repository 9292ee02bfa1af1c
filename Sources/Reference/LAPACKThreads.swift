import Foundation

/// LAPACK runs single-threaded in Crossloop.
///
/// Debian's default LAPACK is OpenBLAS, whose worker threads spin-wait after every call.
/// Crossloop's matrices are small (at most a few hundred rows) and its parallelism is a pool
/// of simulator engines, so those spinning threads only take a core away from a second engine:
/// measured, two engines went from 1.1x to 2.1x the throughput of one once OpenBLAS was held
/// to one thread. Other LAPACK builds have no such entry point and are left alone.
enum LAPACKThreads {
    /// Evaluated once, before the first LAPACK call (`lapackInt` is on every call's path).
    static let singleThreaded: Bool = {
        typealias SetThreads = @convention(c) (Int32) -> Void
        guard let symbol = dlsym(nil, "openblas_set_num_threads") else { return false }
        unsafeBitCast(symbol, to: SetThreads.self)(1)
        return true
    }()
}
