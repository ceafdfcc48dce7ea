import Foundation
import XCTest
import ZooModels

/// A minimal safetensors writer for tests: valid files, plus raw pieces for malformed ones.
enum SafetensorsWriter {
    struct Tensor {
        var name: String
        var dtype: String
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// A valid file: tensors laid out contiguously in the given order, header padded to 8 bytes.
    static func file(_ tensors: [Tensor], metadata: [String: String] = [:]) -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        var data: [UInt8] = []
        for tensor in tensors {
            let end = offset + tensor.bytes.count
            entries.append(
                "\(quote(tensor.name)):{\"dtype\":\(quote(tensor.dtype)),\"shape\":\(tensor.shape),\"data_offsets\":[\(offset),\(end)]}")
            data += tensor.bytes
            offset = end
        }
        return raw(header: "{" + entries.joined(separator: ",") + "}", data: data)
    }

    /// A file from literal header text (padded with spaces to a multiple of 8, like the reference writer).
    static func raw(header: String, data: [UInt8], pad: Bool = true) -> Data {
        var headerBytes = Array(header.utf8)
        while pad && headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        return raw(headerBytes: headerBytes, data: data)
    }

    /// A file from literal header bytes and an explicit declared length (defaults to the actual length).
    static func raw(headerBytes: [UInt8], data: [UInt8], declaredLength: UInt64? = nil) -> Data {
        var out = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        out.append(contentsOf: data)
        return out
    }

    static func f32(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// Little-endian bytes of 16-bit patterns (F16 or BF16).
    static func bits16(_ patterns: [UInt16]) -> [UInt8] {
        patterns.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static func tensorF32(_ name: String, _ shape: [Int], _ values: [Float]) -> Tensor {
        Tensor(name: name, dtype: "F32", shape: shape, bytes: f32(values))
    }

    private static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Writing files into a fresh temporary directory.
struct CheckpointDirectory {
    let url: URL

    func write(_ data: Data, to name: String) throws {
        try data.write(to: url.appendingPathComponent(name))
    }

    func write(_ text: String, to name: String) throws {
        try write(Data(text.utf8), to: name)
    }

    func path(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Asserts that `body` throws a ``CheckpointError`` of `kind` whose message contains every string in `mentions`.
func assertCheckpointError<T>(
    _ kind: CheckpointError.Kind,
    mentions: [String],
    file: StaticString = #filePath,
    line: UInt = #line,
    _ body: () throws -> T
) {
    do {
        _ = try body()
        XCTFail("expected a \(kind) error, but nothing was thrown", file: file, line: line)
    } catch let error as CheckpointError {
        XCTAssertEqual(error.kind, kind, "wrong kind; message: \(error)", file: file, line: line)
        let message = String(describing: error)
        for needle in mentions {
            XCTAssertTrue(message.contains(needle), "message lacks \"\(needle)\": \(message)", file: file, line: line)
        }
    } catch {
        XCTFail("expected CheckpointError, got \(error)", file: file, line: line)
    }
}
