import Foundation
import Ngspice
import Reports
import Specification
import Verification

/// What one case of a plan gave: a verdict, or why there is none.
public struct PlanCaseResult: Sendable {
    public enum Outcome: Sendable {
        case verdict(Verdict)
        /// Refused before or failed during simulation: `kind` is `unstable`, `invalid` or
        /// `simulation`.
        case error(kind: String, message: String)
    }

    public var name: String
    public var outcome: Outcome
    public var seconds: Double

    public var passed: Bool { if case .verdict(let v) = outcome { v.passed } else { false } }
    /// `pass`, `fail`, or the error's kind.
    public var status: String {
        switch outcome {
        case .verdict(let v): return v.passed ? "pass" : "fail"
        case .error(let kind, _): return kind
        }
    }
    /// The checks that failed, or the error, in a line.
    public var reason: String {
        switch outcome {
        case .verdict(let v): return v.checks.filter { $0.status == .failed }.map(\.name).joined(separator: "; ")
        case .error(_, let message): return message
        }
    }
}

extension VerificationPlan {
    /// Runs every case in order on `engine`, calling `done` after each.
    public func run(engine: NgspiceEngine, done: @Sendable (Int, PlanCaseResult) -> Void = { _, _ in }) async -> [PlanCaseResult] {
        var results: [PlanCaseResult] = []
        for (index, item) in cases.enumerated() {
            let start = Date()
            let outcome: PlanCaseResult.Outcome
            do {
                let settings = try Knobs.resolve(item.knobs, operation: item.problem.operation)
                let problem = try item.problem.problem()
                outcome = .verdict(try await Verifier.solve(problem, settings.spec, engine: engine))
            } catch let error as VerificationError {
                switch error {
                case .unstable, .unstableAmplifier: outcome = .error(kind: "unstable", message: error.description)
                case .mapping, .design: outcome = .error(kind: "invalid", message: error.description)
                case .simulation, .readout: outcome = .error(kind: "simulation", message: error.description)
                }
            } catch {
                outcome = .error(kind: "invalid", message: "\(error)")
            }
            let result = PlanCaseResult(name: item.name, outcome: outcome, seconds: Date().timeIntervalSince(start))
            done(index, result)
            results.append(result)
        }
        return results
    }
}

/// The reports of a plan's run: JUnit (a testsuite per case, a testcase per check), JSON and
/// an HTML page.
public enum PlanReport {
    public static func junit(_ plan: VerificationPlan, _ results: [PlanCaseResult]) -> String {
        var tests = 0, failures = 0, errors = 0, skipped = 0
        var suites: [[String]] = []
        for result in results {
            let suite = "\(plan.name): \(result.name)"
            switch result.outcome {
            case .verdict(let v):
                tests += v.checks.count
                failures += v.checks.filter { $0.status == .failed }.count
                skipped += v.checks.filter { $0.status == .skipped }.count
                suites.append(VerdictReport.junitSuite(v, name: suite))
            case let .error(kind, message):
                tests += 1
                errors += 1
                suites.append(VerdictReport.junitErrorSuite(name: suite, testcase: "run", kind: kind, message: message))
            }
        }
        let time = String(format: "%.3f", results.reduce(0) { $0 + $1.seconds })
        return VerdictReport.junitDocument(tests: tests, failures: failures, errors: errors, skipped: skipped, time: time, suites: suites)
    }

    public static func json(_ plan: VerificationPlan, _ results: [PlanCaseResult], crossloopVersion: String) -> JSONValue {
        .object([
            ("crossloopVersion", .string(crossloopVersion)),
            ("plan", .string(plan.name)),
            ("pass", .bool(results.allSatisfy(\.passed))),
            ("cases", .array(results.map { result in
                var members: [(String, JSONValue)] = [("name", .string(result.name)), ("status", .string(result.status)),
                                                      ("seconds", .number(result.seconds))]
                switch result.outcome {
                case .verdict(let v):
                    members += [
                        ("equivalentBits", .number(v.metricsIdeal.equivalentBits)),
                        ("toleranceBits", .number(v.toleranceBits)),
                        ("penaltyBits", .number(v.analoguePenaltyBits)),
                        ("maxPenaltyBits", .number(v.options.policy.maxPenaltyBits)),
                        ("checks", .array(v.checks.map { .object([("name", .string($0.name)), ("status", .string($0.status.rawValue)),
                                                                  ("detail", .string($0.detail))]) })),
                        ("specification", .array(v.options.parameterValues().map(\.json))),
                    ]
                case .error(_, let message):
                    members.append(("message", .string(message)))
                }
                return .object(members)
            })),
        ])
    }

    public static func html(_ plan: VerificationPlan, _ results: [PlanCaseResult], byline: String) -> String {
        let passed = results.filter(\.passed).count
        let rows: [[String]] = results.map { result in
            switch result.outcome {
            case .verdict(let v):
                return [result.name, result.status.uppercased(), formatSignificant(v.metricsIdeal.equivalentBits, 3),
                        formatSignificant(v.toleranceBits, 3), formatSignificant(v.analoguePenaltyBits, 3),
                        formatSignificant(v.options.policy.maxPenaltyBits, 3), result.reason]
            case .error(let kind, let message):
                return [result.name, kind.uppercased(), "", "", "", "", message]
            }
        }
        var sections = [HTMLReport.Section("Cases", [
            .status(passed: passed == results.count, text: "\(passed) of \(results.count) cases meet their targets"),
            .table(header: ["case", "status", "equivalent bits", "target bits", "penalty bits", "max penalty", "failed checks or reason"],
                   rows: rows, caption: "Equivalent bits against the ideal answer; penalty against a digital solver at the same precision."),
        ])]
        for result in results {
            guard case .verdict(let v) = result.outcome else { continue }
            sections.append(HTMLReport.Section(result.name, [
                .table(header: ["check", "status", "detail"], rows: v.checks.map { [$0.name, $0.status.rawValue, $0.detail] }, caption: nil),
                .preformatted(VerdictReport.summary(v)),
            ]))
        }
        return HTMLReport(title: "crossloop check: \(plan.name)", byline: byline, sections: sections).html()
    }
}
