import Characterization
import Reports
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
import CircuitTheory
import Reference

/// Many problems of one shape on one loaded circuit: the first deck is loaded once and every
/// later problem re-programs it in place (ngspice `alter` of each changed resistor and DAC
/// source) before the analysis runs again, instead of writing, parsing and setting up a new
/// deck. This is the path for Monte Carlo samples and many right-hand sides.
///
/// Only operating points are re-programmed (a transient's step sources would need their
/// waveforms rewritten); a problem whose circuit differs in structure (a cell that quantises
/// to zero, a sign that flips) gets a fresh load. Results equal those of `Verifier.solve`.
public enum BatchSolver {
    public struct Outcome: Sendable {
        public var verdicts: [Verdict]
        /// How many problems were solved by re-programming a loaded circuit.
        public var reprogrammed: Int
        /// How many `alter` commands were sent in all.
        public var alterations: Int
        /// Seconds spent sending them.
        public var alterSeconds: Double
    }

    public static func solve(_ problems: [Problem], _ options: SolveSpecification,
                             engine: NgspiceEngine) async throws(VerificationError) -> Outcome {
        let options = try await Verifier.withMeasuredOpAmp(options, engine: engine)
        var prepared: [Verifier.Prepared] = []
        for problem in problems {
            let p = try Verifier.prepare(problem, options)
            if !p.prediction.isStable && !options.policy.force { throw .unstable(p.prediction) }
            prepared.append(p)
        }
        guard options.plan.analysis == .op, !prepared.isEmpty else {
            var verdicts: [Verdict] = []
            for (problem, p) in zip(problems, prepared) {
                verdicts.append(try await Verifier.run(problem, options, p, engine: engine))
            }
            return Outcome(verdicts: verdicts, reprogrammed: 0, alterations: 0, alterSeconds: 0)
        }
        // Groups of consecutive problems whose circuits have the same structure.
        var groups: [[Int]] = [[0]]
        for index in prepared.indices.dropFirst() {
            if Structure.same(prepared[groups[groups.count - 1][0]].deck, prepared[index].deck) {
                groups[groups.count - 1].append(index)
            } else {
                groups.append([index])
            }
        }
        var verdicts = [Verdict?](repeating: nil, count: problems.count)
        var reprogrammed = 0, alterations = 0, alterSeconds = 0.0
        for group in groups {
            let base = prepared[group[0]]
            let deck: PreparedDeck
            do { deck = try PreparedDeck(deck: base.deck) } catch let error as NgspiceError { throw .simulation(error) } catch { throw .readout("\(error)") }
            let request = Verifier.request(for: base, options)
            let members = group.map { (index: $0, prepared: prepared[$0], problem: problems[$0]) }
            let results: [(Int, Result<Verdict, VerificationError>)]
            let counts: (Int, Double)
            do {
                (results, counts) = try await engine.withSession(deck, request) { session in
                    var out: [(Int, Result<Verdict, VerificationError>)] = []
                    var current = members[0].prepared.deck
                    var sent = 0
                    for member in members {
                        let changes = Structure.alterations(from: current, to: member.prepared.deck)
                        for change in changes { try session.alter(change.instance, to: change.value) }
                        sent += changes.count
                        current = member.prepared.deck
                        let result = try session.run()
                        out.append((member.index, Result { () throws(VerificationError) in
                            try Verifier.judge(member.problem, options, member.prepared, result)
                        }))
                    }
                    return (out, (sent, session.alterSeconds))
                }
            } catch let error as NgspiceError {
                throw .simulation(error)
            } catch {
                throw .readout("\(error)")
            }
            for (index, result) in results { verdicts[index] = try result.get() }
            reprogrammed += group.count - 1
            alterations += counts.0
            alterSeconds += counts.1
        }
        return Outcome(verdicts: verdicts.map { $0! }, reprogrammed: reprogrammed, alterations: alterations,
                       alterSeconds: alterSeconds)
    }
}

/// Comparing decks by structure (element kinds, names and nodes), values aside.
enum Structure {
    static func same(_ a: Deck, _ b: Deck) -> Bool {
        guard a.subcircuits == b.subcircuits, a.models == b.models, a.options == b.options, a.analyses == b.analyses,
              a.elements.count == b.elements.count else { return false }
        for (x, y) in zip(a.elements, b.elements) where !sameShape(x, y) { return false }
        return true
    }

    static func sameShape(_ x: Element, _ y: Element) -> Bool {
        switch (x, y) {
        case let (.resistor(p), .resistor(q)): return p.name == q.name && p.a == q.a && p.b == q.b
        case let (.voltageSource(p), .voltageSource(q)):
            return p.name == q.name && p.plus == q.plus && p.minus == q.minus && p.waveform == nil && q.waveform == nil && p.ac == q.ac
        default: return x == y
        }
    }

    /// The `alter`s that turn the loaded deck `a` into `b` (same structure).
    static func alterations(from a: Deck, to b: Deck) -> [(instance: String, value: Double)] {
        var changes: [(String, Double)] = []
        for (x, y) in zip(a.elements, b.elements) where x != y {
            switch y {
            case .resistor(let r):
                if case .number(let ohms) = r.resistance { changes.append((y.cardName, ohms)) }
            case .voltageSource(let v):
                if case .number(let volts) = v.dc { changes.append((y.cardName, volts)) }
            default:
                break
            }
        }
        return changes
    }
}
