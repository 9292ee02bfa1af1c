import Foundation
import Testing

@testable import Ngspice

/// `DeckReader` reads decks as ngspice 46 reads them (the rules were checked against the
/// `ngspice` binary; see the "Running designers' decks" article).
@Suite("Decks are read as ngspice reads them")
struct DeckReaderTests {
    func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return url
    }

    func read(_ files: [String: String], _ deck: String = "deck.cir", policy: ((URL) -> SandboxPolicy)? = nil) throws -> PreparedDeck {
        let url = try folder(files)
        defer { try? FileManager.default.removeItem(at: url) }
        let sandbox = policy?(url) ?? .forDeck(in: url.path, output: url.path)
        return try DeckReader.read(file: url.appendingPathComponent(deck).path, policy: sandbox)
    }

    @Test("a .lib section is found without regard to case, nested references resolve beside the library")
    func librarySections() throws {
        let deck = try read([
            "deck.cir": "t\n.LIB 'models/corners.lib' TT\nV1 1 0 1\n.op\n.end\n",
            "models/corners.lib": ".lib ff\nRff 1 0 1\n.endl ff\n.lib tt\n.lib devices.lib res\nRtt 1 0 2\n.ENDL\n",
            "models/devices.lib": ".lib res\nRdev 1 0 3\n.endlib\n",
        ])
        #expect(deck.lines.contains("Rtt 1 0 2"))
        #expect(deck.lines.contains("Rdev 1 0 3"))
        #expect(!deck.lines.contains("Rff 1 0 1"))
        #expect(deck.origins[deck.lines.firstIndex(of: "Rdev 1 0 3")!].description == "devices.lib:2")
    }

    @Test("a library without the section, and a .lib reference to itself, are refused")
    func librarySectionErrors() throws {
        #expect(throws: DeckRefusal.self) {
            try read(["deck.cir": "t\n.lib lib.l ss\n.op\n.end\n", "lib.l": ".lib tt\nR1 1 0 1\n.endl\n"])
        }
        let cycle = #expect(throws: DeckRefusal.self) {
            try read(["deck.cir": "t\n.lib lib.l tt\n.op\n.end\n", "lib.l": ".lib tt\n.lib lib.l tt\n.endl\n"])
        }
        #expect(cycle?.description.contains("lib.l") == true)
    }

    @Test("an included file has no title and reads on past .end; the deck reads on past .end too")
    func endIsAComment() throws {
        let deck = try read([
            "deck.cir": "title\n.include parts.inc\n.op\n.end\nR3 1 0 3\n.control\necho after end\n.endc\n",
            "parts.inc": "R1 1 0 1\n.end\nR2 1 0 2\n",
        ])
        #expect(deck.lines.first == "title")
        #expect(deck.lines.contains("R1 1 0 1") && deck.lines.contains("R2 1 0 2") && deck.lines.contains("R3 1 0 3"))
        #expect(deck.lines.filter { $0.lowercased() == ".end" }.count == 1)
        #expect(deck.script.map(\.text) == ["echo after end"])
    }

    @Test("control lines: prefixes, *# lines, comments, continuations, case, pre_ and quit")
    func controlLines() throws {
        let deck = try read(["deck.cir": """
            t
            V1 1 0 1
            *# echo From Comment
            .CONTROLS
            * a comment
            Print V(1) ; a comment
            let X = 1 $ another
            + + 2
            echo Keep Case
            pre_set ngbehavior=hsa
            if 1
              quit 3
            end
            quit
            echo never
            .endc
            .op
            .end
            """])
        #expect(deck.script.map(\.text) == [
            "echo From Comment", "print v(1)", "let x = 1 + 2", "echo Keep Case", "if 1",
            "set crossloop_quit = 3", "end",
        ])
        #expect(deck.prelude.map(\.text) == ["set ngbehavior=hsa"])
        #expect(deck.quitStatus == 0)
        #expect(deck.mayQuitInBlock)
        #expect(deck.analyses == ["op"])
    }

    @Test("a control block left open runs to the end of the deck, without the .end card")
    func openControlBlock() throws {
        let deck = try read(["deck.cir": "t\nV1 1 0 1\n.control\nop\nprint v(1)\n.end\n"])
        #expect(deck.script.map(\.text) == ["op", "print v(1)"])
        #expect(deck.lines == ["t", "V1 1 0 1", ".end"])
    }

    @Test("a binary include is refused before ngspice reads a byte of it")
    func binaryInclude() throws {
        let refusal = #expect(throws: DeckRefusal.self) {
            try read(["deck.cir": "t\n.include data.bin\n.op\n.end\n", "data.bin": "R1 1 0 1\u{1B}[31m\u{02}\n"])
        }
        #expect(refusal?.description.contains("not a text file") == true)
    }

    @Test("comments and blank lines are left out, so a continuation joins its card")
    func continuations() throws {
        let deck = try read(["deck.cir": "t\n.model d1 d(is=1e-14\n*+ n=2\n\n   \n+ rs=5)\nD1 1 0 d1\n.op\n.end\n"])
        #expect(deck.lines == ["t", ".model d1 d(is=1e-14", "+ rs=5)", "D1 1 0 d1", ".op", ".end"])
    }

    @Test("includes resolve in the working directory first, then beside the file; $VAR expands")
    func includePaths() throws {
        setenv("CROSSLOOP_TEST_MODELS", "sub", 1)
        defer { unsetenv("CROSSLOOP_TEST_MODELS") }
        let url = try folder([
            "deck.cir": "t\n.include $CROSSLOOP_TEST_MODELS/a.inc\n.op\n.end\n",
            "sub/a.inc": ".include b.inc\n",
            "sub/b.inc": "Rbeside 1 0 1\n",
            "b.inc": "Rworking 1 0 1\n",
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let beside = try DeckReader.read(file: url.appendingPathComponent("deck.cir").path,
                                         policy: .forDeck(in: url.path, output: url.appendingPathComponent("sub").path))
        #expect(beside.lines.contains("Rbeside 1 0 1"))
        let working = try DeckReader.read(file: url.appendingPathComponent("deck.cir").path,
                                          policy: .forDeck(in: url.path, output: url.path))
        #expect(working.lines.contains("Rworking 1 0 1"))
    }

    @Test("analysis sizes count tran, ac, dc and noise points", arguments: [
        (".tran 1n 1u", 1001.0), (".tran 1n 1u 0 0.1n", 10001), (".ac dec 10 1 1meg", 61), (".ac lin 50 1 2", 50),
        (".dc V1 0 1 0.1 V2 0 2 1", 33), (".noise v(out) V1 oct 4 1k 8k", 13),
    ])
    func sizes(_ card: String, _ points: Double) throws {
        let words = card.dropFirst().lowercased().split(whereSeparator: { " (),".contains($0) }).map(String.init)
        let counted = try #require(try AnalysisSize.points(words))
        #expect(abs(counted - points) < 1e-6 * points, "\(card): \(counted)")
    }
}
