import Foundation
import Synchronization
import ZooKernels

/// Keeps the weights a checkpoint was quantized to at load (q8_0, q4_0, q4_K) in a file, so that the
/// next load maps them instead of reading every fp32/bf16 weight and quantizing it again: instant,
/// and the resident memory is the quantized weights only.
///
/// A cache file belongs to one checkpoint state: its name digests the precision, the checkpoint's
/// path and every weight file's name, size and modification time, and its header repeats that key.
/// A file that does not match, or is damaged, is ignored and rewritten; a cache that cannot be
/// written costs nothing but the speed-up.
///
/// The directory is `$QWENZOO_CACHE/quantized`, else `$XDG_CACHE_HOME/qwenzoo/quantized`, else
/// `~/.cache/qwenzoo/quantized`; `QWENZOO_QUANT_CACHE=0` turns the cache off.
public enum QuantizedWeightCache {
    private static let configured = Mutex<URL?>(defaultDirectory())

    /// Where cache files go; `nil` turns the cache off.
    public static var directory: URL? {
        get { configured.withLock { $0 } }
        set { configured.withLock { $0 = newValue } }
    }

    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 home: URL = FileManager.default.homeDirectoryForCurrentUser) -> URL? {
        if environment["QWENZOO_QUANT_CACHE"] == "0" { return nil }
        if let root = environment["QWENZOO_CACHE"], !root.isEmpty {
            return URL(fileURLWithPath: root).appendingPathComponent("quantized")
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("qwenzoo/quantized")
        }
        return home.appendingPathComponent(".cache/qwenzoo/quantized")
    }

    static let magic = Array("QZQUANT1".utf8)

    /// The file's header: the key it was written for and where each matrix lies.
    struct Header: Codable {
        var key: String
        var tensors: [String: Entry]

        struct Entry: Codable {
            var format: String
            var rows: Int
            var columns: Int
            var valuesOffset: Int
            var valuesBytes: Int
            var scalesOffset: Int
        }
    }

    /// The identity of `checkpoint` quantized to `precision`.
    static func key(for checkpoint: Checkpoint, precision: WeightPrecision) -> String {
        // The layout is part of the identity: interleaved on a VNNI machine, row-major elsewhere
        // (with q5_0 widened to q8_0 where the integer kernels run without VNNI).
        let layout = InterleavedFormat.isPreferred ? "x16" : WeightTensor.unpacksQ4_K ? "rows-b32"
            : WeightTensor.widensQ5_0 ? "rows-q5w" : "rows"
        var parts = ["v3", precision.rawValue, layout,
                     checkpoint.directory.standardizedFileURL.path]
        for file in checkpoint.files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file.url.path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            parts.append("\(file.url.lastPathComponent):\(size):\(modified)")
        }
        return parts.joined(separator: "|")
    }

    static func fileURL(in directory: URL, key: String) -> URL {
        directory.appendingPathComponent("\(fnv1a(key)).qzq")
    }

    private static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("qwenzoo: warning: quantized-weight cache: \(message)\n".utf8))
    }
}

/// A ``Checkpoint`` whose quantized matrices come from (or go to) a ``QuantizedWeightCache`` file.
final class CachedQuantizedSource: TensorSource {
    private let checkpoint: Checkpoint
    private let precision: WeightPrecision
    private let key: String
    private let url: URL
    /// The mapped cache file and its header, when a valid one exists.
    private let mapped: (file: MappedFile, header: QuantizedWeightCache.Header, data: Int)?
    /// Matrices quantized during this load, to be written at the end.
    private var fresh: [(name: String, tensor: WeightTensor)] = []

    /// `checkpoint` itself when the cache is off or `precision` does not quantize.
    static func wrapping(_ checkpoint: Checkpoint, precision: WeightPrecision) -> any TensorSource {
        guard precision.isQuantized, let directory = QuantizedWeightCache.directory else { return checkpoint }
        return CachedQuantizedSource(checkpoint, precision: precision, directory: directory)
    }

    private init(_ checkpoint: Checkpoint, precision: WeightPrecision, directory: URL) {
        self.checkpoint = checkpoint
        self.precision = precision
        key = QuantizedWeightCache.key(for: checkpoint, precision: precision)
        url = QuantizedWeightCache.fileURL(in: directory, key: key)
        mapped = Self.open(url, key: key)
    }

    private static func open(_ url: URL, key: String) -> (file: MappedFile, header: QuantizedWeightCache.Header, data: Int)? {
        guard FileManager.default.fileExists(atPath: url.path), let file = try? MappedFile(url: url) else { return nil }
        let bytes = file.bytes
        guard bytes.count >= 12, Array(bytes[0..<8]) == QuantizedWeightCache.magic else {
            QuantizedWeightCache.warn("\(url.path) is not a cache file; rebuilding it")
            return nil
        }
        let length = Int(bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        let data = (12 + length + 63) / 64 * 64
        guard 12 + length <= bytes.count,
              let header = try? JSONDecoder().decode(QuantizedWeightCache.Header.self, from: Data(bytes[12..<(12 + length)]))
        else {
            QuantizedWeightCache.warn("\(url.path) has a damaged header; rebuilding it")
            return nil
        }
        guard header.key == key else { return nil }
        for (name, entry) in header.tensors {
            let values = entry.rows.multipliedReportingOverflow(by: entry.columns)
            guard !values.overflow, entry.rows >= 0, entry.columns >= 0 else {
                QuantizedWeightCache.warn("\(url.path): tensor \(name) has an impossible shape; rebuilding it")
                return nil
            }
            let scaleBytes = switch entry.format {
            case "q8_0", "q4_0": 4 * (values.partialValue / 32)
            case "q4_Kb32": 4 * (values.partialValue / 16)
            default: 0
            }
            guard entry.valuesOffset >= 0, entry.scalesOffset >= 0, entry.valuesBytes >= 0,
                  data + entry.valuesOffset + entry.valuesBytes <= bytes.count,
                  data + entry.scalesOffset + scaleBytes <= bytes.count
            else {
                QuantizedWeightCache.warn("\(url.path): tensor \(name) lies past the end of the file; rebuilding it")
                return nil
            }
        }
        return (file, header, data)
    }

    func floats(_ name: String, shape: [Int]) throws -> FloatBuffer { try checkpoint.floats(name, shape: shape) }

    func matrix(_ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws -> WeightTensor {
        if precision == self.precision, let mapped, let entry = mapped.header.tensors[name],
           entry.rows == rows, entry.columns == columns
        {
            // Reading a cached matrix still checks the checkpoint has it, with this shape.
            guard let info = checkpoint.info(name), info.shape == [rows, columns] else {
                return try checkpoint.matrix(name, rows: rows, columns: columns, precision: precision)
            }
            checkpoint.markUsed(name)
            let base = mapped.file.bytes.baseAddress! + mapped.data
            let scales = UnsafeMutablePointer(mutating: (base + entry.scalesOffset).assumingMemoryBound(to: Float.self))
            let values = UnsafeMutableRawPointer(mutating: base + entry.valuesOffset)
            let storage: WeightTensor.Storage
            switch entry.format {
            case "q8_0": storage = .q8_0(values: values.assumingMemoryBound(to: Int8.self), scales: scales)
            case "q4_0": storage = .q4_0(nibbles: values.assumingMemoryBound(to: UInt8.self), scales: scales)
            case "q4_Kb32":
                guard columns % 256 == 0, entry.valuesBytes == rows * columns / 2 else {
                    return try checkpoint.matrix(name, rows: rows, columns: columns, precision: precision)
                }
                storage = .q4_Kb32(nibbles: values.assumingMemoryBound(to: UInt8.self), factors: scales)
            case InterleavedFormat.q8_0.rawValue, InterleavedFormat.q4_0.rawValue, InterleavedFormat.q5_0.rawValue,
                 InterleavedFormat.q4_K.rawValue:
                let format = InterleavedFormat(rawValue: entry.format)!
                guard columns % (format == .q4_K ? 256 : 32) == 0, entry.valuesBytes == format.byteCount(rows: rows, columns: columns)
                else { return try checkpoint.matrix(name, rows: rows, columns: columns, precision: precision) }
                storage = .interleaved(InterleavedBuffer(viewing: values, format: format, rows: rows, columns: columns, in: mapped.file))
            default:
                // k-quant and q5 blocks, as llama.cpp lays them out (q4_K's fallbacks included).
                guard let format = KQuantFormat(rawValue: entry.format), columns % format.blockValues == 0,
                      entry.valuesBytes == format.byteCount(rows: rows, columns: columns)
                else { return try checkpoint.matrix(name, rows: rows, columns: columns, precision: precision) }
                storage = .kQuant(KQuantBuffer(viewing: values, format: format, rows: rows, columns: columns, in: mapped.file))
            }
            return WeightTensor(storage, rows: rows, columns: columns, mappedFrom: mapped.file)
        }
        let tensor = try checkpoint.matrix(name, rows: rows, columns: columns, precision: precision)
        switch tensor.storage {
        case .q8_0, .q4_0, .q4_Kb32, .kQuant, .interleaved: fresh.append((name, tensor))
        default: break
        }
        return tensor
    }

    func verifyAllTensorsUsed(ignoring: (String) -> Bool) throws {
        try checkpoint.verifyAllTensorsUsed(ignoring: ignoring)
    }

    /// Writes the matrices quantized during this load, if any were (a complete, verified load).
    func loadingFinished() {
        // A valid file that lacked some matrix is kept as it is rather than replaced by a partial one.
        guard !fresh.isEmpty, mapped == nil else { return }
        do {
            try write()
        } catch {
            QuantizedWeightCache.warn("cannot write \(url.path): \(error)")
        }
    }

    private func write() throws {
        var header = QuantizedWeightCache.Header(key: key, tensors: [:])
        var offset = 0
        func reserve(_ bytes: Int) -> Int {
            defer { offset += (bytes + 63) / 64 * 64 }
            return offset
        }
        for (name, tensor) in fresh {
            let count = tensor.rows * tensor.columns
            // Packed formats are one run of bytes, no scales apart.
            func packedEntry(_ format: String, _ bytes: Int) -> QuantizedWeightCache.Header.Entry {
                .init(format: format, rows: tensor.rows, columns: tensor.columns, valuesOffset: reserve(bytes), valuesBytes: bytes,
                      scalesOffset: 0)
            }
            switch tensor.storage {
            case .q8_0, .q4_0:
                let isQ8 = if case .q8_0 = tensor.storage { true } else { false }
                let valuesBytes = isQ8 ? count : count / 2
                header.tensors[name] = .init(
                    format: isQ8 ? "q8_0" : "q4_0", rows: tensor.rows, columns: tensor.columns,
                    valuesOffset: reserve(valuesBytes), valuesBytes: valuesBytes, scalesOffset: reserve(4 * (count / 32)))
            case .q4_Kb32:
                header.tensors[name] = .init(
                    format: "q4_Kb32", rows: tensor.rows, columns: tensor.columns, valuesOffset: reserve(count / 2),
                    valuesBytes: count / 2, scalesOffset: reserve(4 * (count / 16)))
            case .kQuant(let buffer):
                header.tensors[name] = packedEntry(buffer.format.rawValue, buffer.byteCount)
            case .interleaved(let buffer):
                header.tensors[name] = packedEntry(buffer.format.rawValue, buffer.byteCount)
            default:
                continue
            }
        }
        let json = try JSONEncoder().encode(header)
        let dataStart = (12 + json.count + 63) / 64 * 64
        var out = Data(capacity: dataStart + offset)
        out.append(contentsOf: QuantizedWeightCache.magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(Data(count: dataStart - out.count))
        for (name, tensor) in fresh {
            let entry = header.tensors[name]!
            out.append(Data(count: dataStart + entry.valuesOffset - out.count))
            switch tensor.storage {
            case .q8_0(let values, let scales):
                out.append(UnsafeBufferPointer(start: values, count: entry.valuesBytes))
                out.append(Data(count: dataStart + entry.scalesOffset - out.count))
                out.append(UnsafeBufferPointer(start: scales, count: tensor.rows * tensor.columns / 32))
            case .q4_0(let nibbles, let scales):
                out.append(UnsafeBufferPointer(start: nibbles, count: entry.valuesBytes))
                out.append(Data(count: dataStart + entry.scalesOffset - out.count))
                out.append(UnsafeBufferPointer(start: scales, count: tensor.rows * tensor.columns / 32))
            case .q4_Kb32(let nibbles, let factors):
                out.append(UnsafeBufferPointer(start: nibbles, count: entry.valuesBytes))
                out.append(Data(count: dataStart + entry.scalesOffset - out.count))
                out.append(UnsafeBufferPointer(start: factors, count: tensor.rows * tensor.columns / 16))
            case .kQuant(let buffer):
                out.append(UnsafeBufferPointer(start: buffer.blocks, count: entry.valuesBytes))
            case .interleaved(let buffer):
                out.append(UnsafeBufferPointer(start: buffer.bytes, count: entry.valuesBytes))
            default:
                continue
            }
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written whole under a temporary name, then renamed: a reader never sees half a file.
        try out.write(to: url, options: .atomic)
    }
}
