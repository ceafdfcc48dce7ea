import Foundation
import XCTest
import ZooTestSupport

/// Small, deliberate damage to a copy of a GGUF fixture, for the malformed-file tests.
enum GGUFSurgery {
    /// A copy of the GGUF file at `source` with `change` applied to its bytes.
    static func mutated(_ source: URL, _ change: (inout [UInt8]) throws -> Void) throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: source))
        try change(&bytes)
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("broken.gguf")
        try Data(bytes).write(to: url)
        return url
    }

    /// The offset of the first u64 dimension of `name` in the tensor table (after its name and n_dims);
    /// the tensor's type id is 16 bytes further for a two-dimensional tensor.
    static func dimensionsOffset(_ name: String, in bytes: [UInt8]) throws -> Int {
        let pattern = Array(name.utf8)
        let start = try XCTUnwrap((8..<(bytes.count - pattern.count)).first {
            bytes[$0 - 8..<$0] == ArraySlice(withUnsafeBytes(of: UInt64(pattern.count).littleEndian, Array.init))
                && bytes[$0..<($0 + pattern.count)] == ArraySlice(pattern)
        }, "\(name) not in the tensor table")
        return start + pattern.count + 4
    }

    /// Overwrites eight bytes at `offset` with `value`, little-endian.
    static func write(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + 8), with: $0) }
    }

    /// Asserts that `body` throws an error whose text names `url` and contains every fragment.
    static func assertError(
        _ body: @autoclosure () throws -> Any, _ url: URL, _ fragments: String..., file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            for fragment in [url.path] + fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", file: file, line: line)
            }
        }
    }
}
