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
    static func tree(path: String) throws(SweepError) -> JSONValue {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .io(path: path, reason: "cannot read the sweep file: \(error.localizedDescription)")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw .invalidSpec("\(path): \(error)")
        }
        guard let node else { throw .invalidSpec("\(path) is empty") }
        return try value(node, path: path)
    }

    static func value(_ node: Node, path: String) throws(SweepError) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var members: [(String, JSONValue)] = []
            for (key, item) in mapping {
                guard let name = key.string else { throw .invalidSpec("\(path) line \(key.mark?.line ?? 0): keys must be strings") }
                members.append((name, try value(item, path: path)))
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try value(item, path: path)) }
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
