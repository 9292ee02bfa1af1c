import Foundation
import Testing

/// DeckComparison can fail: every kind of change a generator can make to a deck is reported,
/// and only last-digit noise of the kind other OpenBLAS kernels produce passes.
@Suite("Decks compared as decks")
struct DeckComparisonTests {
    /// A deck with every kind of card the generators write: title, header comments with
    /// numbers, options, a subcircuit, element cards, a source with parenthesised arguments,
    /// behavioural expressions, a .model with parameters, a wrapped .nodeset and analyses.
    static let deck = """
        crossloop inv 4x4 ideal
        * Command: crossloop generate --matrix Netlists/inputs/inv4.mtx --rhs Netlists/inputs/b4.csv
        * Expected outputs, volts (finite-gain reference): v1=-0.01817070899317293 v2=-0.17855396309933969 v3=-0.012065013587121613 v4=0.39999928000129603
        * Tolerance: relative 2-norm difference <= 2^-1 (the error model's bits)
        .options reltol=1e-09 abstol=1e-15 vntol=1e-12
        .subckt opamp inp inn out params: cc=6e-13 rz=1545.0498830292718 ibias=1e-05
        Egain out 0 inp inn 1000000
        Blimit y 0 V=max(min(v(x), 0.5), -0.5)
        Bwindup x 0 I=100*(max(v(x)-0.5, 0)+min(v(x)+0.5, 0))
        .ends opamp
        Xamp1 0 r1 v1 opamp
        Vin1 in1 0 dc -0.14566929133858267
        Rin1 in1 r1 11363.636363636362
        Rl1 r1 u1 441.1089583734306
        Cw1 u1 0 1e-15
        Ikick1 0 r1 dc 0 pulse(0 1.1544399066964633e-06 1.9014982863436418e-07 1.9014982863436418e-08
        + 1.9014982863436418e-08 1e-06 1)
        Man_3_4_n0 an_3_4_b0 vdd r3 0 cl90n w=2.35e-07 l=1e-07
        .model cl90n nmos(level=54 version=4.8 vth0=0.325 ub=1e-21 ub1=-1e-18 ndep=2.6e+18
        + u0=0.036 cgso=1.4e-10)
        .nodeset v(v1)=-0.018171061950589523 v(v2)=-0.17855434737324502 v(v3)=-0.012065158521851438
        + v(v4)=0.4 v(w1)=0.018171061950589523 v(r1)=0
        .tran 3.6628469316625716e-08 1.8772090524770682e-05 0 4.274239094915387e-09
        .end

        """

    static func compare(_ actual: String) -> DeckComparison { DeckComparison(expected: deck, actual: actual) }

    static func replacing(_ old: String, _ new: String) -> String {
        precondition(deck.contains(old), "the test deck has no \(old)")
        return deck.replacingOccurrences(of: old, with: new)
    }

    @Test("The deck equals itself, with every number compared")
    func identity() {
        let comparison = Self.compare(Self.deck)
        #expect(comparison.matches, "\(comparison.report())")
        #expect(comparison.expectedCards.count == 21)
        #expect(comparison.numbersCompared > 60)
        #expect(comparison.largestRelativeDifference == 0)
    }

    @Test("Last-digit differences, as another OpenBLAS kernel writes them, are the same deck")
    func lastDigits() {
        // The differences seen between machines: the last one or two digits of a 17-digit
        // number, a continuation wrapped elsewhere, a computed zero of a vector as +-1e-17,
        // and a number written in another SPICE notation.
        var other = Self.replacing("v3=-0.012065013587121613", "v3=-0.012065013587121611")
        other = other.replacingOccurrences(of: "441.1089583734306", with: "441.1089583734305")
        other = other.replacingOccurrences(of: "pulse(0 1.1544399066964633e-06", with: "pulse(0 1.1544399066964636e-06")
        other = other.replacingOccurrences(of: "3.6628469316625716e-08 1.8772090524770682e-05", with: "3.6628469316625855e-08 1.877209052477075e-05")
        other = other.replacingOccurrences(of: """
            .nodeset v(v1)=-0.018171061950589523 v(v2)=-0.17855434737324502 v(v3)=-0.012065158521851438
            + v(v4)=0.4 v(w1)=0.018171061950589523 v(r1)=0
            """, with: """
            .nodeset v(v1)=-0.018171061950589523 v(v2)=-0.17855434737324502
            + v(v3)=-0.012065158521851435 v(v4)=0.39999999999999997 v(w1)=0.018171061950589523 v(r1)=-2.7e-17
            """)
        other = other.replacingOccurrences(of: "ibias=1e-05", with: "ibias=10u")
        let comparison = Self.compare(other)
        #expect(comparison.matches, "\(comparison.report())")
        #expect(comparison.largestRelativeDifference > 1e-16 && comparison.largestRelativeDifference < 1e-14)
    }

    @Test("A changed element name is reported, with the card and the token", arguments: [
        ("Rin1 in1 r1", "Rinp1 in1 r1", "'Rin1' became 'Rinp1'"),
        ("Xamp1 0 r1 v1 opamp", "Xamp1 0 r1 v1 opamp2", "'opamp' became 'opamp2'"),
        (".tran 3.66", ".op\n.tran 3.66", "is not in"),
    ])
    func changedName(old: String, new: String, says: String) {
        let comparison = Self.compare(Self.replacing(old, new))
        #expect(!comparison.matches)
        #expect(comparison.report().contains(says), "\(comparison.report())")
    }

    @Test("A changed node is reported", arguments: [
        ("Rin1 in1 r1 ", "Rin1 in1 r2 "),
        ("Xamp1 0 r1 v1", "Xamp1 r1 0 v1"),
        ("Cw1 u1 0 1e-15", "Cw1 u1 1 1e-15"),
        ("v(w1)=0.018171061950589523", "v(w2)=0.018171061950589523"),
        ("Man_3_4_n0 an_3_4_b0 vdd", "Man_3_4_n0 an_3_5_b0 vdd"),
    ])
    func changedNode(old: String, new: String) throws {
        let comparison = Self.compare(Self.replacing(old, new))
        #expect(comparison.differences.count == 1, "\(comparison.report())")
        let first = try #require(comparison.differences.first)
        if case .changed = first {} else if case .number = first {} else {
            Issue.record("expected a changed card, got \(comparison.report())")
        }
    }

    @Test("A number off by 1e-6 relative is reported, wherever it stands", arguments: [
        ("Rin1 in1 r1 11363.636363636362", "Rin1 in1 r1 11363.647727272725"),
        ("pulse(0 1.1544399066964633e-06", "pulse(0 1.1544410611363700e-06"),
        ("w=2.35e-07", "w=2.35000235e-07"),
        ("v4=0.39999928000129603", "v4=0.39999968000057603"),
        ("v(r1)=0", "v(r1)=4e-7"),
        ("+ u0=0.036", "+ u0=0.036000036"),
        ("ub=1e-21", "ub=1.000001e-21"),
        ("Cw1 u1 0 1e-15", "Cw1 u1 0 1.000001e-15"),
        ("V=max(min(v(x), 0.5), -0.5)", "V=max(min(v(x), 0.5), -0.5000005)"),
        ("Vin1 in1 0 dc -0.14566929133858267", "Vin1 in1 0 dc -0.14566943700787400"),
    ])
    func numberOff(old: String, new: String) throws {
        let comparison = Self.compare(Self.replacing(old, new))
        #expect(comparison.differences.count == 1, "\(comparison.report())")
        let first = try #require(comparison.differences.first)
        guard case let .number(expected, actual, token, relative) = first else {
            Issue.record("expected a number difference, got \(comparison.report())")
            return
        }
        #expect(relative > 5e-7 && relative < 2e-6, "relative difference \(relative)")
        #expect(old.contains(expected.tokens[token].text) && new.contains(actual.tokens[token].text))
        let report = comparison.report()
        #expect(report.contains("line \(expected.line)") && report.contains("became"), "\(report)")
    }

    @Test("Small values stated on purpose are not hidden by the absolute floor")
    func smallValues() {
        for (old, new) in [("Cw1 u1 0 1e-15", "Cw1 u1 0 2e-15"), ("abstol=1e-15", "abstol=1e-16"),
                           ("ub=1e-21", "ub=0"), ("Cw1 u1 0 1e-15", "Cw1 u1 0 1f")] {
            let comparison = Self.compare(Self.replacing(old, new))
            // 1f is 1e-15 written in SPICE notation: the same deck.
            #expect(comparison.matches == (new == "Cw1 u1 0 1f"), "\(old) -> \(new): \(comparison.report())")
        }
        #expect(!Self.compare(Self.replacing("ibias=1e-05", "ibias=10n")).matches)
        #expect(!Self.compare(Self.replacing("ibias=1e-05", "ibias=1e-05A")).matches)
    }

    @Test("A missing card is reported as missing, once, with its line")
    func missingCard() throws {
        let comparison = Self.compare(Self.replacing("Rin1 in1 r1 11363.636363636362\n", ""))
        #expect(comparison.differences.count == 1, "\(comparison.report())")
        guard case let .missing(card) = try #require(comparison.differences.first) else {
            Issue.record("expected a missing card, got \(comparison.report())"); return
        }
        #expect(card.line == 13 && card.text.hasPrefix("Rin1"))
        #expect(comparison.report().contains("line 13 is missing"), "\(comparison.report())")
        // A missing continuation line is a changed card.
        #expect(!Self.compare(Self.replacing("+ u0=0.036 cgso=1.4e-10)\n", "")).matches)
    }

    @Test("An extra card is reported as extra, once, with its line")
    func extraCard() throws {
        let comparison = Self.compare(Self.replacing("Rl1 r1 u1", "Rx r1 0 1e6\nRl1 r1 u1"))
        #expect(comparison.differences.count == 1, "\(comparison.report())")
        guard case let .extra(card) = try #require(comparison.differences.first) else {
            Issue.record("expected an extra card, got \(comparison.report())"); return
        }
        #expect(card.line == 14 && card.text == "Rx r1 0 1e6")
        // Two decks of other lengths never match, even with the same cards up to the end.
        #expect(!Self.compare(Self.deck + "* one more comment\n").matches)
        #expect(!Self.compare(String(Self.deck.dropLast(".end\n".count))).matches)
    }

    @Test("Comment lines are compared too: words exactly, numbers within the tolerance")
    func comments() {
        #expect(!Self.compare(Self.replacing("(finite-gain reference)", "(ideal reference)")).matches)
        #expect(!Self.compare(Self.replacing("<= 2^-1 (", "<= 2^-2 (")).matches)
        #expect(!Self.compare(Self.replacing("v2=-0.17855396309933969", "v2=-0.17855414165330279")).matches)
        #expect(Self.compare(Self.replacing("v2=-0.17855396309933969", "v2=-0.17855396309933972")).matches)
    }

    @Test("Tokens: SPICE numbers with suffixes, signs, pairs and expressions")
    func tokens() {
        func numbers(_ text: String) -> [Double] {
            DeckComparison.tokens(text).compactMap { if case let .number(v, _, _) = $0.kind { v } else { nil } }
        }
        func words(_ text: String) -> [String] {
            DeckComparison.tokens(text).compactMap { if case let .word(w) = $0.kind { w } else { nil } }
        }
        #expect(numbers("R1 a b 2.5k") == [2500])
        let scaled = numbers("C1 a 0 10u 1meg 3MEG 2f 1e-5 .5 4mil")
        let want = [0, 10e-6, 1e6, 3e6, 2e-15, 1e-5, 0.5, 101.6e-6]
        #expect(scaled.count == want.count && zip(scaled, want).allSatisfy { abs($0 - $1) <= 1e-15 * abs($1) }, "\(scaled)")
        #expect(numbers("V=max(min(v(x), 0.5), -0.5)") == [0.5, -0.5])
        #expect(numbers("I=100*(max(v(x)-0.5, 0)+min(v(x)+0.5, 0))") == [100, 0.5, 0, 0.5, 0])
        #expect(words("I=100*(max(v(x)-0.5, 0))").contains("-"))
        #expect(numbers("x=-0.4 y=+2e+20") == [-0.4, 2e20])
        #expect(words("Man_3_4_n0 an_3_4_b0 sky130_fd_pr__nfet_01v8 01v8 .nodeset") == ["Man_3_4_n0", "an_3_4_b0", "sky130_fd_pr__nfet_01v8", "01v8", ".nodeset"])
        let pairs = DeckComparison.tokens(".nodeset v(v1)=-0.1 v(w3)=0.2 x3=1 ub=2").compactMap { token -> String? in
            if case let .number(_, _, vector) = token.kind { vector } else { nil }
        }
        #expect(pairs == ["v()", "v()", "x"])
    }
}
