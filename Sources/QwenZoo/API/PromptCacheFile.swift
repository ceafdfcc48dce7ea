import Foundation
import ZooCore
import ZooKernels

/// A saved prompt cache could not be read back.
public enum PromptCacheError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file does not start with the prompt-cache magic bytes.
    case notAPromptCache(path: String)
    /// The file was written by a format version this build cannot read.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// The file ends before the data its header announces.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file's contents do not match its checksum, or its header does not parse.
    case corrupted(path: String, reason: String)
    /// The cache was saved with another model (or another tokenizer): its keys and values mean
    /// nothing to this one.
    case modelMismatch(field: String, saved: String, current: String)
    /// This model's cache cannot be read back (a custom `KVCache` that is not an
    /// `InspectableKVCache`).
    case unsupportedCache(String)

    /// The message to show a user.
    public var description: String {
        switch self {
        case .notAPromptCache(let path):
            "\(path) is not a QwenZoo prompt cache (wrong magic bytes)"
        case .unsupportedVersion(let found, let supported):
            "the prompt cache has format version \(found); this build reads version \(supported)"
        case .truncated(let path, let expected, let actual):
            "\(path) is truncated: the header announces \(expected) bytes but the file has \(actual)"
        case .corrupted(let path, let reason):
            "\(path) is corrupted: \(reason)"
        case .modelMismatch(let field, let saved, let current):
            "the prompt cache was saved with another model: \(field) is \(saved) in the file but \(current) for this model"
        case .unsupportedCache(let reason):
            "cannot save this prompt cache: \(reason)"
        }
    }
}

/// The on-disk form of a ``PromptCache``, version 1 (all integers little-endian):
///
/// | bytes | content |
/// | --- | --- |
/// | 8 | magic `QZKVCACH` |
/// | 4 | format version (`UInt32`, 1) |
/// | 4 | header length `h` (`UInt32`) |
/// | h | header, JSON: the model's identity, token count, Qwen v1 prefill length, app metadata |
/// | 4·n | the cached token ids (`Int32`) |
/// | 8·n·w per layer | the layer's keys, then its values (`Float32`, `n` rows of `w` floats) |
/// | 8 | checksum of everything before it (FNV-1a over 64-bit words, `UInt64`) |
///
/// The identity is the checkpoint's `config.json` digest, the vocabulary's digest, the layer
/// count, the KV row width and the vocabulary size: a file saved with any other model or
/// tokenizer is refused with ``PromptCacheError/modelMismatch(field:saved:current:)``.
public enum PromptCacheFile {
    /// The version this build writes and reads.
    public static let version: UInt32 = 1
    static let magic = Array("QZKVCACH".utf8)

    struct Header: Codable, Equatable {
        var configDigest: String
        var vocabularyDigest: String
        var layers: Int
        var rowWidth: Int
        var vocabularySize: Int
        var tokens: Int
        var ropePrefillLength: Int?
        var metadata: Data
    }

    /// The identity fields of `model`, as a header with no tokens.
    static func identity(of model: LoadedModel, layers: Int, rowWidth: Int) -> Header {
        var config = "none"
        if let url = model.manifest.weights?.path.appendingPathComponent("config.json"),
           let data = try? Data(contentsOf: url) {
            var hash = ContentHash()
            hash.update(data)
            config = hash.digest
        }
        return Header(
            configDigest: config, vocabularyDigest: ContentHash.of(model.tokenizer), layers: layers,
            rowWidth: rowWidth, vocabularySize: model.model.vocabularySize, tokens: 0, ropePrefillLength: nil,
            metadata: Data())
    }

    /// Writes `cache` with the identity of `model` and the app's `metadata` (e.g. a chat history).
    static func write(_ cache: PromptCache, model: LoadedModel, metadata: Data, to url: URL) throws {
        guard let (storage, ropePrefill) = cache.inspectable else {
            throw PromptCacheError.unsupportedCache("\(type(of: cache.storage)) is not an InspectableKVCache")
        }
        var header = identity(of: model, layers: storage.layerCount, rowWidth: storage.rowWidth)
        header.tokens = cache.count
        header.ropePrefillLength = ropePrefill
        header.metadata = metadata
        let json = try JSONEncoder().encode(header)
        let n = cache.count, w = storage.rowWidth
        var out = Data(capacity: 16 + json.count + 4 * n + 8 * n * w * storage.layerCount + 8)
        out.append(contentsOf: magic)
        appendInteger(version, to: &out)
        appendInteger(UInt32(json.count), to: &out)
        out.append(json)
        for id in cache.tokens { appendInteger(Int32(id), to: &out) }
        for layer in 0..<storage.layerCount {
            let rows = storage.committedRows(layer: layer)
            switch rows.precision {
            case .f32:
                for pointer in [rows.keys, rows.values] {
                    for r in 0..<n { out.append(UnsafeBufferPointer(start: pointer + r * rows.rowStride, count: w)) }
                }
            case .f16:
                // The file keeps fp32 rows whatever the cache stores; fp16 widens exactly.
                var row = [Float](repeating: 0, count: w)
                for pointer in [rows.halfKeys, rows.halfValues] {
                    for r in 0..<n {
                        MatrixMultiply.widen(pointer + r * rows.rowStride, bf16: false, into: &row, count: w)
                        row.withUnsafeBufferPointer { out.append($0) }
                    }
                }
            }
        }
        appendInteger(checksum(out), to: &out)
        try out.write(to: url, options: .atomic)
        ZooLog.logger.debug("saved prompt cache", metadata: ["tokens": "\(n)", "bytes": "\(out.count)", "path": "\(url.path)"])
    }

    /// Validates the file at `url` against `model` and loads it into `cache`; returns the app's metadata.
    static func read(_ url: URL, into cache: PromptCache, model: LoadedModel) throws -> Data {
        let path = url.path
        let data = try Data(contentsOf: url, options: .mappedIfSafe)
        return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Data in
            guard bytes.count >= 8, Array(bytes[0..<8]) == magic else { throw PromptCacheError.notAPromptCache(path: path) }
            guard bytes.count >= 16 else { throw PromptCacheError.truncated(path: path, expectedBytes: 16, actualBytes: bytes.count) }
            let version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
            guard version == Self.version else {
                throw PromptCacheError.unsupportedVersion(found: version, supported: Self.version)
            }
            let headerLength = Int(bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
            guard bytes.count >= 16 + headerLength else {
                throw PromptCacheError.truncated(path: path, expectedBytes: 16 + headerLength, actualBytes: bytes.count)
            }
            let header: Header
            do {
                header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
            } catch {
                throw PromptCacheError.corrupted(path: path, reason: "the header does not parse (\(error))")
            }
            let n = header.tokens, w = header.rowWidth
            guard n >= 0, w > 0, header.layers > 0 else {
                throw PromptCacheError.corrupted(path: path, reason: "the header's shape is impossible")
            }
            let idsStart = 16 + headerLength
            let rowsStart = idsStart + 4 * n
            let total = rowsStart + 8 * n * w * header.layers + 8
            guard bytes.count >= total else {
                throw PromptCacheError.truncated(path: path, expectedBytes: total, actualBytes: bytes.count)
            }
            guard bytes.count == total else {
                throw PromptCacheError.corrupted(path: path, reason: "\(bytes.count - total) unexpected bytes after the data")
            }
            let stored = bytes.loadUnaligned(fromByteOffset: total - 8, as: UInt64.self).littleEndian
            guard stored == checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<(total - 8)])) else {
                throw PromptCacheError.corrupted(path: path, reason: "the checksum does not match the contents")
            }

            // The file is intact; does it belong to this model?
            let empty = PromptCache(model: model.model, capacity: 1)
            guard let (probe, _) = empty.inspectable else {
                throw PromptCacheError.unsupportedCache("\(type(of: empty.storage)) is not an InspectableKVCache")
            }
            let current = identity(of: model, layers: probe.layerCount, rowWidth: probe.rowWidth)
            for (field, saved, mine) in [
                ("the checkpoint's config.json digest", header.configDigest, current.configDigest),
                ("the vocabulary digest", header.vocabularyDigest, current.vocabularyDigest),
                ("the layer count", "\(header.layers)", "\(current.layers)"),
                ("the KV row width", "\(header.rowWidth)", "\(current.rowWidth)"),
                ("the vocabulary size", "\(header.vocabularySize)", "\(current.vocabularySize)"),
            ] where saved != mine {
                throw PromptCacheError.modelMismatch(field: field, saved: saved, current: mine)
            }
            guard n <= min(model.model.contextLength, cache.storage.capacity) else {
                throw ContextOverflowError(requested: n, capacity: min(model.model.contextLength, cache.storage.capacity))
            }
            let ids = (0..<n).map { Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: idsStart + 4 * $0, as: Int32.self))) }
            let layerBytes = 8 * n * w
            try cache.load(tokens: ids, ropePrefillLength: header.ropePrefillLength, rows: { layer, keys, values in
                let base = rowsStart + layer * layerBytes
                UnsafeMutableRawPointer(keys).copyMemory(from: bytes.baseAddress! + base, byteCount: 4 * n * w)
                UnsafeMutableRawPointer(values).copyMemory(from: bytes.baseAddress! + base + 4 * n * w, byteCount: 4 * n * w)
            }, layers: header.layers, rowWidth: w)
            ZooLog.logger.debug("restored prompt cache", metadata: ["tokens": "\(n)", "path": "\(path)"])
            return header.metadata
        }
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func checksum(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { checksum($0) }
    }

    /// FNV-1a over little-endian 64-bit words (the tail zero-padded), then the length.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        let words = bytes.count / 8
        for i in 0..<words {
            state ^= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
            state = state &* 0x0000_0100_0000_01B3
        }
        var tail: UInt64 = 0
        for i in (8 * words)..<bytes.count { tail |= UInt64(bytes[i]) << (8 * UInt64(i - 8 * words)) }
        state ^= tail
        state = state &* 0x0000_0100_0000_01B3
        state ^= UInt64(bytes.count)
        return state &* 0x0000_0100_0000_01B3
    }
}
