import Foundation

/// A GGUF file's metadata, read in place: the entries stay bytes of the mapped file, checked when
/// the file was opened and decoded when a key is looked up.
///
/// Lookups scan the entries (a header holds a few dozen); a key written twice reads as its last
/// value, as a dictionary filled in file order would.
public struct GGUFMetadata: Sendable {
    let mapping: MappedFile
    /// Where each entry (its key's length) starts in the file, in file order.
    let entryOffsets: [Int]

    /// How many entries the header holds.
    public var count: Int { entryOffsets.count }

    /// The keys in file order.
    public var keys: [String] { entryOffsets.map { entry(at: $0).key } }

    /// The value of `key`, or nil when the header lacks it.
    public subscript(key: String) -> GGUFFile.Value? {
        var key = key
        return key.withUTF8 { wanted -> GGUFFile.Value? in
            for offset in entryOffsets.reversed() where keyBytes(at: offset).elementsEqual(wanted) {
                return entry(at: offset).value
            }
            return nil
        }
    }

    private func keyBytes(at offset: Int) -> UnsafeRawBufferPointer {
        let bytes = mapping.bytes
        let length = Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        return UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
    }

    /// Decodes one entry; it was checked on open, so reading it again cannot fail.
    private func entry(at offset: Int) -> (key: String, value: GGUFFile.Value?) {
        var reader = GGUFReader(bytes: mapping.bytes, url: mapping.url, mapping: mapping, position: offset)
        guard let key = try? reader.string("metadata key"), let type = try? reader.uint32("type of \(key)") else {
            return ("", nil)
        }
        return (key, try? reader.value(type: type, key: key, depth: 0))
    }
}
