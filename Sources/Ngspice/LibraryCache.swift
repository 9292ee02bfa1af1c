import Foundation

/// The process's library copies: engines take one when they start and give it back when
/// they end; a copy that exited fatally or was abandoned is set aside for good. See `LoadedLibrary` for why
/// copies are recycled rather than unloaded.
enum LibraryCache {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [LoadedLibrary] = []
    /// Copies that exited fatally: never reused, but held so that their sinks outlive any
    /// callback a stray ngspice thread could still make.
    nonisolated(unsafe) private static var dead: [LoadedLibrary] = []
    /// Library paths whose own (uncopied) instance has been handed out.
    nonisolated(unsafe) private static var primaries: Set<String> = []

    /// A healthy copy for `location`, recycled when one is idle, else freshly loaded.
    /// Runs on the engine thread that will use it.
    static func take(location: LibraryLocation, deviceThreads: Int) throws -> LoadedLibrary {
        lock.lock()
        let index = idle.firstIndex { $0.location == location }
        let recycled = index.map { idle.remove(at: $0) }
        let primary = recycled == nil && primaries.insert(location.libraryPath).inserted
        lock.unlock()
        if let recycled {
            _ = recycled.sink.drain()
            try recycled.send("set num_threads=\(max(1, deviceThreads))")
            _ = recycled.sink.drain()
            return recycled
        }
        do {
            return try LoadedLibrary(location: location, deviceThreads: deviceThreads, primary: primary)
        } catch {
            if primary { lock.lock(); primaries.remove(location.libraryPath); lock.unlock() }
            throw error
        }
    }

    /// Returns a copy no engine uses any more.
    static func give(_ library: LoadedLibrary) {
        lock.lock()
        if library.sink.hasExited || library.isAbandoned { dead.append(library) } else { idle.append(library) }
        lock.unlock()
    }
}
