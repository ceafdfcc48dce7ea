import Foundation

/// The validated header of one safetensors file.
///
/// Validation follows the reference implementation (`safetensors` `SafeTensors::validate`):
/// every entry is well-typed, each `data_offsets` span is exactly `shape` × dtype size, and the
/// spans tile the data buffer in order — no overlaps, no gaps, nothing after the last one.
struct SafetensorsHeader: Sendable {
    struct Entry: Sendable {
        let dtype: TensorDType
        let shape: [Int]
        let elementCount: Int
        /// Byte range relative to the start of the data buffer.
        let begin: Int
        let end: Int
    }

    /// Same limit as the reference implementation; real headers are a few hundred KB.
    static let maxHeaderLength = 100_000_000

    let entries: [String: Entry]
    let metadata: [String: String]
    /// Offset of the data buffer from the start of the file (8 + header length).
    let dataStart: Int

    /// Parses and validates the header of the file whose bytes are `file`.
    init(file: UnsafeRawBufferPointer, url: URL) throws {
        guard file.count >= 8 else {
            throw CheckpointError(.headerTooSmall, file: url,
                "file is \(file.count) bytes, too short for the 8-byte header length")
        }
        let declared = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= UInt64(Self.maxHeaderLength) else {
            throw CheckpointError(.invalidHeaderLength, file: url,
                "header length \(declared) exceeds the \(Self.maxHeaderLength)-byte limit (file is \(file.count) bytes)")
        }
        let headerLength = Int(declared)
        guard headerLength <= file.count - 8 else {
            throw CheckpointError(.invalidHeaderLength, file: url,
                "header length \(headerLength) runs past the end of the file (\(file.count) bytes)")
        }
        dataStart = 8 + headerLength

        let json: JSONValue
        switch JSONValue.parse(UnsafeRawBufferPointer(rebasing: file[8..<dataStart])) {
        case .success(let value): json = value
        case .failure(let failure): throw CheckpointError(.invalidHeader, file: url, "header \(failure.reason)")
        }
        guard case .object(let fields) = json else {
            throw CheckpointError(.invalidHeader, file: url, "header is \(json.kindName), expected a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        // Sorted so that, with several bad entries, the same one is always reported.
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(value, url: url)
            } else {
                entries[name] = try Self.parseEntry(value, name: name, url: url)
            }
        }
        try Self.checkLayout(entries, bufferLength: file.count - dataStart, url: url)
        self.entries = entries
        self.metadata = metadata
    }

    private static func parseMetadata(_ value: JSONValue, url: URL) throws -> [String: String] {
        guard case .object(let fields) = value else {
            throw CheckpointError(.invalidHeader, file: url, "__metadata__ is \(value.kindName), expected an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, item) in fields {
            guard case .string(let text) = item else {
                throw CheckpointError(.invalidHeader, file: url,
                    "__metadata__ value for '\(key)' is \(item.kindName), expected a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(_ value: JSONValue, name: String, url: URL) throws -> Entry {
        func invalid(_ reason: String) -> CheckpointError {
            CheckpointError(.invalidTensorEntry, file: url, tensor: name, reason)
        }
        guard case .object(let fields) = value else {
            throw invalid("entry is \(value.kindName), expected an object with dtype, shape and data_offsets")
        }

        guard let dtypeValue = fields["dtype"] else { throw invalid("missing \"dtype\"") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw invalid("\"dtype\" is \(dtypeValue.kindName), expected a string")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            let known = TensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw CheckpointError(.unknownDType, file: url, tensor: name, "unknown dtype \"\(dtypeName)\" (known: \(known))")
        }

        let shape = try nonNegativeIntegers(fields["shape"], field: "shape", invalid: invalid)
        let offsets = try nonNegativeIntegers(fields["data_offsets"], field: "data_offsets", invalid: invalid)
        guard offsets.count == 2 else {
            throw invalid("\"data_offsets\" has \(offsets.count) elements, expected [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else {
            throw CheckpointError(.invalidOffsets, file: url, tensor: name, "data_offsets [\(begin), \(end)] end before they begin")
        }

        // Overflow-checked: a corrupt shape must not trap.
        var elementCount = 1
        var overflow = false
        for dim in shape where !overflow {
            (elementCount, overflow) = elementCount.multipliedReportingOverflow(by: dim)
        }
        var byteCount = 0
        if !overflow { (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize) }
        guard !overflow else { throw invalid("shape \(shape) of \(dtype.rawValue) is too large (size overflows)") }
        guard end - begin == byteCount else {
            throw CheckpointError(.sizeMismatch, file: url, tensor: name,
                "data_offsets [\(begin), \(end)] span \(end - begin) bytes but shape \(shape) of \(dtype.rawValue) needs \(byteCount)")
        }
        return Entry(dtype: dtype, shape: shape, elementCount: elementCount, begin: begin, end: end)
    }

    private static func nonNegativeIntegers(
        _ value: JSONValue?, field: String, invalid: (String) -> CheckpointError
    ) throws -> [Int] {
        guard let value else { throw invalid("missing \"\(field)\"") }
        guard case .array(let items) = value else {
            throw invalid("\"\(field)\" is \(value.kindName), expected an array of non-negative integers")
        }
        return try items.enumerated().map { index, item in
            guard case .integer(let number) = item else {
                throw invalid("\"\(field)\"[\(index)] is \(item.kindName), expected a non-negative integer")
            }
            guard number >= 0 else { throw invalid("\"\(field)\"[\(index)] is negative (\(number))") }
            return number
        }
    }

    /// The spans must lie inside the buffer and tile it exactly.
    private static func checkLayout(_ entries: [String: Entry], bufferLength: Int, url: URL) throws {
        // Sorting by (begin, end, name) keeps messages deterministic.
        let ordered = entries.sorted { a, b in
            (a.value.begin, a.value.end, a.key) < (b.value.begin, b.value.end, b.key)
        }
        // Truncation first: it is the likeliest cause of any later inconsistency.
        if let (name, entry) = ordered.first(where: { $0.value.end > bufferLength }) {
            throw CheckpointError(.truncatedData, file: url, tensor: name,
                "data_offsets [\(entry.begin), \(entry.end)] run past the end of the data (\(bufferLength) bytes; file truncated?)")
        }
        var expected = 0
        var previous: String?
        for (name, entry) in ordered {
            if entry.begin < expected, let previous {
                throw CheckpointError(.invalidOffsets, file: url, tensor: name,
                    "data_offsets [\(entry.begin), \(entry.end)] overlap tensor '\(previous)' (which ends at \(expected))")
            }
            if entry.begin > expected {
                let after = previous.map { "after tensor '\($0)' " } ?? "at the start of the data "
                throw CheckpointError(.invalidOffsets, file: url, tensor: name,
                    "data_offsets [\(entry.begin), \(entry.end)] leave a gap of \(entry.begin - expected) bytes \(after)(offsets must be contiguous)")
            }
            expected = entry.end
            previous = name
        }
        guard expected == bufferLength else {
            throw CheckpointError(.incompleteBuffer, file: url,
                "\(bufferLength - expected) bytes after the last tensor's data (data buffer is \(bufferLength) bytes, tensors cover \(expected))")
        }
    }
}
