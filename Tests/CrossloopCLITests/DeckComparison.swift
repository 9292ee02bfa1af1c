import Foundation

/// Compares two SPICE decks as decks, not as bytes.
///
/// Both texts are split into cards: one card per line, with '+' continuation lines joined to
/// the card they continue (so a deck whose long .nodeset wraps at another place is the same
/// deck) and blank lines dropped. Comment lines are cards too, so the header's
/// "* Expected outputs ... v1=-0.0181..." lines are checked like any other. Each card is cut
/// into tokens: numbers (SPICE numbers with scale suffixes, `1e-5`, `10u`, `2.5k`, `1meg`,
/// signed, also the value of a `name=value` pair and a number inside parentheses or an
/// expression, `pulse(0 1.15e-06 ...)`, `max(v(x)-0.5, 0)`), and words (names, nodes,
/// keywords, punctuation), which must match exactly.
///
/// Numbers are compared within a tolerance, because the same generator on another CPU writes
/// other last digits: OpenBLAS picks its kernels by CPU (OPENBLAS_CORETYPE forces one), the
/// kernels round in another order, and the last-ulp differences of LAPACK's results
/// (eigenvalues of M, the finite-gain solutions) are amplified through the mapping (G0 and
/// G_in from the eigenvalues, the node voltages from a solve) by up to the condition number.
/// The decks in Netlists/ differ by at most 1.5e-14 relative between the kernels tried
/// (Prescott, Sandybridge, Haswell, Zen: the .tran step of eig-4x4-behavioral, from the
/// eigenvalues of M; GoldenNetlistTests prints the figure per deck), and a long .nodeset
/// wraps elsewhere when a number loses a digit, so
///
/// - `relativeTolerance` = 1e-9: a million times that, and still a thousand times below the
///   smallest change a deck means (the decks print 6 to 17 significant digits; a design change
///   moves values by 1e-6 or more, and the unit tests below check 1e-6 is caught).
/// - Values that form one vector, the `name=value` pairs of a card whose names differ only in
///   their index or node (`v1= v2= ...` of an Expected line, `v(v1)= v(w3)= v(r1)=` of a
///   .nodeset), are compared relative to the largest magnitude of that vector: LAPACK's error
///   bounds are normwise, so a component that should be zero comes out as ±1e-17 V next to
///   0.4 V and is as right as the 0.4 V.
/// - `absoluteTolerance` = 1e-30: only so that -0 and denormal noise equal 0. It is not the
///   usual 1e-15: the decks state values that small on purpose (wire capacitance 1e-15 F,
///   abstol=1e-15, BSIM ub=1e-21), and a floor of 1e-15 would accept 1f for 2f.
struct DeckComparison {
    static let relativeTolerance = 1e-9
    static let absoluteTolerance = 1e-30

    /// One card: its text (continuations joined with a space) and the 1-based line it starts on.
    struct Card {
        var line: Int
        var text: String
        var tokens: [Token]
        /// Words as they are, numbers as "#" and their unit: equal skeletons, same structure.
        var skeleton: [String] { tokens.map { $0.skeleton } }
    }

    struct Token {
        enum Kind: Equatable {
            case word(String)
            /// The value in SI units, the unit letters after the scale suffix (lowercased), and
            /// for the value of a `name=value` pair, the vector it belongs to.
            case number(Double, unit: String, vector: String?)
        }
        var kind: Kind
        var text: String
        /// Offset of the token in its card's text, in characters.
        var offset: Int

        var skeleton: String {
            switch kind {
            case let .word(word): return word
            case let .number(_, unit, _): return "#" + unit
            }
        }
    }

    /// What differs between the expected and the actual deck.
    enum Difference {
        /// Same structure, a number out of tolerance.
        case number(expected: Card, actual: Card, token: Int, relative: Double)
        /// Another structure: a word differs, or the cards have other token counts.
        case changed(expected: Card, actual: Card, token: Int)
        case missing(expected: Card)
        case extra(actual: Card)
    }

    let expectedCards: [Card]
    let actualCards: [Card]
    private(set) var differences: [Difference] = []
    /// The largest relative difference of the numbers of matched cards (in the measure the
    /// tolerance uses), whether within tolerance or not: the figure to watch across machines.
    private(set) var largestRelativeDifference = 0.0
    /// How many numbers were compared.
    private(set) var numbersCompared = 0

    var matches: Bool { differences.isEmpty }

    init(expected: String, actual: String) {
        expectedCards = Self.cards(expected)
        actualCards = Self.cards(actual)
        compare()
    }

    // MARK: Cards and tokens

    static func cards(_ text: String) -> [Card] {
        var cards: [(line: Int, text: String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("+"), !cards.isEmpty {
                cards[cards.count - 1].text += " " + line.dropFirst()
            } else {
                cards.append((index + 1, line))
            }
        }
        return cards.map { Card(line: $0.line, text: $0.text, tokens: tokens($0.text)) }
    }

    /// Characters that are a word of their own. '+' and '-' are too, unless they sign a number.
    private static let punctuation = Set("()[]{},=:;'\"*/^<>|!&~%$#@?+-")

    static func tokens(_ text: String) -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var index = 0
        var spaceBefore = true
        func isDigit(_ i: Int) -> Bool { i < characters.count && characters[i].isASCII && characters[i].isNumber }
        func startsNumber(_ i: Int) -> Bool { isDigit(i) || (i < characters.count && characters[i] == "." && isDigit(i + 1)) }
        /// A sign belongs to a number after a space, at the start, or after an opening or
        /// separating punctuation (`(-0.5`, `=-0.4`, `, -1`), not after a value (`v(x)-0.5`).
        func signAllowed() -> Bool {
            guard !spaceBefore, let last = tokens.last else { return true }
            guard case let .word(word) = last.kind, word.count == 1, let c = word.first else { return false }
            return punctuation.contains(c) && !")]}".contains(c)
        }
        while index < characters.count {
            let c = characters[index]
            if c.isWhitespace { spaceBefore = true; index += 1; continue }
            let start = index
            if startsNumber(index) || ((c == "+" || c == "-") && signAllowed() && startsNumber(index + 1)),
               let (end, value, unit) = number(characters, from: index) {
                let text = String(characters[start..<end])
                tokens.append(Token(kind: .number(value, unit: unit, vector: vectorName(before: tokens)), text: text, offset: start))
                index = end
            } else if punctuation.contains(c) {
                tokens.append(Token(kind: .word(String(c)), text: String(c), offset: start))
                index += 1
            } else {
                while index < characters.count, !characters[index].isWhitespace, !punctuation.contains(characters[index]) {
                    index += 1
                }
                let text = String(characters[start..<index])
                tokens.append(Token(kind: .word(text), text: text, offset: start))
            }
            spaceBefore = false
        }
        return tokens
    }

    /// A SPICE number at `start`: sign, mantissa, exponent, then letters (scale suffix and
    /// unit). Nil when the characters run on into a name (`3_4`, `01v8`), which is then a word.
    private static func number(_ c: [Character], from start: Int) -> (end: Int, value: Double, unit: String)? {
        var i = start
        func digit(_ i: Int) -> Bool { i < c.count && c[i].isASCII && c[i].isNumber }
        if c[i] == "+" || c[i] == "-" { i += 1 }
        while digit(i) { i += 1 }
        if i < c.count, c[i] == "." { i += 1; while digit(i) { i += 1 } }
        if i < c.count, c[i] == "e" || c[i] == "E" {
            var j = i + 1
            if j < c.count, c[j] == "+" || c[j] == "-" { j += 1 }
            if digit(j) { i = j; while digit(i) { i += 1 } }
        }
        guard let mantissa = Double(String(c[start..<i])) else { return nil }
        var end = i
        while end < c.count, c[end].isASCII, c[end].isLetter { end += 1 }
        if end < c.count, !c[end].isWhitespace, !punctuation.contains(c[end]) { return nil }
        var letters = String(c[i..<end]).lowercased()
        var scale = 1.0
        if letters.hasPrefix("meg") { scale = 1e6; letters.removeFirst(3) }
        else if letters.hasPrefix("mil") { scale = 25.4e-6; letters.removeFirst(3) }
        else if let first = letters.first, let s = ["t": 1e12, "g": 1e9, "k": 1e3, "m": 1e-3, "u": 1e-6,
                                                    "n": 1e-9, "p": 1e-12, "f": 1e-15][first] {
            scale = s; letters.removeFirst()
        }
        return (end, mantissa * scale, letters)
    }

    /// For the value of `name=value` (`v3=`, `v(w3)=`), the vector it belongs to: the name
    /// without its trailing digits, or the function of `fn(node)=`. Nil for other numbers.
    /// (compareNumbers ignores it in .model cards, whose parameters are no vector.)
    private static func vectorName(before tokens: [Token]) -> String? {
        guard let equals = tokens.last, equals.kind == .word("="), tokens.count >= 2 else { return nil }
        let name = tokens[tokens.count - 2]
        guard case let .word(word) = name.kind else { return nil }
        if word == ")" {
            // fn(node)=value: the word before the matching '('.
            var depth = 0
            for k in stride(from: tokens.count - 2, through: 0, by: -1) {
                if tokens[k].kind == .word(")") { depth += 1 }
                if tokens[k].kind == .word("(") {
                    depth -= 1
                    if depth == 0 {
                        guard k > 0, case let .word(function) = tokens[k - 1].kind else { return nil }
                        return function.lowercased() + "()"
                    }
                }
            }
            return nil
        }
        // An indexed name (v3, y12); parameters without an index (ub, w) are scalars.
        guard let first = word.first, first.isLetter || first == "_", let last = word.last, last.isNumber else { return nil }
        return String(word.lowercased().reversed().drop(while: { $0.isNumber }).reversed())
    }

    // MARK: Comparison

    private mutating func compare() {
        // Each distinct skeleton as a number, so cards compare as integers.
        var ids: [[String]: Int] = [:]
        let e = expectedCards.map { card in ids[card.skeleton] ?? { ids[card.skeleton] = ids.count; return ids.count - 1 }() }
        let a = actualCards.map { card in ids[card.skeleton] ?? { ids[card.skeleton] = ids.count; return ids.count - 1 }() }
        // Longest common subsequence of the skeletons (after the common head and tail), so a
        // missing or extra card shows as one difference and not as every card after it.
        var head = 0
        while head < e.count, head < a.count, e[head] == a[head] { head += 1 }
        var tail = 0
        while tail < e.count - head, tail < a.count - head, e[e.count - 1 - tail] == a[a.count - 1 - tail] { tail += 1 }
        let n = e.count - tail, m = a.count - tail
        let width = m - head + 1
        var table = [Int32](repeating: 0, count: (n - head + 1) * width)
        func at(_ i: Int, _ j: Int) -> Int { (i - head) * width + (j - head) }
        if n > head && m > head {
            for i in stride(from: n - 1, through: head, by: -1) {
                for j in stride(from: m - 1, through: head, by: -1) {
                    table[at(i, j)] = e[i] == a[j] ? table[at(i + 1, j + 1)] + 1 : max(table[at(i + 1, j)], table[at(i, j + 1)])
                }
            }
        }
        var deleted: [Int] = [], inserted: [Int] = []
        func flushHunk() {
            // Cards removed and added at the same place are changed cards, paired in order.
            for k in 0..<max(deleted.count, inserted.count) {
                if k < deleted.count && k < inserted.count {
                    let x = expectedCards[deleted[k]], y = actualCards[inserted[k]]
                    let token = x.tokens.indices.first { $0 >= y.tokens.count || x.tokens[$0].skeleton != y.tokens[$0].skeleton } ?? x.tokens.count
                    differences.append(.changed(expected: x, actual: y, token: token))
                } else if k < deleted.count {
                    differences.append(.missing(expected: expectedCards[deleted[k]]))
                } else {
                    differences.append(.extra(actual: actualCards[inserted[k]]))
                }
            }
            deleted = []; inserted = []
        }
        for k in 0..<head { compareNumbers(expectedCards[k], actualCards[k]) }
        var i = head, j = head
        while i < n || j < m {
            if i < n, j < m, e[i] == a[j] {
                flushHunk()
                compareNumbers(expectedCards[i], actualCards[j])
                i += 1; j += 1
            } else if j < m, i == n || table[at(i, j + 1)] >= table[at(i + 1, j)] {
                inserted.append(j); j += 1
            } else {
                deleted.append(i); i += 1
            }
        }
        flushHunk()
        for k in 0..<tail { compareNumbers(expectedCards[n + k], actualCards[m + k]) }
    }

    private mutating func compareNumbers(_ x: Card, _ y: Card) {
        var scale: [String: Double] = [:]
        let isModel = x.text.lowercased().hasPrefix(".model")
        for (s, t) in zip(x.tokens, y.tokens) where !isModel {
            if case let .number(u, _, vector?) = s.kind, case let .number(v, _, _) = t.kind {
                scale[vector] = max(scale[vector] ?? 0, abs(u), abs(v))
            }
        }
        for (k, (s, t)) in zip(x.tokens, y.tokens).enumerated() {
            guard case let .number(u, _, vector) = s.kind, case let .number(v, _, _) = t.kind else { continue }
            numbersCompared += 1
            let magnitude = max(abs(u), abs(v), vector.flatMap { scale[$0] } ?? 0)
            let difference = abs(u - v)
            if difference <= Self.absoluteTolerance { continue }
            let relative = magnitude > 0 ? difference / magnitude : .infinity
            largestRelativeDifference = max(largestRelativeDifference, relative)
            if difference > Self.relativeTolerance * magnitude + Self.absoluteTolerance {
                differences.append(.number(expected: x, actual: y, token: k, relative: relative))
            }
        }
    }

    // MARK: Report

    /// A readable account of at most `limit` differences: card (line) numbers, the expected
    /// and the actual card, and the token that differs.
    func report(expectedName: String = "expected", actualName: String = "actual", limit: Int = 10) -> String {
        if differences.isEmpty {
            return "\(expectedName) and \(actualName) are the same deck (\(expectedCards.count) cards, \(numbersCompared) numbers, largest relative difference \(largestRelativeDifference))"
        }
        var lines = ["\(expectedName) (\(expectedCards.count) cards) and \(actualName) (\(actualCards.count) cards) differ in \(differences.count) place(s):"]
        for difference in differences.prefix(limit) {
            switch difference {
            case let .number(x, y, k, relative):
                lines.append("card at \(expectedName) line \(x.line) / \(actualName) line \(y.line): token \(k + 1), number \(x.tokens[k].text) became \(y.tokens[k].text) (relative difference \(relative) > \(Self.relativeTolerance))")
                lines.append("  expected: \(Self.excerpt(x, around: k))")
                lines.append("  actual:   \(Self.excerpt(y, around: k))")
            case let .changed(x, y, k):
                let was = k < x.tokens.count ? "'\(x.tokens[k].text)'" : "the end of the card"
                let now = k < y.tokens.count ? "'\(y.tokens[k].text)'" : "the end of the card"
                lines.append("card at \(expectedName) line \(x.line) / \(actualName) line \(y.line): token \(k + 1), \(was) became \(now)")
                lines.append("  expected: \(Self.excerpt(x, around: k))")
                lines.append("  actual:   \(Self.excerpt(y, around: k))")
            case let .missing(x):
                lines.append("card at \(expectedName) line \(x.line) is missing from \(actualName):")
                lines.append("  expected: \(Self.excerpt(x, around: 0))")
            case let .extra(y):
                lines.append("card at \(actualName) line \(y.line) is not in \(expectedName):")
                lines.append("  actual:   \(Self.excerpt(y, around: 0))")
            }
        }
        if differences.count > limit { lines.append("... and \(differences.count - limit) more") }
        return lines.joined(separator: "\n")
    }

    /// The card, or for a long one about 160 characters around token `k`.
    static func excerpt(_ card: Card, around k: Int) -> String {
        let characters = Array(card.text)
        guard characters.count > 200 else { return card.text }
        let offset = k < card.tokens.count ? card.tokens[k].offset : characters.count
        let from = max(0, offset - 80), to = min(characters.count, offset + 80)
        return (from > 0 ? "..." : "") + String(characters[from..<to]) + (to < characters.count ? "..." : "")
    }
}

// Short descriptions, so a failed expectation shows a summary and not every token.
extension DeckComparison: CustomStringConvertible {
    var description: String {
        "DeckComparison(\(expectedCards.count) cards against \(actualCards.count), \(differences.count) differences)"
    }
}

extension DeckComparison.Card: CustomStringConvertible {
    var description: String { "line \(line): \(DeckComparison.excerpt(self, around: 0))" }
}

extension DeckComparison.Token: CustomStringConvertible {
    var description: String { text }
}
