import Foundation
import Testing

@testable import Netlist

/// No user-supplied name or text can add a card to a deck.
@Suite("Card injection")
struct InjectionTests {
    static let hostile = [
        "a\n.include /etc/passwd", "x\r.op", ".end", "*comment", "n;1", "a b", "a=1", "v(a)", "{x}", "a$b",
        "\t", "", "né", "a.b", "R1\nV2 1 0 1",
    ]

    @Test("unsafe names are rejected with the reason", arguments: hostile)
    func rejected(name: String) {
        let deck = Deck(title: "t", elements: [.resistor("1", name, "0", 1)])
        #expect(throws: NetlistError.self) { try deck.text() }
        let model = Deck(title: "t", models: [Model(name: name, type: "nmos")])
        #expect(throws: NetlistError.self) { try model.text() }
        let instance = Deck(title: "t", elements: [.resistor(name, "a", "0", 1)])
        #expect(throws: NetlistError.self) { try instance.text() }
    }

    @Test("error messages stay on one line whatever the name")
    func oneLineErrors() {
        for name in Self.hostile {
            do {
                _ = try Deck(title: "t", elements: [.resistor("1", name, "0", 1)]).text()
                Issue.record("hostile node name \(name.debugDescription) was accepted")
            } catch {
                #expect(!"\(error)".contains("\n"), "\(error)")
            }
        }
    }

    @Test("expressions and paths cannot break out of their card")
    func freeText() {
        let expression = Deck(title: "t", elements: [.behavioural(BehaviouralSource(
            name: "1", plus: "a", minus: "0", kind: .voltage, expression: "1\n.include evil"))])
        #expect(throws: NetlistError.self) { try expression.text() }
        let comment = Deck(title: "t", elements: [.behavioural(BehaviouralSource(
            name: "1", plus: "a", minus: "0", kind: .voltage, expression: "1 ; hidden"))])
        #expect(throws: NetlistError.self) { try comment.text() }
        let unbalanced = Deck(title: "t", parameters: [Parameter("p", .expression("(1"))])
        #expect(throws: NetlistError.self) { try unbalanced.text() }
        let path = Deck(title: "t", includes: [.file("/tmp/a\"\n.op")])
        #expect(throws: NetlistError.self) { try path.text() }
    }

    @Test("titles and comments with newlines stay one line each")
    func titlesAndComments() throws {
        let deck = Deck(title: "title\n.include /etc/passwd", comments: ["c1\n.op", "c2"],
                        elements: [.resistor("1", "a", "0", 1)])
        let text = try deck.text()
        let cards = text.split(separator: "\n").dropFirst().filter { $0.hasPrefix(".") }
        #expect(cards == [".end"], "\(text)")
        #expect(text.hasPrefix("title .include /etc/passwd\n"))
    }

    @Test("random user names, sanitised, never produce an extra card")
    func fuzzSanitised() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019_ .*;$=(){}[]\n\r\t+-/\\\"'é€\u{0}\u{7}")
        for _ in 0..<2000 {
            let names = (0..<6).map { _ in
                String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            }
            let safe = names.map(SpiceName.sanitised)
            for name in safe { #expect(SpiceName.isValid(name), "\(quoted(name))") }
            var elements: [Element] = []
            for (index, node) in safe.enumerated() {
                elements.append(.resistor("r\(index)", node, "0", 1))
            }
            let deck = Deck(title: names.joined(), comments: names, elements: elements)
            let text = try deck.text()
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            // Exactly: comments, one resistor card per element, .end, trailing empty string.
            let cards = lines.filter { !$0.hasPrefix("*") && !$0.isEmpty }
            #expect(cards.count == elements.count + 1, "\(text)")
            #expect(cards.last == ".end")
            #expect(cards.dropLast().allSatisfy { $0.hasPrefix("r") })
        }
    }

    @Test("sanitising maps every disallowed character to _")
    func sanitise() {
        #expect(SpiceName.sanitised("out put\n") == "out_put_")
        #expect(SpiceName.sanitised("") == "_")
        #expect(SpiceName.sanitised(String(repeating: "a", count: 300)).count == SpiceName.maximumLength)
    }
}
