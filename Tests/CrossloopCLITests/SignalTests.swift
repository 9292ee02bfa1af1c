import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every stopping signal ends a command alike, mid-simulation: at once, with 128 + the
/// signal's number, no backtrace and no half-written output.
@Suite("Signals")
struct SignalTests: CLISuite {
    @Test("SIGINT, SIGTERM, SIGQUIT and SIGHUP stop a long transient within seconds", arguments: [SIGINT, SIGTERM, SIGQUIT, SIGHUP])
    func stops(signal: Int32) throws {
        let dir = try directory(["A.mtx": "%%MatrixMarket matrix array real general\n2 2\n2\n0\n0\n2\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        // A one-second transient at nanosecond steps runs for minutes.
        let result = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--fidelity", "behavioral", "--analysis", "tran",
                                        "--stop-time", "1", "--json", "v.json"], in: dir, signal: signal, after: 1.5)
        #expect(result.status == 128 + signal, "signal \(signal): exit \(result.status) after \(result.seconds) s: \(result.stderr.prefix(300))")
        #expect(result.seconds < 10, "signal \(signal): \(result.seconds) s")
        #expect(!result.stderr.contains("Backtrace") && !result.stderr.contains("Crash"), "\(result.stderr.prefix(300))")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("v.json").path))
    }
}
