import Foundation

/// Starts a library copy without reading anything the user can change behind our back.
///
/// - ngspice's system `spinit` is replaced by Crossloop's own script (through
///   `SPICE_SCRIPTS`), which loads the code models found next to the library, sets the
///   OpenMP thread count and never asks questions (`noaskquit`).
/// - ngspice reads `.spiceinit` from the working directory during `ngSpice_Init`; the call
///   runs with the engine thread's own working directory switched to an empty private one.
///   (`ngSpice_nospiceinit`
///   would be the clean way, but in ngspice 46 it dereferences uninitialised state and
///   segfaults when called before `ngSpice_Init`, which is the only time it could help.)
///   A `.spiceinit` in the home directory found through the password database cannot be
///   avoided that way; `EngineInfo.userInitFile` reports one if it exists.
/// - Numbers are parsed in the C locale: the process-wide `LC_NUMERIC` is forced to "C"
///   (a decimal comma would break every number in a deck) and the engine thread uses a C
///   locale of its own.
/// The environment is process-wide, so starts are serialised.
enum HermeticStart {
    private static let lock = NSLock()

    static func run(codeModels: [String], deviceThreads: Int, _ initialise: () -> Int32) throws -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("crossloop-start-\(getpid())-\(UUID().uuidString)")
        let scripts = root.appendingPathComponent("scripts")
        let empty = root.appendingPathComponent("cwd")
        do {
            try fm.createDirectory(at: scripts, withIntermediateDirectories: true)
            try fm.createDirectory(at: empty, withIntermediateDirectories: true)
            try script(codeModels: codeModels, deviceThreads: deviceThreads)
                .write(to: scripts.appendingPathComponent("spinit"), atomically: true, encoding: .utf8)
        } catch {
            throw NgspiceError(kind: .libraryUnavailable,
                               message: "cannot prepare ngspice start-up files in \(root.path): \(error.localizedDescription)")
        }
        defer { try? fm.removeItem(at: root) }

        forceCNumericLocale()
        let previousScripts = getenv("SPICE_SCRIPTS").map { String(cString: $0) }
        setenv("SPICE_SCRIPTS", scripts.path, 1)
        // The engine thread has a working directory of its own (see `ThreadWorkingDirectory`),
        // so this switch is invisible to the rest of the process.
        let previousDirectory = FileManager.default.currentDirectoryPath
        _ = chdir(empty.path)
        defer {
            _ = chdir(previousDirectory)
            if let previousScripts { setenv("SPICE_SCRIPTS", previousScripts, 1) } else { unsetenv("SPICE_SCRIPTS") }
        }
        return initialise()
    }

    static func script(codeModels: [String], deviceThreads: Int) -> String {
        var lines = [
            "* Crossloop start-up script, replacing ngspice's spinit for a reproducible start",
            "set noaskquit",
            "set nomoremode",
            "set filetype=binary",
            "set num_threads=\(max(1, deviceThreads))",
        ]
        lines += codeModels.map { "codemodel \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func forceCNumericLocale() {
        if let current = setlocale(LC_NUMERIC, nil), String(cString: current) != "C" {
            setlocale(LC_NUMERIC, "C")
        }
    }

    /// The user's `~/.spiceinit`, which ngspice 46 reads in any case, if one exists.
    static func userInitFile() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        let path = String(cString: directory) + "/.spiceinit"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}

/// Gives the calling thread a working directory of its own (Linux `unshare(CLONE_FS)`), so
/// that an engine can switch directories around `ngSpice_Init` without racing other threads.
/// ngspice's own threads, created from the engine thread, share it.
enum ThreadWorkingDirectory {
    static func detachFromProcess() {
        #if os(Linux)
        // unshare(2) needs _GNU_SOURCE, which the Glibc module does not expose.
        typealias Unshare = @convention(c) (Int32) -> Int32
        let cloneFS: Int32 = 0x0000_0200
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") {
            _ = unsafeBitCast(symbol, to: Unshare.self)(cloneFS)
        }
        #endif
    }
}
