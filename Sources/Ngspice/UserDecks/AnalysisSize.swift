import Foundation
import Netlist

/// How many points an analysis card or command asks for, read from its literal arguments.
///
/// A mistyped `.tran 1f 1` or an `.ac dec 1e9 1 1g` would run for hours and fill memory; a
/// stop time that parses as infinite (`1e400`) never ends. Arguments written as expressions
/// (`{tstop}`) cannot be counted before ngspice evaluates them and are let through.
enum AnalysisSize {
    /// Points of `words` (the card without its leading dot, lowercased), nil when unknown.
    static func points(_ words: [String]) throws -> Double? {
        guard let kind = words.first else { return nil }
        // `1e400` is a number too large for SPICE's parser: infinite, not unknown.
        let numbers = words.dropFirst().map { SpiceNumber.parse($0) ?? Double($0) }
        func number(_ index: Int) -> Double? { index < numbers.count ? numbers[index] : nil }
        switch kind {
        case "tran":
            guard let step = number(0), let stop = number(1) else { return nil }
            guard stop.isFinite else { throw SizeError("stop time \(words[2]) is not a finite number") }
            let start = number(2) ?? 0
            var interval = step
            if let maximum = number(3), maximum > 0 { interval = min(interval, maximum) }
            guard interval > 0 else { return nil }
            return max(0, stop - max(0, start)) / interval + 1
        case "ac":
            return frequencies(Array(words.dropFirst()))
        case "noise":
            // .noise v(out[,ref]) vsrc dec n f1 f2 [pts_per_summary]
            guard let sweep = words.firstIndex(where: { ["dec", "oct", "lin"].contains($0) }) else { return nil }
            return frequencies(Array(words[sweep...]))
        case "dc":
            // .dc src start stop step [src2 start2 stop2 step2]
            var total = 1.0
            var index = 1
            while index + 3 < words.count {
                if words[index] == "dec" || words[index] == "oct" || words[index] == "lin" { return nil }
                guard let start = SpiceNumber.parse(words[index + 1]), let stop = SpiceNumber.parse(words[index + 2]),
                      let step = SpiceNumber.parse(words[index + 3]), step != 0 else { return nil }
                total *= abs(stop - start) / abs(step) + 1
                index += 4
            }
            return index == 1 ? nil : total
        default:
            return nil
        }
    }

    /// `dec|oct|lin n f1 f2`.
    static func frequencies(_ words: [String]) -> Double? {
        guard words.count >= 4, let count = SpiceNumber.parse(words[1]), let start = SpiceNumber.parse(words[2]),
              let stop = SpiceNumber.parse(words[3]), start > 0, stop > 0 else { return nil }
        switch words[0] {
        case "dec": return count * abs(log10(stop / start)) + 1
        case "oct": return count * abs(log2(stop / start)) + 1
        case "lin": return count
        default: return nil
        }
    }

    struct SizeError: Error { var message: String; init(_ message: String) { self.message = message } }
}
