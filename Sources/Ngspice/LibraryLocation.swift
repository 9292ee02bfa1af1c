import Foundation

/// Where libngspice and its XSPICE code models live on this machine.
///
/// Debian splits them: `libngspice0` ships the shared object, the `ngspice` package the
/// code models (`analog.cm`, `digital.cm`, ...) in `<libdir>/ngspice`. Without the code
/// models, XSPICE `A` devices fail with "unable to find definition of model".
public struct LibraryLocation: Sendable, Hashable {
    /// The shared object that engines copy and load.
    public var libraryPath: String
    /// The `.cm` code-model files loaded into every engine (may be empty).
    public var codeModels: [String]

    public init(libraryPath: String, codeModels: [String]) {
        self.libraryPath = libraryPath
        self.codeModels = codeModels
    }

    /// Environment overrides: `CROSSLOOP_LIBNGSPICE` (the `.so` path) and
    /// `CROSSLOOP_NGSPICE_CODEMODELS` (a directory of `.cm` files).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> LibraryLocation
    {
        let fm = FileManager.default
        var candidates: [String] = []
        if let explicit = environment["CROSSLOOP_LIBNGSPICE"], !explicit.isEmpty { candidates.append(explicit) }
        let directories = (environment["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
               "/usr/local/lib", "/opt/homebrew/lib"]
        for directory in directories {
            for name in ["libngspice.so.0", "libngspice.so", "libngspice.dylib", "libngspice.0.dylib"] {
                candidates.append(directory + "/" + name)
            }
        }
        guard let found = candidates.first(where: { fm.fileExists(atPath: $0) }) else {
            throw NgspiceError(kind: .libraryUnavailable,
                               message: "libngspice not found (looked in \(directories.joined(separator: ", "))); run Scripts/bootstrap.sh or set CROSSLOOP_LIBNGSPICE")
        }
        let library = (try? fm.destinationOfSymbolicLinkRecursively(found)) ?? found
        let codeModelDirectory = environment["CROSSLOOP_NGSPICE_CODEMODELS"]
            ?? (URL(fileURLWithPath: found).deletingLastPathComponent().appendingPathComponent("ngspice").path)
        let codeModels = ((try? fm.contentsOfDirectory(atPath: codeModelDirectory)) ?? [])
            .filter { $0.hasSuffix(".cm") }
            .sorted()
            .map { codeModelDirectory + "/" + $0 }
        return LibraryLocation(libraryPath: library, codeModels: codeModels)
    }
}

extension FileManager {
    /// Follows a chain of symbolic links to the real file.
    func destinationOfSymbolicLinkRecursively(_ path: String) throws -> String {
        var current = path
        for _ in 0..<16 {
            guard let destination = try? destinationOfSymbolicLink(atPath: current) else { return current }
            current = destination.hasPrefix("/")
                ? destination
                : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(destination).path
        }
        return current
    }
}
