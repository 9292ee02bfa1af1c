import Foundation
import Testing

/// A deck is code: what it may reach outside the simulation, refused before anything runs
/// (the tests check that no file appeared) and allowed on purpose by a flag.
@Suite("simulate keeps a deck inside its sandbox")
struct SandboxTests {
    /// A folder with the deck and an `outside` folder beside it that the deck must not reach.
    struct Setup {
        var root: URL
        var deckFolder: URL
        var outside: URL
        var marker: URL { outside.appendingPathComponent("pwned") }
        func deck(_ name: String) -> String { deckFolder.appendingPathComponent(name).path }
    }

    func setup(_ files: [String: String]) throws -> Setup {
        let root = try CLIRunner.makeTemporaryDirectory()
        let deckFolder = root.appendingPathComponent("deck"), outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: deckFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let setup = Setup(root: root, deckFolder: deckFolder, outside: outside)
        for (name, text) in files {
            let text = text.replacingOccurrences(of: "MARKER", with: setup.marker.path)
                .replacingOccurrences(of: "OUTSIDE", with: outside.path)
            let url = name.hasPrefix("outside/") ? root.appendingPathComponent(name) : deckFolder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return setup
    }

    static let circuit = "V1 1 0 1\nR1 1 0 1k\n.op\n"

    static let refusedDecks: [(String, String)] = [
        ("shell in .control", "t\n\(circuit).control\nshell touch MARKER\n.endc\n.end\n"),
        ("*# shell", "t\n\(circuit)*# shell touch MARKER\n.end\n"),
        ("write to an absolute path", "t\n\(circuit).control\nop\nwrite MARKER v(1)\n.endc\n.end\n"),
        ("redirection", "t\n\(circuit).control\nop\nprint v(1) > MARKER\n.endc\n.end\n"),
        ("back-quotes", "t\n\(circuit).control\necho `touch MARKER`\n.endc\n.end\n"),
        (".control;x", "t\n\(circuit).control;x\nshell touch MARKER\n.endc\n.end\n"),
        (".controls", "t\n\(circuit).controls\nshell touch MARKER\n.endc\n.end\n"),
        (".control and a form feed", "t\n\(circuit).control\u{0C}\nshell touch MARKER\n.endc\n.end\n"),
        (".control and a vertical tab", "t\n\(circuit).control\u{0B}\nshell touch MARKER\n.endc\n.end\n"),
        (".control and a no-break space", "t\n\(circuit).control\u{A0}\nshell touch MARKER\n.endc\n.end\n"),
        ("a separator smuggled in a variable", "t\n\(circuit).control\nset s=\";\"\necho a $s shell touch MARKER\n.endc\n.end\n"),
        ("an unknown command (ngspice would source a file of that name)", "t\n\(circuit).control\nmyscript\n.endc\n.end\n"),
        ("set unixcom", "t\n\(circuit).control\nset unixcom\ntouch MARKER\n.endc\n.end\n"),
    ]

    @Test("a command reaching outside is refused without running, naming file and line", arguments: refusedDecks.indices)
    func refused(_ index: Int) throws {
        let (what, text) = Self.refusedDecks[index]
        let setup = try setup(["deck.cir": text])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        let result = try CLIRunner.run(["simulate", setup.deck("deck.cir")], in: setup.deckFolder)
        #expect(result.status == 2, "\(what): \(result.stderr)")
        #expect(result.stderr.contains("deck.cir:"), "\(what): \(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(what): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.marker.path), "\(what) ran")
    }

    @Test("shell commands run when --allow-shell is given")
    func allowedShell() throws {
        let setup = try setup(["deck.cir": "t\n\(Self.circuit).control\nshell touch MARKER\n.endc\n.end\n"])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        let result = try CLIRunner.run(["simulate", setup.deck("deck.cir"), "--allow-shell"], in: setup.deckFolder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: setup.marker.path))
    }

    @Test("writes outside run when --allow-paths names the folder; inside the deck's folder they always run")
    func allowedPaths() throws {
        let text = "t\n\(Self.circuit).control\nop\nwrite MARKER v(1)\nwrdata local.txt v(1)\n.endc\n.end\n"
        let setup = try setup(["deck.cir": text])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        let result = try CLIRunner.run(["simulate", setup.deck("deck.cir"), "--allow-paths", setup.outside.path],
                                       in: setup.deckFolder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: setup.marker.path))
        #expect(FileManager.default.fileExists(atPath: setup.deckFolder.appendingPathComponent("local.txt").path))
    }

    @Test("includes outside the deck's folder, and control blocks in included libraries, are refused")
    func includes() throws {
        let library = ".lib tt\nR9 1 0 1meg\n.control\nshell touch MARKER\n.endc\n.endl tt\n"
        let setup = try setup([
            "outside.cir": "t\n.include OUTSIDE/models.inc\n\(Self.circuit).end\n",
            "outside/models.inc": "R5 1 0 1k\n",
            "lib.cir": "t\n.lib corners.lib tt\n\(Self.circuit).end\n",
            "corners.lib": library,
            "dots.cir": "t\n.include ../outside/models.inc\n\(Self.circuit).end\n",
        ])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        for deck in ["outside.cir", "dots.cir"] {
            let result = try CLIRunner.run(["simulate", setup.deck(deck)], in: setup.deckFolder)
            #expect(result.status == 2, "\(deck): \(result.stderr)")
            #expect(result.stderr.contains("--allow-paths"), "\(result.stderr)")
            #expect(!result.stderr.contains("R5 1 0"), "the file's contents must not be echoed")
        }
        let lib = try CLIRunner.run(["simulate", setup.deck("lib.cir")], in: setup.deckFolder)
        #expect(lib.status == 2, "\(lib.stderr)")
        #expect(lib.stderr.contains("corners.lib:4"), "\(lib.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.marker.path))
        let allowed = try CLIRunner.run(["simulate", setup.deck("outside.cir"), "--allow-paths", setup.outside.path],
                                        in: setup.deckFolder)
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test("self-including, mutually including and unreadable includes are refused, never a crash")
    func hostileIncludes() throws {
        let setup = try setup([
            "self.cir": "t\n.include self.cir\n\(Self.circuit).end\n",
            "a.cir": "t\n.include b.inc\n\(Self.circuit).end\n",
            "b.inc": ".include c.inc\n",
            "c.inc": ".include b.inc\n",
            "folder.cir": "t\n.include .\n\(Self.circuit).end\n",
            "empty.cir": "t\n.include \"\"\n\(Self.circuit).end\n",
            "device.cir": "t\n.include /dev/zero\n\(Self.circuit).end\n",
        ])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        let expected = ["self.cir": "includes itself", "a.cir": "include cycle", "folder.cir": "a directory",
                        "empty.cir": "empty path", "device.cir": "outside the folders"]
        for (deck, phrase) in expected {
            let result = try CLIRunner.run(["simulate", setup.deck(deck)], in: setup.deckFolder)
            #expect(result.status == 2, "\(deck): \(result.stderr)")
            #expect(result.stderr.contains(phrase), "\(deck): \(result.stderr)")
        }
        // A readable file that is no deck: ngspice refuses its first line, which is named by
        // place and never quoted.
        let notDeck = try self.setup(["notdeck.cir": "t\n.include users.txt\n\(Self.circuit).end\n",
                                      "users.txt": "root:x:0:0:root:/root:/bin/bash\n"])
        defer { try? FileManager.default.removeItem(at: notDeck.root) }
        let echoed = try CLIRunner.run(["simulate", notDeck.deck("notdeck.cir")], in: notDeck.deckFolder)
        #expect(echoed.status == 3)
        #expect(echoed.stderr.contains("users.txt:1"), "\(echoed.stderr)")
        #expect(!echoed.stderr.contains("/bin/bash"), "\(echoed.stderr)")
        let device = try CLIRunner.run(["simulate", setup.deck("device.cir"), "--allow-paths", "/dev"], in: setup.deckFolder)
        #expect(device.status == 2)
        #expect(device.stderr.contains("not a regular file"), "\(device.stderr)")
    }

    @Test("an analysis too large to finish is refused before it runs; --max-points raises the limit")
    func analysisSize() throws {
        let setup = try setup([
            "tran.cir": "t\nV1 1 0 1\nR1 1 0 1k\n.tran 1f 1\n.end\n",
            "infinite.cir": "t\nV1 1 0 1\nR1 1 0 1k\n.tran 1n 1e400\n.end\n",
            "ac.cir": "t\nV1 1 0 ac 1\nR1 1 0 1k\n.ac dec 1e9 1 1g\n.end\n",
            "dc.cir": "t\nV1 1 0 1\nR1 1 0 1k\n.dc V1 0 1 1e-9\n.end\n",
            "control.cir": "t\nV1 1 0 1\nR1 1 0 1k\n.control\ntran 1f 1\n.endc\n.end\n",
            "small.cir": "t\nV1 1 0 1\nR1 1 0 1k\n.dc V1 0 1 0.01\n.end\n",
        ])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        for deck in ["tran.cir", "infinite.cir", "ac.cir", "dc.cir", "control.cir"] {
            let result = try CLIRunner.run(["simulate", setup.deck(deck)], in: setup.deckFolder)
            #expect(result.status == 2, "\(deck): \(result.stderr)")
            #expect(result.stderr.contains("\(deck):"), "\(result.stderr)")
            #expect(result.seconds < 10)
        }
        #expect(try CLIRunner.run(["simulate", setup.deck("small.cir")], in: setup.deckFolder).status == 0)
        let limited = try CLIRunner.run(["simulate", setup.deck("small.cir"), "--max-points", "50"], in: setup.deckFolder)
        #expect(limited.status == 2)
        #expect(limited.stderr.contains("--max-points"))
    }

    @Test("--timeout stops a deck stuck in its operating point within 5 s")
    func timeoutStopsOperatingPoint() throws {
        // A 200 x 200 resistor grid: one sparse factorisation takes far longer than the
        // limit, and ngspice checks for a halt only between transient steps.
        var lines = ["resistor grid", "V1 n0_0 0 1"]
        let n = 200
        for i in 0..<n {
            for j in 0..<n {
                if i + 1 < n { lines.append("Rv\(i)_\(j) n\(i)_\(j) n\(i + 1)_\(j) 1k") }
                if j + 1 < n { lines.append("Rh\(i)_\(j) n\(i)_\(j) n\(i)_\(j + 1) 1k") }
            }
        }
        lines += ["Rg n\(n - 1)_\(n - 1) 0 1k", ".op", ".end"]
        let setup = try setup(["grid.cir": lines.joined(separator: "\n") + "\n"])
        defer { try? FileManager.default.removeItem(at: setup.root) }
        let result = try CLIRunner.run(["simulate", setup.deck("grid.cir"), "--timeout", "2"], in: setup.deckFolder)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("time limit"))
        #expect(result.seconds < 5, "took \(result.seconds) s")
    }
}
