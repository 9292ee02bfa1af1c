import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the commands write lands where the user pointed, or they say why not: never over a
/// device or a directory, through symbolic links, and never a silent exit 0.
@Suite("Output files")
struct OutputFileTests: CLISuite {
    static let matrix = "%%MatrixMarket matrix array real general\n2 2\n2\n0\n0\n2\n"

    @Test("a device, a directory or a missing folder is refused with exit 2 before any work, in words")
    func refused() throws {
        let dir = try directory(["A.mtx": Self.matrix])
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder"), withIntermediateDirectories: false)
        var cases = [("folder", "it is a directory"), ("missing/v.json", "no directory")]
        if FileManager.default.fileExists(atPath: "/dev/full") { cases.append(("/dev/full", "it is a device")) }
        for (path, reason) in cases {
            for command in [["solve", "--matrix", "A.mtx", "--json", path], ["analyze", "--matrix", "A.mtx", "--json", path],
                            ["generate", "--matrix", "A.mtx", "--deck", path]] {
                let result = try CLIRunner.run(command, in: dir)
                #expect(result.status == 2, "\(command): exit \(result.status)")
                #expect(result.stderr == "error: cannot write \(path): \(reason)" + (reason == "no directory" ? " \(dir.appendingPathComponent("missing").path)\n" : "; name a file\n"),
                        "\(command): \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(command) worked before refusing: \(result.stdout.prefix(80))")
            }
        }
    }

    @Test("a symbolic link is written through: the link stays, the file it names gets the output")
    func throughSymlink() throws {
        let dir = try directory(["A.mtx": Self.matrix, "real.json": "old"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real.json")
        let result = try CLIRunner.run(["solve", "--matrix", "A.mtx", "--json", "link.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == "real.json")
        let written = try String(contentsOf: dir.appendingPathComponent("real.json"), encoding: .utf8)
        #expect(written.contains("\"solution\""))
    }

    @Test("a second sweep into the directory a sweep is writing is refused, exit 2")
    func sweepLock() throws {
        let dir = try directory(["s.json": "{\"problem\": {\"generate\": {\"kind\": \"spd\", \"size\": 4}}, \"samples\": 2}"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // This process plays the running sweep: it holds the journal's lock.
        let fd = open(out.appendingPathComponent("rows.jsonl.lock").path, O_CREAT | O_RDWR, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        let blocked = try CLIRunner.run(["sweep", "s.json", "--out", "out", "--jobs", "1"], in: dir)
        #expect(blocked.status == 2, "exit \(blocked.status): \(blocked.stderr)")
        #expect(blocked.stderr.contains("another sweep is writing"), "\(blocked.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("rows.jsonl").path))
        close(fd)
        let free = try CLIRunner.run(["sweep", "s.json", "--out", "out", "--jobs", "1"], in: dir)
        #expect(free.status == 0, "exit \(free.status): \(free.stderr)")
    }
}
