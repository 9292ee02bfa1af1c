import Foundation
import Reports
import Specification

/// A verification plan (`crossloop check PLAN.yaml`): a list of cases, each a problem, a
/// design (knobs, as in sweep files), optional corners and targets, that a design team runs on
/// every commit of its blocks. The plan passes only when every case meets its targets.
///
/// ```yaml
/// name: ota5t regression
/// design: {fidelity: transistor, opamp: blocks/ota5t.sp:ota5t, converters: ideal}
/// targets: {max-penalty-bits: 1}
/// cases:
///   - name: inv8
///     problem: {operation: inv, matrix: a8.csv}
///     corners: [tt, ss]
///     targets: {target-bits: 3}
/// ```
///
/// Sections `design`, `conditions`, `variation` and `targets` (policy knobs: `target-bits`,
/// `max-penalty-bits`, ...) may stand at the top, for every case, and in a case, which wins.
/// `corners` makes one case per corner: the section of a model library of your own
/// (`technology: lib.sp:tt` becomes `lib.sp:ss`), or `corner` of a built-in technology.
/// Relative paths (matrices, `opamp`, a library) are read from the plan's folder.
public struct VerificationPlan: Sendable {
    public struct Case: Sendable {
        public var name: String
        public var problem: ProblemSpec
        /// Knob settings, in order (later wins): the plan's, then the case's.
        public var knobs: [(String, JSONValue)]
    }

    public var name: String
    public var cases: [Case]

    static let sections = ["design", "conditions", "variation", "targets"]

    public init(_ tree: JSONValue, baseDirectory base: String) throws(SweepError) {
        guard let members = tree.objectMembers else { throw .invalidSpec("the top level of a plan must be a map") }
        let known = ["name", "cases"] + Self.sections
        for (key, _) in members where !known.contains(key) {
            throw .invalidSpec("unknown key \"\(key)\" at the top of the plan; use \(known.joined(separator: ", "))")
        }
        name = tree["name"]?.stringValue ?? "plan"
        let shared = try Self.knobs(of: tree, where: "the plan", base: base)
        guard let list = tree["cases"]?.arrayValue, !list.isEmpty else {
            throw .invalidSpec("the plan has no cases: give \"cases\", a list of {name, problem, design, targets}")
        }
        var cases: [Case] = []
        for (k, entry) in list.enumerated() {
            guard let caseMembers = entry.objectMembers else { throw .invalidSpec("case \(k + 1) must be a map") }
            let caseKnown = ["name", "problem", "corners"] + Self.sections
            guard let name = entry["name"]?.stringValue, !name.isEmpty else { throw .invalidSpec("case \(k + 1) has no name") }
            for (key, _) in caseMembers where !caseKnown.contains(key) {
                throw .invalidSpec("case \(name): unknown key \"\(key)\"; use \(caseKnown.joined(separator: ", "))")
            }
            guard let problemTree = entry["problem"] else { throw .invalidSpec("case \(name) has no problem") }
            let problem: ProblemSpec
            do throws(SweepError) { problem = try SweepSpec.problem(problemTree, base: base) } catch {
                throw .invalidSpec("case \(name): \(error.description)")
            }
            let knobs = shared + (try Self.knobs(of: entry, where: "case \(name)", base: base))
            var corners: [String?] = [nil]
            if let c = entry["corners"] {
                guard let names = c.arrayValue?.compactMap(\.stringValue), !names.isEmpty, names.count == c.arrayValue?.count else {
                    throw .invalidSpec("case \(name): corners must be a list of names, e.g. [tt, ss]")
                }
                corners = names
            }
            for corner in corners {
                let label = corner.map { "\(name) [\($0)]" } ?? name
                guard !cases.contains(where: { $0.name == label }) else { throw .invalidSpec("two cases are named \(label)") }
                let settings = corner.map { Self.at(corner: $0, knobs) } ?? knobs
                // Every case must resolve now (blocks found, pins mapped), not after hours.
                do throws(SweepError) { _ = try Knobs.resolve(settings, operation: problem.operation) } catch {
                    throw .invalidSpec("case \(label): \(error.description)")
                }
                cases.append(Case(name: label, problem: problem, knobs: settings))
            }
        }
        self.cases = cases
    }

    /// A plan file's tree (JSON; YAML comes through the same tree).
    public static func load(tree: JSONValue, path: String) throws(SweepError) -> VerificationPlan {
        try VerificationPlan(tree, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    static func knobs(of tree: JSONValue, where place: String, base: String) throws(SweepError) -> [(String, JSONValue)] {
        var knobs: [(String, JSONValue)] = []
        for section in sections {
            guard let value = tree[section] else { continue }
            guard let entries = value.objectMembers else { throw .invalidSpec("\(place): \"\(section)\" must be a map of knob: value") }
            for (key, v) in entries {
                guard let knob = Knob.named(key) else {
                    throw .invalidSpec("\(place): unknown knob \"\(key)\" in \"\(section)\"; known knobs: \(Knobs.names.joined(separator: ", "))")
                }
                if section == "targets", knob.section != .policy {
                    throw .invalidSpec("\(place): \"\(key)\" is not a target; targets are \(Knob.knobs(in: [.policy]).map(\.name).joined(separator: ", "))")
                }
                knobs.append((key, Knobs.anchored(key, v, base: base)))
            }
        }
        return knobs
    }

    /// The knobs at `corner`: a library of your own takes it as its section, a built-in
    /// technology as `corner`.
    static func at(corner: String, _ knobs: [(String, JSONValue)]) -> [(String, JSONValue)] {
        let technology = knobs.last { Knob.named($0.0)?.name == "technology" }?.1.stringValue
        if let technology, Knobs.isLibraryReference(technology) {
            let file = UserLibraryPath.file(of: technology)
            return knobs + [("technology", .string("\(file):\(corner)"))]
        }
        return knobs + [("corner", .string(corner))]
    }
}

/// `FILE[:section]` of a library reference, without its section.
enum UserLibraryPath {
    static func file(of reference: String) -> String {
        if FileManager.default.fileExists(atPath: reference) { return reference }
        guard let colon = reference.lastIndex(of: ":") else { return reference }
        return String(reference[..<colon])
    }
}
