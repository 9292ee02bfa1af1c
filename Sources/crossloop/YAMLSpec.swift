import Characterization
import Sweeps
import Reports
import Specification
import Foundation
import Verification
import Yams

/// YAML sweep files: composed with Yams (mappings keep their order) and turned into the JSON
/// tree that `SweepSpec` reads, so both formats mean exactly the same.
enum YAMLSpec {
    /// Most values a sweep file may hold once read: YAML aliases can make a small file stand
    /// for an exponentially large tree ("billion laughs"), which is refused here, while it is
    /// walked, before anything is built from it.
    static let maximumValues = 100_000

    static func tree(path: String) throws(SweepError) -> JSONValue {
        let text = try SweepSpec.readText(path)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw .invalidSpec("\(path): \(error)")
        }
        guard let node else { throw .invalidSpec("\(path) is empty") }
        var budget = maximumValues
        return try value(node, path: path, budget: &budget)
    }

    static func value(_ node: Node, path: String, budget: inout Int) throws(SweepError) -> JSONValue {
        budget -= 1
        guard budget >= 0 else {
            throw .invalidSpec("\(path) stands for more than \(maximumValues) values (YAML aliases repeat what they name); write the values out")
        }
        switch node {
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            for (key, item) in mapping {
                guard let name = key.string else { throw .invalidSpec("\(path) line \(key.mark?.line ?? 0): keys must be strings") }
                members.append((name, try value(item, path: path, budget: &budget)))
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try value(item, path: path, budget: &budget)) }
            return .array(items)
        case .scalar:
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map { .bool($0) } ?? .string(node.string ?? "")
            case Tag.Name.int.rawValue: return node.int.map { .number(Double($0)) } ?? .string(node.string ?? "")
            case Tag.Name.float.rawValue: return node.float.map { .number($0) } ?? .string(node.string ?? "")
            default: return .string(node.string ?? "")
            }
        case .alias:
            throw .invalidSpec("\(path) line \(node.mark?.line ?? 0): YAML aliases are not supported in sweep files")
        }
    }
}
