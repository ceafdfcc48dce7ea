import Foundation

/// A parsed `model.safetensors.index.json`: which shard file holds each tensor.
struct ShardIndex: Sendable {
    let url: URL
    /// Tensor name → shard file name (relative to the index's directory).
    let weightMap: [String: String]
    /// `metadata.total_size`, if present (informational; not enforced).
    let totalSize: Int?

    init(url: URL) throws {
        self.url = url
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError(.unreadableFile, file: url, "cannot read index: \(error.localizedDescription)")
        }
        do {
            (weightMap, totalSize) = try data.withUnsafeBytes { try Self.parse($0, url: url) }
        } catch let syntax as JSONScanner.SyntaxError {
            throw CheckpointError(.invalidIndex, file: url, "index \(syntax.reason)")
        }
    }

    /// Reads the index in place (``JSONScanner``): the weight map's shard names and `metadata.total_size`.
    private static func parse(_ bytes: UnsafeRawBufferPointer, url: URL) throws -> (weightMap: [String: String], totalSize: Int?) {
        guard JSONScanner.isValidUTF8(bytes) else {
            throw CheckpointError(.invalidIndex, file: url, "index is not valid UTF-8")
        }
        var scanner = JSONScanner(bytes)
        let kind = try scanner.peekKind()
        guard kind == .object else {
            throw CheckpointError(.invalidIndex, file: url, "index is \(kind.name), expected a JSON object")
        }
        var weightMap: [String: String]?
        var totalSize: Int?
        try scanner.forEachMember { key, scanner in
            switch key {
            case "weight_map": weightMap = try readWeightMap(&scanner, url: url)
            case "metadata" where try scanner.peekKind() == .object:
                try scanner.forEachMember { field, scanner in
                    if field == "total_size", try scanner.peekKind() == .integer {
                        totalSize = try scanner.integer()
                    } else {
                        try scanner.skipValue()
                    }
                }
            default: try scanner.skipValue()
            }
        }
        guard scanner.atEnd() else { throw JSONScanner.SyntaxError(offset: scanner.offset, message: "text after the index") }
        guard let weightMap else { throw CheckpointError(.invalidIndex, file: url, "index has no \"weight_map\"") }
        guard !weightMap.isEmpty else { throw CheckpointError(.invalidIndex, file: url, "\"weight_map\" is empty") }
        return (weightMap, totalSize)
    }

    /// `weight_map`: tensor name → a plain file name next to the index.
    private static func readWeightMap(_ scanner: inout JSONScanner, url: URL) throws -> [String: String] {
        let kind = try scanner.peekKind()
        guard kind == .object else {
            throw CheckpointError(.invalidIndex, file: url, "\"weight_map\" is \(kind.name), expected an object")
        }
        var weightMap: [String: String] = [:]
        try scanner.forEachMember { tensor, scanner in
            let valueKind = try scanner.peekKind()
            guard valueKind == .string else {
                throw CheckpointError(.invalidIndex, file: url, tensor: tensor,
                    "\"weight_map\" value is \(valueKind.name), expected a shard file name")
            }
            let shard = try scanner.string()
            // Shards live next to the index; refuse paths that would escape the directory.
            guard !shard.isEmpty, !shard.contains("/"), shard != ".", shard != ".." else {
                throw CheckpointError(.invalidIndex, file: url, tensor: tensor,
                    "\"weight_map\" names \"\(shard)\", expected a plain file name in the same directory")
            }
            weightMap[tensor] = shard
        }
        return weightMap
    }

    /// The distinct shard file names, sorted.
    var shardNames: [String] { Set(weightMap.values).sorted() }

    /// The alphabetically first tensor mapped to `shard` (to make error messages concrete).
    func firstTensor(in shard: String) -> String? {
        weightMap.filter { $0.value == shard }.keys.min()
    }
}
