import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every file a command writes (verdicts, reports, decks) goes through here, so every
/// command writes alike: through a symbolic link to the file it names, never over a device,
/// a directory or anything else that is not a regular file, atomically (a reader sees the
/// old file or the new one), and a failed write is one clear error (exit 2), never a
/// silent success.
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        let target = try destination(path)
        do {
            try data.write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw UsageError("cannot write \(path): \(reason(error))")
        }
    }

    /// Checks every path a command will write before it starts the work.
    static func check(_ paths: String?...) throws {
        for path in paths.compactMap({ $0 }) { _ = try destination(path) }
    }

    /// Where `path` writes: the file a symbolic link names, after checking it can be written.
    static func destination(_ path: String) throws -> String {
        guard !path.isEmpty else { throw UsageError("an output path is empty") }
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var status = stat()
        if stat(target, &status) == 0 {
            let type = status.st_mode & S_IFMT
            guard type == S_IFREG else {
                let what = type == S_IFDIR ? "a directory" : type == S_IFCHR || type == S_IFBLK ? "a device" : "not a regular file"
                throw UsageError("cannot write \(path): it is \(what); name a file")
            }
        }
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var folderStatus = stat()
        guard stat(folder, &folderStatus) == 0, folderStatus.st_mode & S_IFMT == S_IFDIR else {
            throw UsageError("cannot write \(path): no directory \(folder)")
        }
        guard access(folder, W_OK) == 0 else { throw UsageError("cannot write \(path): \(folder) is not writable") }
        return target
    }

    /// A failure in words: the system's reason, not Foundation's error domain and number.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedFailureReason ?? ns.localizedDescription
    }
}
