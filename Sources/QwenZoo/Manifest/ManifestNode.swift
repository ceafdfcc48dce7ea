import Foundation
import Yams

/// Where a manifest value was written: a file and line, or the command line.
public struct ManifestOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The manifest file, or `nil` for values given on the command line (`--set`).
    public let file: URL?
    /// The line in ``file``, from 1; `nil` when the parser gives none.
    public let line: Int?

    /// A place in `file` (`nil`: the command line) at `line` (`nil`: unknown).
    public init(file: URL?, line: Int?) {
        self.file = file
        self.line = line
    }

    /// A value given with `--set`.
    public static let commandLine = ManifestOrigin(file: nil, line: nil)

    /// `path:line`, the path alone, or `--set` for the command line.
    public var description: String {
        guard let file else { return "--set" }
        return line.map { "\(file.path):\($0)" } ?? file.path
    }
}

/// A manifest value with the place it came from, kept through layering so that every resolved
/// value can say which file set it.
/// Not `indirect`: an indirect enum keeps its payload boxes behind tagged pointers, which LeakSanitizer cannot follow,
/// so a value still alive at exit was reported as leaked. Lists and maps already give the indirection.
public enum ManifestValue: Sendable, Equatable {
    /// An explicit `null` (or `~`); in a layer, it removes the inherited value.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer or a decimal number (integers are stored as whole `Double`s).
    case number(Double)
    /// Any other scalar, quoted or not.
    case string(String)
    /// A YAML sequence, in order.
    case list([ManifestNode])
    /// Keys in the order they were written.
    case map([(key: String, value: ManifestNode)])

    public static func == (lhs: ManifestValue, rhs: ManifestValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.list(a), .list(b)): a == b
        case let (.map(a), .map(b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }
}

/// One node of a manifest tree.
public struct ManifestNode: Sendable, Equatable {
    /// The value; a list's items and a map's values are nodes with origins of their own.
    public var value: ManifestValue
    /// Where the value was written; a merged map carries the origin of the layer on top.
    public var origin: ManifestOrigin

    /// A node holding `value`, written at `origin`.
    public init(_ value: ManifestValue, origin: ManifestOrigin) {
        self.value = value
        self.origin = origin
    }

    /// The value of `key` when this node is a map.
    public subscript(key: String) -> ManifestNode? {
        guard case .map(let entries) = value else { return nil }
        return entries.last { $0.key == key }?.value
    }

    /// A short description of the value's type, for error messages (the option value's; errors
    /// only, so converting the subtree costs nothing that matters).
    var typeName: String { optionValue.typeName }

    /// The value as a component option (origins dropped).
    var optionValue: OptionValue {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .list(let l): .list(l.map(\.optionValue))
        case .map(let m): .map(Dictionary(m.map { ($0.key, $0.value.optionValue) }, uniquingKeysWith: { $1 }))
        }
    }
}

// MARK: - Layering

extension ManifestNode {
    /// `child` laid over `self`: maps merge key by key, lists are replaced whole, and any other
    /// value of the child wins. A key set to null in the child removes the parent's value.
    public func overlaid(by child: ManifestNode) -> ManifestNode {
        guard case .map(let parentEntries) = value, case .map(let childEntries) = child.value else {
            return child
        }
        var merged = parentEntries
        for (key, childValue) in childEntries {
            if let index = merged.firstIndex(where: { $0.key == key }) {
                if case .null = childValue.value {
                    merged.remove(at: index)
                } else {
                    merged[index].value = merged[index].value.overlaid(by: childValue)
                }
            } else if case .null = childValue.value {
                continue
            } else {
                merged.append((key, childValue))
            }
        }
        return ManifestNode(.map(merged), origin: child.origin)
    }
}

// MARK: - Reading YAML

extension ManifestNode {
    /// Parses YAML text into a node tree whose origins point at `file`.
    public static func parse(yaml: String, file: URL?) throws -> ManifestNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ManifestError(origin: ManifestOrigin(file: file, line: error.line), field: nil,
                                message: "not valid YAML: \(error.problem)")
        }
        guard let root else { return ManifestNode(.map([]), origin: ManifestOrigin(file: file, line: 1)) }
        return try convert(root, file: file, path: "")
    }

    private static func convert(_ node: Node, file: URL?, path: String) throws -> ManifestNode {
        let origin = ManifestOrigin(file: file, line: node.mark?.line)
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return ManifestNode(.null, origin: origin)
            case .bool: return ManifestNode(.bool(node.bool ?? false), origin: origin)
            case .int:
                guard let n = node.int else { break }
                return ManifestNode(.number(Double(n)), origin: origin)
            case .float:
                guard let n = node.float else { break }
                return ManifestNode(.number(n), origin: origin)
            default: break
            }
            return ManifestNode(.string(scalar.string), origin: origin)
        case .sequence(let sequence):
            let items = try sequence.enumerated().map { index, item in
                try convert(item, file: file, path: "\(path)[\(index)]")
            }
            return ManifestNode(.list(items), origin: origin)
        case .mapping(let mapping):
            var entries: [(key: String, value: ManifestNode)] = []
            for (keyNode, valueNode) in mapping {
                let keyOrigin = ManifestOrigin(file: file, line: keyNode.mark?.line)
                guard case .scalar(let keyScalar) = keyNode else {
                    throw ManifestError(origin: keyOrigin, field: path.isEmpty ? nil : path, message: "keys must be plain strings")
                }
                let key = keyScalar.string
                let field = path.isEmpty ? key : "\(path).\(key)"
                if entries.contains(where: { $0.key == key }) {
                    throw ManifestError(origin: keyOrigin, field: field, message: "the key appears twice")
                }
                entries.append((key, try convert(valueNode, file: file, path: field)))
            }
            return ManifestNode(.map(entries), origin: origin)
        case .alias:
            throw ManifestError(origin: origin, field: path, message: "YAML aliases are not supported")
        }
    }
}

extension YamlError {
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }

    var problem: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .reader(let problem, _, _, _): problem
        case .duplicatedKeysInMapping(let keys, _):
            "duplicated key\(keys.count == 1 ? "" : "s") \(keys.map { "\"\($0)\"" }.joined(separator: ", ")) (a key may appear once in a map)"
        default: "\(self)".split(separator: "\n").first.map(String.init) ?? "\(self)"
        }
    }
}
