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
        let json: JSONValue
        switch data.withUnsafeBytes({ JSONValue.parse($0) }) {
        case .success(let value): json = value
        case .failure(let failure): throw CheckpointError(.invalidIndex, file: url, "index \(failure.reason)")
        }
        guard case .object(let fields) = json else {
            throw CheckpointError(.invalidIndex, file: url, "index is \(json.kindName), expected a JSON object")
        }
        guard let mapValue = fields["weight_map"] else {
            throw CheckpointError(.invalidIndex, file: url, "index has no \"weight_map\"")
        }
        guard case .object(let entries) = mapValue else {
            throw CheckpointError(.invalidIndex, file: url, "\"weight_map\" is \(mapValue.kindName), expected an object")
        }
        guard !entries.isEmpty else {
            throw CheckpointError(.invalidIndex, file: url, "\"weight_map\" is empty")
        }
        var weightMap: [String: String] = [:]
        for (tensor, value) in entries {
            guard case .string(let shard) = value else {
                throw CheckpointError(.invalidIndex, file: url, tensor: tensor,
                    "\"weight_map\" value is \(value.kindName), expected a shard file name")
            }
            // Shards live next to the index; refuse paths that would escape the directory.
            guard !shard.isEmpty, !shard.contains("/"), shard != ".", shard != ".." else {
                throw CheckpointError(.invalidIndex, file: url, tensor: tensor,
                    "\"weight_map\" names \"\(shard)\", expected a plain file name in the same directory")
            }
            weightMap[tensor] = shard
        }
        self.weightMap = weightMap

        if case .object(let metadata)? = fields["metadata"], case .integer(let size)? = metadata["total_size"] {
            totalSize = size
        } else {
            totalSize = nil
        }
    }

    /// The distinct shard file names, sorted.
    var shardNames: [String] { Set(weightMap.values).sorted() }

    /// The alphabetically first tensor mapped to `shard` (to make error messages concrete).
    func firstTensor(in shard: String) -> String? {
        weightMap.filter { $0.value == shard }.keys.min()
    }
}
