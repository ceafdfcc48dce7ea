import Foundation

/// A GGUF file (llama.cpp's format, as Ollama and LM Studio keep models): its metadata and
/// tensor table, memory-mapped and validated; tensor data is read in place.
///
/// Every inconsistency (bad magic, an unsupported version, a string or array running past the
/// end, a tensor past the end of the file, an unknown tensor type) is a ``GGUFError`` that names
/// the file and, where there is one, the key or tensor.
public final class GGUFFile: @unchecked Sendable {
    /// A metadata value.
    public enum Value: Sendable, Equatable {
        case int(Int64)
        case uint(UInt64)
        case float(Double)
        case bool(Bool)
        case string(String)
        /// An array, decoded when ``array`` is read (see ``ValueList``).
        case array(ValueList)

        public var int: Int? {
            switch self {
            case .int(let v): Int(exactly: v)
            case .uint(let v): Int(exactly: v)
            default: nil
            }
        }

        public var double: Double? {
            switch self {
            case .float(let v): v
            case .int(let v): Double(v)
            case .uint(let v): Double(v)
            default: nil
            }
        }

        public var string: String? { if case .string(let s) = self { s } else { nil } }
        public var array: [Value]? { if case .array(let list) = self { list.values } else { nil } }
    }

    /// A metadata array, kept as its bytes in the mapped file (checked when the file is opened)
    /// and decoded when read, so a header's arrays cost no memory until a caller asks for them.
    public struct ValueList: Sendable, Equatable {
        /// How many items the array holds.
        public let count: Int
        let itemType: UInt32
        let key: String
        let depth: Int
        let mapping: MappedFile
        let range: Range<Int>

        /// The items (decoded on each call).
        public var values: [Value] {
            var reader = GGUFReader(bytes: mapping.bytes, url: mapping.url, mapping: mapping, position: range.lowerBound)
            var items: [Value] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                guard let item = try? reader.value(type: itemType, key: key, depth: depth) else { break }
                items.append(item)
            }
            return items
        }

        public static func == (a: ValueList, b: ValueList) -> Bool {
            a.itemType == b.itemType && a.count == b.count
                && a.mapping.bytes[a.range].elementsEqual(b.mapping.bytes[b.range])
        }
    }

    /// One entry of the tensor table. `dimensions` are GGUF's (innermost first): a PyTorch
    /// `[out, in]` matrix is `[in, out]` here.
    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let dimensions: [Int]
        public let type: GGMLType
        /// Byte offset from the start of the file.
        public let offset: Int
        public let byteCount: Int
        public var elementCount: Int { dimensions.reduce(1, *) }
    }

    public let url: URL
    public let version: Int
    /// The key–value metadata, read in place (see ``GGUFMetadata``).
    public let metadata: GGUFMetadata
    public let tensors: [String: Tensor]
    let mapping: MappedFile

    public init(url: URL) throws {
        self.url = url
        mapping = try MappedFile(url: url)
        var reader = GGUFReader(bytes: mapping.bytes, url: url, mapping: mapping)
        guard try reader.uint32("magic") == 0x4655_4747 else {  // "GGUF", little-endian
            throw GGUFError(file: url, "not a GGUF file (bad magic)")
        }
        let version = Int(try reader.uint32("version"))
        guard version == 2 || version == 3 else {
            throw GGUFError(file: url, "GGUF version \(version) is not supported (2 and 3 are)")
        }
        self.version = version
        let tensorCount = try reader.count("tensor count", limit: 1 << 20)
        let keyCount = try reader.count("metadata count", limit: 1 << 20)
        // Every entry is checked now but kept only as its offset: a header of a million small entries
        // costs 8 bytes each instead of a dictionary of decoded values several times the file's size.
        var entryOffsets: [Int] = []
        for _ in 0..<keyCount {
            let start = reader.position
            let key = try reader.string("metadata key")
            _ = try reader.value(type: try reader.uint32("type of \(key)"), key: key, depth: 0)
            entryOffsets.append(start)
        }
        metadata = GGUFMetadata(mapping: mapping, entryOffsets: entryOffsets)
        // The table is read twice: once to find where the data starts (it is aligned after the
        // table's end), then to build the tensors, so a million entries are never held twice.
        let tableStart = reader.position
        for index in 0..<tensorCount { _ = try Self.tensorEntry(&reader, index: index, url: url) }
        let alignment = metadata["general.alignment"]?.int ?? 32
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError(file: url, "general.alignment \(alignment) is not a power of two")
        }
        let dataStart = (reader.position + alignment - 1) / alignment * alignment
        reader.position = tableStart
        var tensors = [String: Tensor](minimumCapacity: tensorCount)
        for index in 0..<tensorCount {
            let (name, dimensions, type, relative) = try Self.tensorEntry(&reader, index: index, url: url)
            guard tensors[name] == nil else { throw GGUFError(file: url, tensor: name, "appears twice in the tensor table") }
            // Overflow-checked: dimensions of up to 2^40 each can claim more than 2^63 elements.
            var count = 1
            for d in dimensions {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= mapping.bytes.count * 8 else {
                    throw GGUFError(file: url, tensor: name,
                                    "dimensions \(dimensions) claim more elements than the \(mapping.bytes.count)-byte file can hold")
                }
                count = product
            }
            guard count % type.blockSize == 0, dimensions[0] % type.blockSize == 0 else {
                throw GGUFError(file: url, tensor: name, "rows of \(dimensions[0]) do not fill whole \(type) blocks of \(type.blockSize)")
            }
            let byteCount = count / type.blockSize * type.blockBytes
            let start = dataStart + relative
            guard relative % alignment == 0 else {
                throw GGUFError(file: url, tensor: name, "data offset \(relative) is not aligned to \(alignment)")
            }
            guard start <= mapping.bytes.count, byteCount <= mapping.bytes.count - start else {
                throw GGUFError(file: url, tensor: name,
                                "data [\(start), \(start + byteCount)) runs past the end of the file (\(mapping.bytes.count) bytes; truncated?)")
            }
            tensors[name] = Tensor(name: name, dimensions: dimensions, type: type, offset: start, byteCount: byteCount)
        }
        try Self.checkNoOverlap(tensors, url: url)
        self.tensors = tensors
    }

    /// One entry of the tensor table: name, dimensions, type and offset from the data's start.
    private static func tensorEntry(_ reader: inout GGUFReader, index: Int, url: URL) throws
        -> (name: String, dimensions: [Int], type: GGMLType, offset: Int) {
        let name = try reader.string("name of tensor \(index)")
        let dimensionCount = Int(try reader.uint32("dimensions of \(name)"))
        guard (1...4).contains(dimensionCount) else {
            throw GGUFError(file: url, tensor: name, "has \(dimensionCount) dimensions (1 to 4 allowed)")
        }
        var dimensions: [Int] = []
        for _ in 0..<dimensionCount {
            let d = try reader.uint64("dimension of \(name)")
            guard d > 0, d < 1 << 40 else { throw GGUFError(file: url, tensor: name, "has an invalid dimension \(d)") }
            dimensions.append(Int(d))
        }
        let rawType = try reader.uint32("type of \(name)")
        guard let type = GGMLType(rawValue: rawType) else {
            throw GGUFError(file: url, tensor: name, "has an unknown tensor type \(rawType)")
        }
        let offset = try reader.uint64("offset of \(name)")
        guard offset < UInt64(Int.max / 2) else { throw GGUFError(file: url, tensor: name, "has an invalid offset") }
        return (name, dimensions, type, Int(offset))
    }

    /// Two tensors whose data share bytes are a crafted or corrupt file.
    private static func checkNoOverlap(_ tensors: [String: Tensor], url: URL) throws {
        let ordered = tensors.values.filter { $0.byteCount > 0 }.sorted { ($0.offset, $0.name) < ($1.offset, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.offset < previous.offset + previous.byteCount {
            throw GGUFError(file: url, tensor: next.name,
                            "data [\(next.offset), \(next.offset + next.byteCount)) overlaps tensor \(previous.name) "
                                + "[\(previous.offset), \(previous.offset + previous.byteCount))")
        }
    }

    /// The bytes of a tensor, valid while this file is alive.
    func data(of tensor: Tensor) -> UnsafeRawPointer {
        mapping.bytes.baseAddress! + tensor.offset
    }

    /// A required metadata number, with an error that names the key.
    public func int(_ key: String) throws -> Int {
        guard let value = metadata[key]?.int else {
            throw GGUFError(file: url, metadata[key] == nil ? "metadata \(key) is missing" : "metadata \(key) is not an integer")
        }
        return value
    }

    public func double(_ key: String) throws -> Double {
        guard let value = metadata[key]?.double else {
            throw GGUFError(file: url, metadata[key] == nil ? "metadata \(key) is missing" : "metadata \(key) is not a number")
        }
        return value
    }
}

/// ggml's tensor types that QwenZoo reads (others are reported by name and refused).
public enum GGMLType: UInt32, Sendable, CustomStringConvertible {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq4_nl = 20
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, bf16 = 30

    /// Elements per block.
    var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .i8, .i16, .i32, .i64, .f64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl: 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K: 256
        }
    }

    /// Bytes per block.
    var blockBytes: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .i8: 1
        case .i64, .f64: 8
        case .q4_0, .iq4_nl: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q8_1: 36
        case .q2_K: 84
        case .q3_K: 110
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        case .q8_K: 292
        }
    }

    /// ggml's name (`Q4_K`, `BF16`). Spelled out: interpolating `self` here would call this getter again.
    public var description: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .iq4_nl: "IQ4_NL"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .bf16: "BF16"
        }
    }
}

/// A GGUF file that cannot be read as written.
public struct GGUFError: Error, CustomStringConvertible, Sendable {
    public let file: URL
    public let tensor: String?
    public let message: String

    public init(file: URL, tensor: String? = nil, _ message: String) {
        self.file = file
        self.tensor = tensor
        self.message = message
    }

    public var description: String {
        "\(file.path): " + (tensor.map { "tensor '\($0)': " } ?? "") + message
    }
}

/// A bounds-checked little-endian cursor over the mapped header.
struct GGUFReader {
    let bytes: UnsafeRawBufferPointer
    let url: URL
    /// The file `bytes` map, which arrays keep alive.
    let mapping: MappedFile
    var position = 0

    mutating func take(_ count: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, position + count <= bytes.count else {
            throw GGUFError(file: url, "\(what) runs past the end of the file (truncated?)")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func uint32(_ what: String) throws -> UInt32 { try take(4, what).loadUnaligned(as: UInt32.self).littleEndian }
    mutating func uint64(_ what: String) throws -> UInt64 { try take(8, what).loadUnaligned(as: UInt64.self).littleEndian }

    mutating func count(_ what: String, limit: UInt64) throws -> Int {
        let n = try uint64(what)
        guard n <= limit else { throw GGUFError(file: url, "\(what) \(n) is implausibly large") }
        return Int(n)
    }

    mutating func string(_ what: String) throws -> String {
        let length = try count("length of \(what)", limit: UInt64(bytes.count))
        guard let text = String(validating: try take(length, what), as: UTF8.self) else {
            throw GGUFError(file: url, "\(what) is not valid UTF-8")
        }
        return text
    }

    mutating func value(type: UInt32, key: String, depth: Int) throws -> GGUFFile.Value {
        switch type {
        case 0: return .uint(UInt64(try take(1, key).load(as: UInt8.self)))
        case 1: return .int(Int64(try take(1, key).load(as: Int8.self)))
        case 2: return .uint(UInt64(try take(2, key).loadUnaligned(as: UInt16.self).littleEndian))
        case 3: return .int(Int64(try take(2, key).loadUnaligned(as: Int16.self).littleEndian))
        case 4: return .uint(UInt64(try uint32(key)))
        case 5: return .int(Int64(Int32(bitPattern: try uint32(key))))
        case 6: return .float(Double(Float(bitPattern: try uint32(key))))
        case 7:
            let b = try take(1, key).load(as: UInt8.self)
            guard b <= 1 else { throw GGUFError(file: url, "metadata \(key): boolean byte \(b)") }
            return .bool(b == 1)
        case 8: return .string(try string("metadata \(key)"))
        case 9:
            guard depth < 4 else { throw GGUFError(file: url, "metadata \(key): arrays nest too deeply") }
            let itemType = try uint32("item type of \(key)")
            let n = try count("length of \(key)", limit: UInt64(bytes.count))
            let start = position
            // Checked item by item now, decoded on demand: the claim alone sizes nothing.
            if let size = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 10: 8, 11: 8, 12: 8][itemType] {
                _ = try take(n * size, key)
            } else {
                for _ in 0..<n { _ = try value(type: itemType, key: key, depth: depth + 1) }
            }
            return .array(GGUFFile.ValueList(count: n, itemType: itemType, key: key, depth: depth + 1, mapping: mapping,
                                             range: start..<position))
        case 10: return .uint(try uint64(key))
        case 11: return .int(Int64(bitPattern: try uint64(key)))
        case 12: return .float(Double(bitPattern: try uint64(key)))
        default: throw GGUFError(file: url, "metadata \(key) has an unknown value type \(type)")
        }
    }
}
