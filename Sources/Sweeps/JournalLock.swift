import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on one journal of a sweep directory while a sweep appends to it: a
/// second sweep into the same `--out` (and shard) is refused instead of running every run
/// again and tearing the journal's lines. The lock is the kernel's (`flock`), so it goes
/// with the process however it ends; SLURM tasks lock their own shards' journals.
final class JournalLock: @unchecked Sendable {  // Safe: the descriptor is only closed, once.
    private let descriptor: Int32

    init(journal: String) throws(SweepError) {
        let path = journal + ".lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot create the lock: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .directory("another sweep is writing \(journal) (it holds \(path)); wait for it to finish, or choose another --out")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
