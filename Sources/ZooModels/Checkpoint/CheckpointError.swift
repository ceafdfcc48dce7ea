import Foundation

/// A checkpoint that cannot be opened or a tensor that cannot be served.
///
/// Every error names the file (or directory) it concerns and, when one is involved, the tensor,
/// so a broken download or a mismatched model can be diagnosed from the message alone.
public struct CheckpointError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What went wrong, for callers that want to branch on it.
    public enum Kind: String, Sendable, CaseIterable {
        /// The checkpoint directory does not exist or is not a directory.
        case directoryNotFound
        /// The directory holds neither `model.safetensors` nor `model.safetensors.index.json`.
        case noCheckpointFiles
        /// The file could not be opened, inspected or mapped.
        case unreadableFile
        /// The file is shorter than the 8-byte header length prefix.
        case headerTooSmall
        /// The header length is larger than the file or than any sane header.
        case invalidHeaderLength
        /// The header is not UTF-8, not JSON, not an object, or has a malformed `__metadata__`.
        case invalidHeader
        /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or has values of the wrong type.
        case invalidTensorEntry
        /// A tensor's `dtype` string is not a safetensors dtype.
        case unknownDType
        /// A tensor's `data_offsets` span differs from `shape` × dtype size.
        case sizeMismatch
        /// A tensor's data extends past the end of the file.
        case truncatedData
        /// Tensor data ranges are reversed, overlap, or leave gaps.
        case invalidOffsets
        /// The data buffer has bytes after the last tensor.
        case incompleteBuffer
        /// `model.safetensors.index.json` is malformed.
        case invalidIndex
        /// The index names a shard file that does not exist.
        case shardNotFound
        /// The index maps a tensor to a shard that does not contain it.
        case tensorNotInShard
        /// The same tensor name appears in two shards.
        case duplicateTensor
        /// A requested tensor is not in the checkpoint.
        case tensorNotFound
        /// A requested tensor has a different shape than the model expects.
        case shapeMismatch
        /// A tensor's dtype is recognised but cannot be converted to fp32 here.
        case unsupportedDType
        /// The checkpoint holds tensors the model never requested.
        case unusedTensors
    }

    /// What went wrong.
    public let kind: Kind
    /// The file or directory concerned.
    public let file: URL
    /// The tensor concerned, if any.
    public let tensor: String?
    /// A human-readable explanation (without the file and tensor, which ``description`` adds).
    public let reason: String

    /// Creates an error; `reason` should explain the problem with concrete values.
    public init(_ kind: Kind, file: URL, tensor: String? = nil, _ reason: String) {
        self.kind = kind
        self.file = file
        self.tensor = tensor
        self.reason = reason
    }

    /// `<path>: tensor '<name>': <reason>`.
    public var description: String {
        var text = file.path
        if let tensor { text += ": tensor '\(tensor)'" }
        return text + ": " + reason
    }

    public var errorDescription: String? { description }
}
