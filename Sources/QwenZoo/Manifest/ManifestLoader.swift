import Foundation

/// A manifest after layering, before and after validation.
public struct ResolvedManifest: Sendable {
    /// The merged tree, every value carrying the file and line that set it.
    public let tree: ManifestNode
    /// The validated, typed manifest.
    public let manifest: Manifest
    /// The files that contributed, parents first, the named manifest last.
    public let files: [URL]
}

/// Reads manifests: resolves `extends` (parents applied in order, then the child), applies
/// `--set` overrides, expands `${…}` and validates.
///
/// Layering rules: a child's scalar wins, lists replace, maps merge key by key, and `null`
/// removes an inherited value.
public struct ManifestLoader: Sendable {
    /// Folders searched for a manifest given by name (`NAME.yaml`).
    public var searchPaths: [URL]
    /// The variables `${NAME}` expands (default: the process environment).
    public var environment: [String: String]

    /// A loader that looks up names in `searchPaths` and expands `${NAME}` from `environment`.
    public init(searchPaths: [URL] = ManifestLoader.defaultSearchPaths,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.searchPaths = searchPaths
        self.environment = environment
    }

    /// `$QWENZOO_PATH` (colon-separated folders), then `./zoo`.
    public static var defaultSearchPaths: [URL] {
        var paths: [URL] = []
        if let list = ProcessInfo.processInfo.environment["QWENZOO_PATH"] {
            paths += list.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        }
        paths.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("zoo"))
        return paths
    }

    /// Loads a manifest by name or path, with `overrides` such as `seed=7` or `variant.system=Hi` on top.
    public func load(_ reference: String, overrides: [String] = []) throws -> ResolvedManifest {
        let file = try locate(reference, from: nil)
        var files: [URL] = []
        var tree = try layered(file, chain: [], files: &files)
        for override in overrides {
            tree = tree.overlaid(by: try Self.overrideNode(override))
        }
        tree = try resolvingHubWeights(tree)
        tree = try expand(tree, root: tree, path: "")
        if tree["name"] == nil { tree = Self.named(tree, file: file) }  // no layer wrote one: the file's name
        _ = try Manifest(tree: tree)  // the manifest's own errors come before a name clash
        tree = try Self.nameFromFile(tree, file: file)
        return ResolvedManifest(tree: tree, manifest: try Manifest(tree: tree), files: files)
    }

    /// The file a reference names: a path (absolute, or relative to `from`'s folder or the working
    /// directory), or a manifest name looked up in ``searchPaths``.
    public func locate(_ reference: String, from: ManifestOrigin?) throws -> URL {
        let looksLikePath = reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")
        if looksLikePath {
            let expanded = (reference as NSString).expandingTildeInPath
            let base = from?.file?.deletingLastPathComponent()
                ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : base.appendingPathComponent(expanded)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ManifestError(origin: from, field: from == nil ? nil : "extends", message: "manifest file \(url.standardizedFileURL.path) not found")
            }
            return url.standardizedFileURL
        }
        for folder in searchPaths {
            for ext in ["yaml", "yml"] {
                let url = folder.appendingPathComponent("\(reference).\(ext)")
                if FileManager.default.fileExists(atPath: url.path) { return url.standardizedFileURL }
            }
        }
        let known = ManifestCatalog(searchPaths: searchPaths).entries.map(\.name)
        let suggestion = didYouMean(reference, in: known)
        throw ManifestError(origin: from, field: from == nil ? nil : "extends",
                            message: "no manifest named \"\(reference)\"\(suggestion) in \(searchPaths.map(\.path).joined(separator: ", "))")
    }

    /// A manifest has one identity, its file name: a `name` the file (or `--set`) writes must equal it,
    /// and an inherited one gives way to it.
    static func nameFromFile(_ tree: ManifestNode, file: URL) throws -> ManifestNode {
        let stem = file.deletingPathExtension().lastPathComponent
        guard let node = tree["name"], case .string(let name) = node.value, name != stem else { return tree }
        if node.origin == .commandLine || node.origin.file?.standardizedFileURL == file.standardizedFileURL {
            throw ManifestError(origin: node.origin, field: "name",
                                message: "\"\(name)\" differs from the file name \"\(stem)\"; a manifest's name is its file name, so write name: \(stem) or rename the file")
        }
        return named(tree, file: file)
    }

    /// `tree` with its name set to the file's name.
    static func named(_ tree: ManifestNode, file: URL) -> ManifestNode {
        let stem = file.deletingPathExtension().lastPathComponent
        return tree.overlaid(by: ManifestNode(.map([("name", ManifestNode(.string(stem), origin: ManifestOrigin(file: file, line: nil)))]), origin: tree.origin))
    }

    /// Reads one file and lays it over its parents.
    private func layered(_ file: URL, chain: [URL], files: inout [URL]) throws -> ManifestNode {
        if let start = chain.firstIndex(of: file) {
            let cycle = (chain[start...] + [file]).map(\.lastPathComponent).joined(separator: " → ")
            throw ManifestError(origin: ManifestOrigin(file: chain.last, line: nil), field: "extends", message: "cycle in extends: \(cycle)")
        }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ManifestError(origin: ManifestOrigin(file: file, line: nil), field: nil, message: "cannot read the file as UTF-8 text")
        }
        let node = try ManifestNode.parse(yaml: text, file: file)
        guard case .map(var entries) = node.value else {
            throw ManifestError(origin: node.origin, field: nil, message: "a manifest must be a map of keys, found \(node.typeName)")
        }
        var parents: [String] = []
        if let index = entries.firstIndex(where: { $0.key == "extends" }) {
            let extends = entries[index].value
            switch extends.value {
            case .string(let s): parents = [s]
            case .list(let items):
                parents = try items.enumerated().map { i, item in
                    guard case .string(let s) = item.value else {
                        throw ManifestError(origin: item.origin, field: "extends[\(i)]", message: "expected a manifest name or path")
                    }
                    return s
                }
            case .null: break
            default:
                throw ManifestError(origin: extends.origin, field: "extends", message: "expected a manifest name or path, or a list of them")
            }
            entries.remove(at: index)
        }
        var merged: ManifestNode?
        for parent in parents {
            let parentFile = try locate(parent, from: ManifestOrigin(file: file, line: node["extends"]?.origin.line))
            let parentTree = try layered(parentFile, chain: chain + [file], files: &files)
            merged = merged.map { $0.overlaid(by: parentTree) } ?? parentTree
        }
        files.append(file)
        let own = ManifestNode(.map(entries), origin: node.origin)
        return merged.map { $0.overlaid(by: own) } ?? own
    }

    /// `a.b=value` as a tree holding just that value (the value is read as YAML: `7`, `true`, `[1, 2]`).
    static func overrideNode(_ text: String) throws -> ManifestNode {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw ManifestError(origin: .commandLine, field: nil, message: "\"\(text)\" is not of the form key=value")
        }
        let keys = text[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains(where: \.isEmpty) else {
            throw ManifestError(origin: .commandLine, field: String(text[..<eq]), message: "empty key segment")
        }
        var value = try ManifestNode.parse(yaml: String(text[text.index(after: eq)...]), file: nil)
        value = value.withOrigin(.commandLine)
        if case .map(let entries) = value.value, entries.isEmpty {
            value = ManifestNode(.string(""), origin: .commandLine)
        }
        for key in keys.reversed() {
            value = ManifestNode(.map([(key, value)]), origin: .commandLine)
        }
        return value
    }

    /// Expands `${VAR}`, `${VAR:-default}` and `${field.path}` in every string.
    private func expand(_ node: ManifestNode, root: ManifestNode, path: String, depth: Int = 0) throws -> ManifestNode {
        switch node.value {
        case .string(let s) where s.contains("${"):
            return ManifestNode(.string(try interpolate(s, origin: node.origin, field: path, root: root, depth: depth)), origin: node.origin)
        case .list(let items):
            return ManifestNode(.list(try items.enumerated().map { try expand($1, root: root, path: "\(path)[\($0)]") }), origin: node.origin)
        case .map(let entries):
            return ManifestNode(.map(try entries.map { ($0.key, try expand($0.value, root: root, path: path.isEmpty ? $0.key : "\(path).\($0.key)")) }), origin: node.origin)
        default:
            return node
        }
    }

    func interpolate(_ text: String, origin: ManifestOrigin, field: String, root: ManifestNode, depth: Int) throws -> String {
        guard depth < 8 else {
            throw ManifestError(origin: origin, field: field, message: "${…} references nest too deeply (a reference cycle?)")
        }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ManifestError(origin: origin, field: field, message: "unterminated ${ in \"\(text)\"")
            }
            let expression = String(rest[start.upperBound..<end])
            let (name, fallback) = expression.range(of: ":-").map {
                (String(expression[..<$0.lowerBound]), Optional(String(expression[$0.upperBound...])))
            } ?? (expression, nil)
            if name.contains(".") {
                var node: ManifestNode? = root
                for key in name.split(separator: ".") { node = node?[String(key)] }
                guard let node, case .string(let value) = node.value else {
                    throw ManifestError(origin: origin, field: field, message: "${\(name)} does not name a string field of this manifest")
                }
                var referenced = try interpolate(value, origin: origin, field: field, root: root, depth: depth + 1)
                // A relative path means relative to the file that wrote it, wherever it is used.
                // A relative path means relative to the file that wrote it (the working directory for
                // `--set`), wherever it is used.
                if name.hasSuffix(".path"), !referenced.hasPrefix("/"), !referenced.hasPrefix("~") {
                    let base = node.origin.file?.deletingLastPathComponent()
                        ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                    referenced = base.appendingPathComponent(referenced).standardizedFileURL.path
                }
                out += referenced
            } else if let value = environment[name], !value.isEmpty {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                throw ManifestError(origin: origin, field: field,
                                    message: "environment variable \(name) is not set (set it, or write ${\(name):-default})")
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }
}

extension ManifestNode {
    func withOrigin(_ origin: ManifestOrigin) -> ManifestNode {
        switch value {
        case .list(let items): ManifestNode(.list(items.map { $0.withOrigin(origin) }), origin: origin)
        case .map(let entries): ManifestNode(.map(entries.map { ($0.key, $0.value.withOrigin(origin)) }), origin: origin)
        default: ManifestNode(value, origin: origin)
        }
    }
}
