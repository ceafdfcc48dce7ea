import Foundation

/// An opened checkpoint directory: a single `model.safetensors`, or shards listed by
/// `model.safetensors.index.json`.
///
/// Opening maps and validates every file up front (cheap: only headers are read), so a
/// broken download fails here with a precise message rather than halfway through loading.
/// Tensors are served as fp32 by ``floats(_:shape:)``, which also records them as used so
/// ``verifyAllTensorsUsed(ignoring:)`` can report tensors the model did not expect.
public final class Checkpoint: @unchecked Sendable {
    /// The file name of a single-file checkpoint.
    public static let singleFileName = "model.safetensors"
    /// The file name of a sharded checkpoint's index.
    public static let indexFileName = "model.safetensors.index.json"

    /// The directory the checkpoint was opened from.
    public let directory: URL
    /// The opened safetensors files, sorted by name.
    public let files: [SafetensorsFile]

    /// Tensor name → the file holding it.
    private let locations: [String: SafetensorsFile]
    /// The file to blame for a missing tensor: the index, or the single file.
    private let manifest: URL
    // @unchecked Sendable: `used` is the only mutable state and is guarded by `lock`.
    private let lock = NSLock()
    private var used: Set<String> = []

    /// Opens the checkpoint in `directory`.
    ///
    /// Uses `model.safetensors` if present (as transformers does), otherwise the index and its shards.
    /// Throws ``CheckpointError`` if the directory, a file, the index or a header is missing or malformed.
    public init(directory: URL) throws {
        self.directory = directory
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw CheckpointError(.directoryNotFound, file: directory, "checkpoint directory does not exist")
        }
        guard isDirectory.boolValue else {
            throw CheckpointError(.directoryNotFound, file: directory, "checkpoint path is not a directory")
        }

        let single = directory.appendingPathComponent(Self.singleFileName)
        let indexURL = directory.appendingPathComponent(Self.indexFileName)
        if fileManager.fileExists(atPath: single.path) {
            let file = try SafetensorsFile(url: single)
            files = [file]
            locations = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, file) })
            manifest = single
        } else if fileManager.fileExists(atPath: indexURL.path) {
            (files, locations) = try Self.openShards(index: ShardIndex(url: indexURL), directory: directory)
            manifest = indexURL
        } else {
            let contents = (try? fileManager.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
            let listing = contents.isEmpty ? "the directory is empty"
                : "it contains: " + Self.abbreviatedList(contents, limit: 20)
            throw CheckpointError(.noCheckpointFiles, file: directory,
                "no \(Self.singleFileName) or \(Self.indexFileName); \(listing)")
        }
    }

    /// Opens every shard the index names and cross-checks the index against the shard headers.
    private static func openShards(
        index: ShardIndex, directory: URL
    ) throws -> ([SafetensorsFile], [String: SafetensorsFile]) {
        var shards: [String: SafetensorsFile] = [:]
        for shardName in index.shardNames {
            let url = directory.appendingPathComponent(shardName)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CheckpointError(.shardNotFound, file: url, tensor: index.firstTensor(in: shardName),
                    "shard file does not exist (named in \(index.url.path))")
            }
            shards[shardName] = try SafetensorsFile(url: url)
        }
        for (tensor, shardName) in index.weightMap.sorted(by: { $0.key < $1.key }) {
            guard let shard = shards[shardName], shard.contains(tensor) else {
                throw CheckpointError(.tensorNotInShard, file: directory.appendingPathComponent(shardName),
                    tensor: tensor, "the index \(index.url.path) maps the tensor to this shard, but the shard does not contain it")
            }
        }
        // Shards may hold tensors the index omits; include them, but never the same name twice.
        var locations: [String: SafetensorsFile] = [:]
        let files = shards.sorted { $0.key < $1.key }.map(\.value)
        for file in files {
            for tensor in file.tensorNames {
                if let other = locations[tensor] {
                    throw CheckpointError(.duplicateTensor, file: file.url, tensor: tensor,
                        "also present in \(other.url.path)")
                }
                locations[tensor] = file
            }
        }
        return (files, locations)
    }

    /// The names of all tensors in the checkpoint, sorted.
    public var tensorNames: [String] { locations.keys.sorted() }

    /// The dtype, shape and file of tensor `name`, or nil if the checkpoint does not hold it.
    public func info(_ name: String) -> TensorInfo? { locations[name]?.info(name) }

    /// Whether the checkpoint holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { locations[name] != nil }

    /// Tensor `name` as stored 16-bit floats (only for F16/BF16 tensors), checked against `shape`,
    /// and recorded as used. Aligned data is a view into the mapping.
    public func halves(_ name: String, shape: [Int]) throws -> HalfBuffer {
        try read(name) { try $0.halves(name, shape: shape) }
    }

    /// Tensor `name` as fp32, checked against `shape`, and recorded as used.
    ///
    /// F32 data that is 4-byte aligned is returned without copying (a view into the mapping);
    /// F16/BF16 (and unaligned F32) are converted into an owned buffer. Throws ``CheckpointError``
    /// if the tensor is missing, has another shape, or has a dtype other than F32/F16/BF16.
    public func floats(_ name: String, shape: [Int]) throws -> FloatBuffer {
        try read(name) { try $0.floats(name, shape: shape) }
    }

    /// `body` applied to the file holding tensor `name`, the tensor then recorded as used.
    private func read<Buffer>(_ name: String, _ body: (SafetensorsFile) throws -> Buffer) throws -> Buffer {
        guard let file = locations[name] else {
            throw CheckpointError(.tensorNotFound, file: manifest, tensor: name,
                "not found in the checkpoint in \(directory.path) (\(locations.count) tensors)")
        }
        let buffer = try body(file)
        lock.withLock { _ = used.insert(name) }
        return buffer
    }

    /// Records tensor `name` as used without reading it (its data came from elsewhere, e.g. a
    /// ``QuantizedWeightCache`` file made from it).
    func markUsed(_ name: String) {
        lock.withLock { _ = used.insert(name) }
    }

    /// Throws `.unusedTensors` if any tensor was never successfully requested through
    /// ``floats(_:shape:)``, except those `ignoring` accepts (e.g. `rotary_emb.inv_freq` buffers).
    ///
    /// Call after loading a model: an unexpected tensor usually means a config/architecture mismatch.
    public func verifyAllTensorsUsed(ignoring: (String) -> Bool = { _ in false }) throws {
        let requested = lock.withLock { used }
        let unused = tensorNames.filter { !requested.contains($0) && !ignoring($0) }
        guard let first = unused.first else { return }
        throw CheckpointError(.unusedTensors, file: manifest, tensor: first,
            "\(unused.count) tensor(s) in the checkpoint were not used by the model: "
                + Self.abbreviatedList(unused, limit: 20))
    }

    private static func abbreviatedList(_ items: [String], limit: Int) -> String {
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? shown + ", … (\(items.count - limit) more)" : shown
    }
}
