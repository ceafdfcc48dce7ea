import Foundation

/// Prints a resolved manifest as YAML with, after every value, the file and line that set it.
public enum ManifestPrinter {
    /// The resolved tree as YAML, top-level keys in the documented order; `showOrigins: false` leaves
    /// out the `# file:line` comments (what receipts hash).
    public static func render(_ resolved: ResolvedManifest, showOrigins: Bool = true) -> String {
        var lines: [String] = []
        let files = resolved.files.map(display).joined(separator: " → ")
        lines.append("# \(resolved.manifest.name), resolved from \(files)")
        if case .map(let entries) = resolved.tree.value {
            // Top-level keys in the documented order, whatever order the layers wrote them in.
            let order = Manifest.topLevelKeys
            let sorted = entries.sorted { (order.firstIndex(of: $0.key) ?? order.count) < (order.firstIndex(of: $1.key) ?? order.count) }
            for (key, value) in sorted { emit(key: key, value, indent: 0, into: &lines, showOrigins: showOrigins) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func display(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(cwd) ? String(url.path.dropFirst(cwd.count)) : url.path
    }

    private static func origin(_ node: ManifestNode) -> String {
        guard let file = node.origin.file else { return "--set" }
        return display(file) + (node.origin.line.map { ":\($0)" } ?? "")
    }

    private static func emit(key: String?, _ node: ManifestNode, indent: Int, listItem: Bool = false,
                             into lines: inout [String], showOrigins: Bool) {
        let pad = String(repeating: "  ", count: indent)
        let lead = pad + (listItem ? "- " : "") + (key.map { "\(quoteKey($0)):" } ?? "")
        let comment = showOrigins ? "  # \(origin(node))" : ""
        switch node.value {
        case .map(let entries) where !entries.isEmpty:
            if listItem, key == nil {
                // "- key: value" for the first entry, the rest aligned under it.
                for (i, (k, v)) in entries.enumerated() {
                    emit(key: k, v, indent: indent + (i == 0 ? 0 : 1), listItem: i == 0, into: &lines, showOrigins: showOrigins)
                }
                return
            }
            lines.append(lead + comment)
            for (k, v) in entries { emit(key: k, v, indent: indent + 1, into: &lines, showOrigins: showOrigins) }
        case .list(let items) where !items.isEmpty:
            lines.append(lead + comment)
            for item in items { emit(key: nil, item, indent: indent + 1, listItem: true, into: &lines, showOrigins: showOrigins) }
        default:
            let separator = key == nil ? "" : " "
            lines.append(lead + separator + scalar(node.value) + comment)
        }
    }

    private static func quoteKey(_ key: String) -> String {
        key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } ? key : json(key)
    }

    private static func scalar(_ value: ManifestValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .string(let s):
            let plain = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "_-./~".contains($0) }
                && !["true", "false", "null", "yes", "no", "on", "off"].contains(s.lowercased())
                && Double(s) == nil
            return plain ? s : json(s)
        case .list: return "[]"
        case .map: return "{}"
        }
    }

    private static func json(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(text.dropFirst().dropLast())
    }
}
