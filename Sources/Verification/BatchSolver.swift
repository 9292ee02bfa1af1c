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
/// later problem re-programs it in place (ngspice `alter` of each changed value: the state
/// sources of a transistor-level array's bits, resistors, DC sources and the breakpoints of
/// piecewise-linear inputs) before the analysis runs again, instead of writing, parsing and
/// setting up a new deck. This is the path for Monte Carlo samples, many right-hand sides and
/// a workload's primitives.
///
/// Transients share one timing, the slowest problem's (``sharedWindow(_:)``), so that the
/// analysis and the converters' clocks stay the same; a problem whose circuit differs in
/// structure (at ideal or behavioural fidelity a cell that quantises to zero or a sign that
/// flips; at transistor level only a different size) gets a fresh load. Results equal those
/// of ``Verifier/run(_:_:_:engine:progress:)`` on the same prepared decks.
public enum BatchSolver {
    public struct Outcome: Sendable {
        public var verdicts: [Verdict]
        /// How many problems were solved by re-programming a loaded circuit.
        public var reprogrammed: Int
        /// How many `alter` commands were sent in all.
        public var alterations: Int
        /// Seconds spent sending them.
        public var alterSeconds: Double
        /// The decks as solved (transients on their shared window), in problem order.
        public var prepared: [Verifier.Prepared]
        /// The specification they were solved with (at transistor level one G0 for all).
        public var options: SolveSpecification
    }

    /// One transient timing for every problem: the longest window, the finest steps, the
    /// latest conversion; nil for operating points.
    public static func sharedWindow(_ windows: [TransientWindow]) -> TransientWindow? {
        guard var shared = windows.max(by: { $0.stop < $1.stop }) else { return nil }
        shared.maxStep = windows.map(\.maxStep).min()!
        shared.printStep = windows.map(\.printStep).min()!
        shared.rise = windows.map(\.rise).max()!
        // The deck stage runs the transient on past the (shared) conversion's read-out.
        shared.conversionStart = windows.compactMap(\.conversionStart).max()
        return shared
    }

    /// Solves `problems` with the design of `options` on `engine`, one loaded circuit per
    /// group of problems whose circuits share a structure.
    /// - Parameters:
    ///   - problems: the problems, in order.
    ///   - options: the design and plan every problem is solved with.
    ///   - engine: where the circuits are loaded and run.
    ///   - solved: called with the number of problems solved so far, after each.
    public static func solve(_ problems: [Problem], _ options: SolveSpecification, engine: NgspiceEngine,
                             solved: (@Sendable (Int) -> Void)? = nil) async throws(VerificationError) -> Outcome {
        var working = try await Verifier.withMeasuredBlocks(options, engine: engine)
        let clock = Stopwatch()
        var predicted = try problems.map { problem throws(VerificationError) in try Verifier.predict(problem, working) }
        if problems.count > 1, working.design.fitUnitConductance {
            // G0 is fabricated: one chip takes every matrix, at the G0 the most demanding one needs.
            working.design.mapping.unitConductanceSiemens = predicted.map(\.prediction.mapping.unitConductanceSiemens).min()!
            working.design.fitUnitConductance = false
            predicted = try problems.map { problem throws(VerificationError) in try Verifier.predict(problem, working) }
        }
        // The cell as simulated at that G0 makes the switch term of every prediction.
        if let first = predicted.first, predicted.allSatisfy({ $0.prediction.isStable }) || working.policy.force {
            let measured = try await Verifier.withMeasuredCell(first.specification, engine: engine)
            if let cell = measured.design.cellAsLaid, working.design.cellAsLaid == nil {
                working.design.record(cellAsLaid: cell)
                predicted = try problems.map { problem throws(VerificationError) in try Verifier.predict(problem, working) }
            }
        }
        for p in predicted where !p.prediction.isStable && !working.policy.force { throw .unstable(p.prediction) }
        let window = problems.count > 1 ? sharedWindow(predicted.compactMap(Verifier.transientWindow)) : nil
        let analysisSeconds = clock.seconds / Double(max(problems.count, 1))
        let prepared = try zip(problems, predicted).map { problem, p throws(VerificationError) in
            try Verifier.prepare(problem, p, window: window, analysisSeconds: analysisSeconds)
        }
        let options = working
        guard !prepared.isEmpty else { return Outcome(verdicts: [], reprogrammed: 0, alterations: 0, alterSeconds: 0, prepared: [], options: options) }
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
        var solvedBefore = 0
        for group in groups {
            let base = prepared[group[0]]
            let deck: PreparedDeck
            do { deck = try PreparedDeck(deck: base.deck) } catch let error as NgspiceError { throw .simulation(error) } catch { throw .readout("\(error)") }
            let request = Verifier.request(for: base, options)
            let members = group.map { (index: $0, prepared: prepared[$0], problem: problems[$0]) }
            let results: [(Int, Result<Verdict, VerificationError>)]
            let counts: (Int, Double)
            do {
                let before = solvedBefore
                (results, counts) = try await engine.withSession(deck, request) { session in
                    var out: [(Int, Result<Verdict, VerificationError>)] = []
                    var current = members[0].prepared.deck
                    var sent = 0
                    for member in members {
                        let changes = Structure.alterations(from: current, to: member.prepared.deck)
                        for change in changes {
                            switch change.value {
                            case .number(let value): try session.alter(change.instance, to: value)
                            case .vector(let parameter, let values): try session.alter(change.instance, parameter: parameter, to: values)
                            }
                        }
                        sent += changes.count
                        current = member.prepared.deck
                        let result = try session.run()
                        out.append((member.index, Result { () throws(VerificationError) in
                            try Verifier.judge(member.problem, options, member.prepared, result)
                        }))
                        solved?(before + out.count)
                    }
                    return (out, (sent, session.alterSeconds))
                }
            } catch let error as NgspiceError {
                throw .simulation(error)
            } catch {
                throw .readout("\(error)")
            }
            for (index, result) in results { verdicts[index] = try result.get() }
            solvedBefore += group.count
            reprogrammed += group.count - 1
            alterations += counts.0
            alterSeconds += counts.1
        }
        return Outcome(verdicts: verdicts.map { $0! }, reprogrammed: reprogrammed, alterations: alterations,
                       alterSeconds: alterSeconds, prepared: prepared, options: options)
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
        case let (.voltageSource(p), .voltageSource(q)), let (.currentSource(p), .currentSource(q)):
            return p.name == q.name && p.plus == q.plus && p.minus == q.minus && p.ac == q.ac && sameShape(p.waveform, q.waveform)
        default: return x == y
        }
    }

    /// No waveform on either, the same pulse, or piecewise-linear with as many points (whose
    /// values `alter` can set).
    static func sameShape(_ a: Waveform?, _ b: Waveform?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (.pwl(p)?, .pwl(q)?): return p.count == q.count
        default: return a == b
        }
    }

    enum NewValue { case number(Double), vector(parameter: String, values: [Double]) }

    /// The `alter`s that turn the loaded deck `a` into `b` (same structure).
    static func alterations(from a: Deck, to b: Deck) -> [(instance: String, value: NewValue)] {
        var changes: [(String, NewValue)] = []
        for (x, y) in zip(a.elements, b.elements) where x != y {
            switch (x, y) {
            case (_, .resistor(let r)):
                if case .number(let ohms) = r.resistance { changes.append((y.cardName, .number(ohms))) }
            case let (.currentSource(old), .currentSource(new)):
                if old.dc != new.dc, case .number(let amperes) = new.dc { changes.append((y.cardName, .number(amperes))) }
            case let (.voltageSource(old), .voltageSource(new)):
                if old.dc != new.dc, case .number(let volts) = new.dc { changes.append((y.cardName, .number(volts))) }
                if old.waveform != new.waveform, case .pwl(let points)? = new.waveform {
                    changes.append((y.cardName, .vector(parameter: "pwl", values: points.flatMap { [$0.time, $0.value] })))
                }
            default:
                break
            }
        }
        return changes
    }
}
