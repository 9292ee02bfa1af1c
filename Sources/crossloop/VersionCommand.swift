import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Ngspice

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the Crossloop version, the ngspice library it loads and its solvers."
    )

    func run() async throws {
        print("crossloop \(CrossloopVersion.string)")
        let engine = try NgspiceEngine()
        let info = engine.info
        print("ngspice \(info.ngspiceVersion) (\(info.libraryPath))")
        print(info.hasKLU
              ? "solver: KLU available (used by default; Sparse 1.3 on request)"
              : "solver: Sparse 1.3 only (no KLU in this build; Scripts/bootstrap.sh installs one with KLU where backports are reachable)")
        if info.codeModels.isEmpty {
            print("XSPICE code models: none found (install the `ngspice` package for A devices)")
        } else {
            let directory = info.codeModels[0].split(separator: "/").dropLast().joined(separator: "/")
            print("XSPICE code models: \(info.codeModels.count) from /\(directory)")
        }
        if let userInit = info.userInitFile {
            print("warning: ngspice also read \(userInit) (it cannot be skipped in this ngspice version)")
        }
    }
}
