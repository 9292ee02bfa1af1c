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
        for index in cases.indices {
            let result = await run(case: index, engine: engine)
            done(index, result)
            results.append(result)
        }
        return results
    }

    /// Runs case `index` alone.
    public func run(case index: Int, engine: NgspiceEngine) async -> PlanCaseResult {
        let item = cases[index]
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
        return PlanCaseResult(name: item.name, outcome: outcome, seconds: Date().timeIntervalSince(start))
    }
}

/// One case of a plan as its reports show it, rendered once from its result: a case run by
/// a SLURM task reaches the reports through a file (``json``, ``init(json:)``) exactly as one
/// run in this process does.
public struct PlanCaseRecord: Sendable {
    public var name: String
    /// `pass`, `fail`, or the error's kind (`unstable`, `invalid`, `simulation`).
    public var status: String
    /// The checks that failed, or the error, in a line.
    public var reason: String
    public var seconds: Double
    /// JUnit counts of its testsuite.
    var tests: Int, failures: Int, errors: Int, skipped: Int
    /// Its JUnit testsuite, line by line.
    var junitSuite: [String]
    /// Its object in the JSON summary.
    var summary: JSONValue
    /// Its row in the HTML table; with a verdict, its checks (name, status, detail) and text.
    var row: [String]
    var checks: [[String]]
    var text: String?

    public var passed: Bool { status == "pass" }

    public init(_ result: PlanCaseResult, plan: String) {
        name = result.name; status = result.status; reason = result.reason; seconds = result.seconds
        let suite = "\(plan): \(result.name)"
        var members: [(String, JSONValue)] = [("name", .string(result.name)), ("status", .string(result.status)),
                                              ("seconds", .number(result.seconds))]
        switch result.outcome {
        case .verdict(let v):
            tests = v.checks.count
            failures = v.checks.filter { $0.status == .failed }.count
            skipped = v.checks.filter { $0.status == .skipped }.count
            errors = 0
            junitSuite = VerdictReport.junitSuite(v, name: suite)
            members += [
                ("equivalentBits", .number(v.metricsIdeal.equivalentBits)),
                ("toleranceBits", .number(v.toleranceBits)),
                ("penaltyBits", .number(v.analoguePenaltyBits)),
                ("maxPenaltyBits", .number(v.options.policy.maxPenaltyBits)),
                ("checks", .array(v.checks.map { .object([("name", .string($0.name)), ("status", .string($0.status.rawValue)),
                                                          ("detail", .string($0.detail))]) })),
                ("specification", .array(v.options.parameterValues().map(\.json))),
            ]
            row = [result.name, result.status.uppercased(), formatSignificant(v.metricsIdeal.equivalentBits, 3),
                   formatSignificant(v.toleranceBits, 3), formatSignificant(v.analoguePenaltyBits, 3),
                   formatSignificant(v.options.policy.maxPenaltyBits, 3), result.reason]
            checks = v.checks.map { [$0.name, $0.status.rawValue, $0.detail] }
            text = VerdictReport.summary(v)
        case let .error(kind, message):
            (tests, failures, errors, skipped) = (1, 0, 1, 0)
            junitSuite = VerdictReport.junitErrorSuite(name: suite, testcase: "run", kind: kind, message: message)
            members.append(("message", .string(message)))
            row = [result.name, kind.uppercased(), "", "", "", "", message]
            checks = []
            text = nil
        }
        summary = .object(members)
    }

    /// A case that left no result (a SLURM task that failed before writing one).
    public init(missing name: String, plan: String, message: String) {
        self.init(PlanCaseResult(name: name, outcome: .error(kind: "simulation", message: message), seconds: 0), plan: plan)
    }

    /// The record as a file holds it.
    public var json: JSONValue {
        .object([("name", .string(name)), ("status", .string(status)), ("reason", .string(reason)), ("seconds", .number(seconds)),
                 ("tests", .number(Double(tests))), ("failures", .number(Double(failures))), ("errors", .number(Double(errors))),
                 ("skipped", .number(Double(skipped))), ("junit", .array(junitSuite.map { .string($0) })), ("summary", summary),
                 ("row", .array(row.map { .string($0) })), ("checks", .array(checks.map { .array($0.map { .string($0) }) })),
                 ("text", text.map { .string($0) } ?? .null)])
    }

    public init(json tree: JSONValue) throws(SweepError) {
        func strings(_ value: JSONValue?) -> [String]? {
            guard let items = value?.arrayValue else { return nil }
            let texts = items.compactMap(\.stringValue)
            return texts.count == items.count ? texts : nil
        }
        guard let name = tree["name"]?.stringValue, let status = tree["status"]?.stringValue, let reason = tree["reason"]?.stringValue,
              let seconds = tree["seconds"]?.numberValue, let tests = tree["tests"]?.numberValue,
              let failures = tree["failures"]?.numberValue, let errors = tree["errors"]?.numberValue,
              let skipped = tree["skipped"]?.numberValue, let junit = strings(tree["junit"]), let summary = tree["summary"],
              let row = strings(tree["row"]), let checkItems = tree["checks"]?.arrayValue else {
            throw .invalidSpec("not a case record of crossloop check")
        }
        let checks = checkItems.compactMap { strings($0) }
        guard checks.count == checkItems.count else { throw .invalidSpec("not a case record of crossloop check: checks") }
        self.name = name; self.status = status; self.reason = reason; self.seconds = seconds
        (self.tests, self.failures, self.errors, self.skipped) = (Int(tests), Int(failures), Int(errors), Int(skipped))
        junitSuite = junit; self.summary = summary; self.row = row; self.checks = checks; text = tree["text"]?.stringValue
    }
}

/// The reports of a plan's run: JUnit (a testsuite per case, a testcase per check), JSON and
/// an HTML page.
public enum PlanReport {
    public static func junit(_ records: [PlanCaseRecord]) -> String {
        let time = String(format: "%.3f", records.reduce(0) { $0 + $1.seconds })
        return VerdictReport.junitDocument(tests: records.reduce(0) { $0 + $1.tests }, failures: records.reduce(0) { $0 + $1.failures },
                                           errors: records.reduce(0) { $0 + $1.errors }, skipped: records.reduce(0) { $0 + $1.skipped },
                                           time: time, suites: records.map(\.junitSuite))
    }

    public static func json(_ plan: VerificationPlan, _ records: [PlanCaseRecord], crossloopVersion: String) -> JSONValue {
        .object([
            ("crossloopVersion", .string(crossloopVersion)),
            ("plan", .string(plan.name)),
            ("pass", .bool(records.allSatisfy(\.passed))),
            ("cases", .array(records.map(\.summary))),
        ])
    }

    public static func html(_ plan: VerificationPlan, _ records: [PlanCaseRecord], byline: String) -> String {
        let passed = records.filter(\.passed).count
        var sections = [HTMLReport.Section("Cases", [
            .status(passed: passed == records.count, text: "\(passed) of \(records.count) cases meet their targets"),
            .table(header: ["case", "status", "equivalent bits", "target bits", "penalty bits", "max penalty", "failed checks or reason"],
                   rows: records.map(\.row),
                   caption: "Equivalent bits against the ideal answer; penalty against a digital solver at the same precision."),
        ])]
        for record in records {
            guard let text = record.text else { continue }
            sections.append(HTMLReport.Section(record.name, [
                .table(header: ["check", "status", "detail"], rows: record.checks, caption: nil),
                .preformatted(text),
            ]))
        }
        return HTMLReport(title: "crossloop check: \(plan.name)", byline: byline, sections: sections).html()
    }
}
