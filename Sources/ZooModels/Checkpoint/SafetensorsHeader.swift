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
    /// Where `__metadata__`'s object lies in the file, checked but not decoded: a header of a million
    /// metadata strings would otherwise hold them all as a dictionary several times the file's size.
    let metadataRange: Range<Int>?
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

        let header = UnsafeRawBufferPointer(rebasing: file[8..<dataStart])
        guard JSONScanner.isValidUTF8(header) else {
            throw CheckpointError(.invalidHeader, file: url, "header is not valid UTF-8")
        }
        var metadataRange: Range<Int>?
        var entries: [String: Entry] = [:]
        // A syntax error anywhere wins; among entries that are well-formed JSON but wrong, the one
        // whose name sorts first is reported, so the same file always gives the same message.
        var firstProblem: (name: String, error: CheckpointError)?
        do {
            var scanner = JSONScanner(header)
            let kind = try scanner.peekKind()
            guard kind == .object else {
                throw CheckpointError(.invalidHeader, file: url, "header is \(kind.name), expected a JSON object")
            }
            try scanner.forEachMember { name, scanner in
                do {
                    if name == "__metadata__" {
                        let start = scanner.offset
                        _ = try Self.parseMetadata(&scanner, url: url, keep: false)
                        metadataRange = (8 + start)..<(8 + scanner.offset)
                    } else {
                        entries[name] = try Self.parseEntry(&scanner, name: name, url: url)
                    }
                } catch let problem as CheckpointError {
                    if firstProblem.map({ name < $0.name }) ?? true { firstProblem = (name, problem) }
                }
            }
            guard scanner.atEnd() else { throw JSONScanner.SyntaxError(offset: scanner.offset, message: "text after the header") }
        } catch let syntax as JSONScanner.SyntaxError {
            throw CheckpointError(.invalidHeader, file: url, "header \(syntax.reason)")
        }
        if let firstProblem { throw firstProblem.error }
        try Self.checkLayout(entries, bufferLength: file.count - dataStart, url: url)
        self.entries = entries
        self.metadataRange = metadataRange
    }

    /// The `__metadata__` strings of `file`, whose header this is (empty if absent).
    func metadata(file: UnsafeRawBufferPointer, url: URL) -> [String: String] {
        guard let metadataRange else { return [:] }
        var scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: file[metadataRange]))
        return (try? Self.parseMetadata(&scanner, url: url, keep: true)) ?? [:]
    }

    /// `__metadata__`: an object of strings, checked, and returned when `keep`. A wrong value is
    /// consumed whole before it is reported.
    private static func parseMetadata(_ scanner: inout JSONScanner, url: URL, keep: Bool) throws -> [String: String] {
        let kind = try scanner.peekKind()
        guard kind == .object else {
            try scanner.skipValue()
            throw CheckpointError(.invalidHeader, file: url, "__metadata__ is \(kind.name), expected an object of strings")
        }
        var metadata: [String: String] = [:]
        var problem: CheckpointError?
        try scanner.forEachMember { key, scanner in
            let itemKind = try scanner.peekKind()
            guard itemKind == .string else {
                try scanner.skipValue()
                problem = problem ?? CheckpointError(.invalidHeader, file: url,
                    "__metadata__ value for '\(key)' is \(itemKind.name), expected a string")
                return
            }
            let value = try scanner.string()
            if keep { metadata[key] = value }
        }
        if let problem { throw problem }
        return metadata
    }

    /// An array field of an entry as read: absent, not an array, its integers, or its first bad element.
    private enum IntegerArray {
        case missing
        case notArray(JSONScanner.Kind)
        case values([Int])
        case badElement(index: Int, kind: JSONScanner.Kind)
        case negative(index: Int, value: Int)

        static func read(_ scanner: inout JSONScanner) throws -> IntegerArray {
            let kind = try scanner.peekKind()
            guard kind == .array else {
                try scanner.skipValue()
                return .notArray(kind)
            }
            var values: [Int] = []
            var result: IntegerArray?
            try scanner.forEachElement { scanner in
                let kind = try scanner.peekKind()
                guard result == nil, kind == .integer, let value = try scanner.integer() else {
                    if result == nil { result = .badElement(index: values.count, kind: kind) }
                    if kind != .integer { try scanner.skipValue() }
                    return
                }
                if value < 0 { result = .negative(index: values.count, value: value) }
                values.append(value)
            }
            return result ?? .values(values)
        }

        /// The non-negative integers, or the error the entry's field gets.
        func integers(field: String, invalid: (String) -> CheckpointError) throws -> [Int] {
            switch self {
            case .missing: throw invalid("missing \"\(field)\"")
            case .notArray(let kind): throw invalid("\"\(field)\" is \(kind.name), expected an array of non-negative integers")
            case .badElement(let index, let kind):
                throw invalid("\"\(field)\"[\(index)] is \(kind.name), expected a non-negative integer")
            case .negative(let index, let value): throw invalid("\"\(field)\"[\(index)] is negative (\(value))")
            case .values(let values): return values
            }
        }
    }

    private static func parseEntry(_ scanner: inout JSONScanner, name: String, url: URL) throws -> Entry {
        func invalid(_ reason: String) -> CheckpointError {
            CheckpointError(.invalidTensorEntry, file: url, tensor: name, reason)
        }
        let kind = try scanner.peekKind()
        guard kind == .object else {
            try scanner.skipValue()
            throw invalid("entry is \(kind.name), expected an object with dtype, shape and data_offsets")
        }
        var dtypeField: String??  // nil: absent; .some(nil): not a string (its kind in dtypeKind)
        var dtypeKind = JSONScanner.Kind.string
        var shapeField = IntegerArray.missing, offsetsField = IntegerArray.missing
        try scanner.forEachMember { key, scanner in
            switch key {
            case "dtype":
                let kind = try scanner.peekKind()
                if kind == .string { dtypeField = .some(try scanner.string()) } else {
                    try scanner.skipValue()
                    (dtypeField, dtypeKind) = (.some(nil), kind)
                }
            case "shape": shapeField = try IntegerArray.read(&scanner)
            case "data_offsets": offsetsField = try IntegerArray.read(&scanner)
            default: try scanner.skipValue()  // the reference ignores unknown fields too
            }
        }

        guard let dtypeField else { throw invalid("missing \"dtype\"") }
        guard let dtypeName = dtypeField else { throw invalid("\"dtype\" is \(dtypeKind.name), expected a string") }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            let known = TensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw CheckpointError(.unknownDType, file: url, tensor: name, "unknown dtype \"\(dtypeName)\" (known: \(known))")
        }

        let shape = try shapeField.integers(field: "shape", invalid: invalid)
        let offsets = try offsetsField.integers(field: "data_offsets", invalid: invalid)
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
