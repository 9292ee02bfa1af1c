import CNgspice
import Foundation

/// One private copy of libngspice, loaded with `dlopen` from a file copy of its own.
///
/// ngspice keeps all simulator state in globals, and `dlopen` of a path already loaded
/// returns the same handle; a byte copy under another name gets separate globals, so each
/// engine uses one copy at a time. After a fatal exit a copy cannot be re-initialised
/// (calling `ngSpice_Init` again segfaults), so the engine takes a fresh one.
///
/// The first instance of a process uses the library at its own path (and the code models at
/// theirs), which saves copying about 10 MB when a process needs only one engine; every
/// further instance is a private copy.
///
/// Copies are never unloaded: `dlclose` raced with threads still finishing inside the copy
/// (thread-exit destructors, ngspice's own threads) and crashed about one test run in five.
/// Healthy copies are recycled instead (`LibraryCache`), so a process holds at most as many
/// copies as it ever had engines alive at once, plus one per fatal exit.
/// Only the thread of the engine currently holding a copy calls into it.
final class LoadedLibrary: @unchecked Sendable {
    // Safe: immutable after init except through calls made by one engine thread at a time.
    typealias InitFunction = @convention(c) (
        SendCharFunction?, SendStatFunction?, ControlledExitFunction?, UnsafeMutableRawPointer?,
        UnsafeMutableRawPointer?, BackgroundRunningFunction?, UnsafeMutableRawPointer?
    ) -> Int32
    typealias CommandFunction = @convention(c) (UnsafeMutablePointer<CChar>?) -> Int32
    typealias CircFunction = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
    typealias VecInfoFunction = @convention(c) (UnsafeMutablePointer<CChar>?) -> UnsafeMutablePointer<vector_info>?
    typealias AllPlotsFunction = @convention(c) () -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    typealias AllVecsFunction = @convention(c) (UnsafeMutablePointer<CChar>?) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    private let handle: UnsafeMutableRawPointer
    private let command: CommandFunction
    private let circ: CircFunction
    private let vecInfo: VecInfoFunction
    private let allPlots: AllPlotsFunction
    private let allVecs: AllVecsFunction

    /// ngspice's own version string, e.g. "46".
    let version: String
    /// Whether this build has the KLU solver.
    let hasKLU: Bool
    /// ngspice limits one command to 1023 characters and silently cuts longer ones.
    static let maximumCommandLength = 1023

    /// Receives this copy's callbacks for whichever engine holds it.
    let sink = CallbackSink()
    let location: LibraryLocation

    /// - Parameter primary: load the library from its own path (no copy). Only one instance
    ///   in a process may do so: the dynamic linker hands every `dlopen` of a path the same
    ///   copy.
    init(location: LibraryLocation, deviceThreads: Int, primary: Bool = false) throws {
        self.location = location
        let copy = primary ? location.libraryPath : try PrivateCopy.make(of: location.libraryPath)
        defer { if !primary { unlink(copy) } }  // the mapping stays valid; nothing is left behind in /tmp
        guard let handle = dlopen(copy, Self.openFlags) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw NgspiceError(kind: .libraryUnavailable, message: "cannot load \(location.libraryPath): \(reason)")
        }
        self.handle = handle
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else {
                throw NgspiceError(kind: .libraryUnavailable,
                                   message: "\(location.libraryPath) has no symbol \(name); is it libngspice?")
            }
            return unsafeBitCast(pointer, to: type)
        }
        let initialise = try symbol("ngSpice_Init", as: InitFunction.self)
        command = try symbol("ngSpice_Command", as: CommandFunction.self)
        circ = try symbol("ngSpice_Circ", as: CircFunction.self)
        vecInfo = try symbol("ngGet_Vec_Info", as: VecInfoFunction.self)
        allPlots = try symbol("ngSpice_AllPlots", as: AllPlotsFunction.self)
        allVecs = try symbol("ngSpice_AllVecs", as: AllVecsFunction.self)

        // Code models hold a pointer to the core that loaded them; loaded from one shared
        // path they would call back into whichever copy loaded them last. Each copy gets
        // private copies of the code models too.
        let codeModels = primary ? location.codeModels : try location.codeModels.map { try PrivateCopy.make(of: $0, suffix: ".cm") }
        defer { if !primary { for model in codeModels { unlink(model) } } }
        let user = Unmanaged.passUnretained(sink).toOpaque()
        let status = try HermeticStart.run(codeModels: codeModels, deviceThreads: deviceThreads) {
            initialise(sendCharCallback, sendStatCallback, controlledExitCallback, nil, nil,
                       backgroundRunningCallback, user)
        }
        let startup = sink.drain()
        guard status == 0, !sink.hasExited else {
            throw NgspiceError(kind: .libraryUnavailable, message: "ngSpice_Init failed (status \(status))",
                               diagnostics: startup)

        }
        // The full banner names the version and says whether KLU was compiled in.
        _ = Self.send(command, "version -f")
        let banner = sink.drain()
        version = banner.lazy.compactMap { Self.parseVersion($0.text) }.first ?? "unknown"
        hasKLU = banner.contains { $0.text.contains("KLU") }
        baselineVariables = variableNames()
    }



    /// `RTLD_LOCAL` keeps each copy's symbols out of the global scope. `RTLD_DEEPBIND` makes
    /// a copy resolve its own exported API functions to itself even though SwiftPM links the
    /// system libngspice into the executable (pkg-config's `-lngspice`): without it, a call
    /// from one exported function to another inside a copy could land in the global copy.
    static var openFlags: Int32 {
        #if os(Linux)
        return RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND
        #else
        return RTLD_NOW | RTLD_LOCAL
        #endif
    }

    // MARK: Calls

    /// Sends one interpreter command; returns ngspice's (mostly meaningless) status.
    @discardableResult
    func send(_ text: String) throws -> Int32 {
        guard text.utf8.count <= Self.maximumCommandLength else {
            throw NgspiceError(kind: .invalidCommand,
                               message: "command longer than \(Self.maximumCommandLength) characters: \(text.prefix(60))...")
        }
        guard !text.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw NgspiceError(kind: .invalidCommand, message: "command contains a line break")
        }
        return Self.send(command, text)
    }

    private static func send(_ command: CommandFunction, _ text: String) -> Int32 {
        text.withCString { command(UnsafeMutablePointer(mutating: $0)) }
    }

    /// The names of the interpreter's user variables (`set` lists them; internal ones, marked
    /// `*`, are left out).
    func variableNames() -> Set<String> {
        _ = sink.drain()
        _ = Self.send(command, "set")
        var names = Set<String>()
        for line in sink.drain() where line.stream == .stdout && !line.text.hasPrefix("*") {
            if let name = line.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).first { names.insert(String(name)) }
        }
        return names
    }

    /// A copy whose background thread could not be stopped: never called again, never
    /// recycled.
    private(set) var isAbandoned = false
    func abandon() { isAbandoned = true }

    /// Variables present when the copy started: what a run must leave behind.
    private(set) var baselineVariables: Set<String> = []

    /// Loads a circuit from lines (ngspice copies them).
    func loadCircuit(_ lines: [String]) -> Int32 {
        var pointers: [UnsafeMutablePointer<CChar>?] = lines.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeMutableBufferPointer { circ($0.baseAddress) }
    }

    func plotNames() -> [String] { Self.strings(allPlots()) }

    func vectorNames(plot: String) -> [String] {
        plot.withCString { Self.strings(allVecs(UnsafeMutablePointer(mutating: $0))) }
    }

    /// Copies one vector out at once: ngspice reuses the struct on the next call and its
    /// data pointers point into simulator memory that the next command may free.
    func copyVector(_ qualifiedName: String, as name: String) -> SpiceVector? {
        qualifiedName.withCString { pointer -> SpiceVector? in
            guard let info = vecInfo(UnsafeMutablePointer(mutating: pointer))?.pointee else { return nil }
            let count = Int(info.v_length)
            if let real = info.v_realdata {
                return SpiceVector(name: name, values: .real(Array(UnsafeBufferPointer(start: real, count: count))))
            }
            if let complex = info.v_compdata {
                let buffer = UnsafeBufferPointer(start: complex, count: count)
                return SpiceVector(name: name, values: .complex(buffer.map { ComplexSample($0.cx_real, $0.cx_imag) }))
            }
            return SpiceVector(name: name, values: .real([]))
        }
    }

    private static func strings(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        guard var cursor = array else { return [] }
        var out: [String] = []
        while let entry = cursor.pointee {
            out.append(String(cString: entry))
            cursor += 1
        }
        return out
    }

    /// "** ngspice-46 : Circuit level ..." -> "46"; "ngspice-39.3" -> "39.3".
    static func parseVersion(_ line: String) -> String? {
        guard let range = line.range(of: "ngspice-") else { return nil }
        let version = line[range.upperBound...].prefix { $0.isNumber || $0 == "." || $0.isLetter && $0 != " " }
        let trimmed = version.prefix { $0 != " " }
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

/// Byte copies of the library, one per load, under unique names.
enum PrivateCopy {
    static func make(of path: String, suffix: String = ".so") throws -> String {
        let directory = FileManager.default.temporaryDirectory.path
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let name = "crossloop-\(base)-\(getpid())-\(UUID().uuidString)\(suffix)"
        let destination = directory + "/" + name
        do {
            try FileManager.default.copyItem(atPath: path, toPath: destination)
        } catch {
            throw NgspiceError(kind: .libraryUnavailable,
                               message: "cannot copy \(path) to \(directory): \(error.localizedDescription)")
        }
        return destination
    }
}
