import Foundation

/// Writes GGUF v3 bytes field by field, so a test can put any lie in any field.
struct GGUFBuilder {
    private(set) var bytes: [UInt8] = Array("GGUF".utf8)

    init(tensors: UInt64, metadata: UInt64) {
        u32(3)
        u64(tensors)
        u64(metadata)
    }

    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String, claimedLength: UInt64? = nil) {
        u64(claimedLength ?? UInt64(s.utf8.count))
        bytes += Array(s.utf8)
    }

    /// A uint32 metadata entry.
    mutating func entry(_ key: String, uint32 value: UInt32) {
        string(key)
        u32(4)
        u32(value)
    }

    /// A tensor-table entry of F32 data (type 0).
    mutating func tensor(_ name: String, dimensions: [UInt64], offset: UInt64, type: UInt32 = 0) {
        string(name)
        u32(UInt32(dimensions.count))
        dimensions.forEach { u64($0) }
        u32(type)
        u64(offset)
    }

    /// The bytes, padded with zeros to `size` (so the file is big enough for its size to matter).
    func padded(to size: Int) -> Data { Data(bytes + [UInt8](repeating: 0, count: max(0, size - bytes.count))) }
}
