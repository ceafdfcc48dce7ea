import Foundation
import XCTest
import ZooModels
import ZooTestSupport

/// Files that tell the truth but are huge in entries rather than bytes: a million metadata keys, a
/// vocabulary array of a million strings, a million tensors. They must open, and opening one must
/// not grow peak memory past twice the file's size (a GGUF tensor table: five times, see below).
final class LargeHonestModelFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try Fixtures.temporaryDirectory("zoo-honest") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Writes `data`, opens it with `open`, and checks peak memory growth against `bound` × its size.
    private func assertOpens(_ data: Data, as name: String, within bound: Double = 2,
                             open: (URL) throws -> Void, line: UInt = #line) throws {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        var failure: Error?
        let growth = peakMemoryGrowth { do { try open(url) } catch { failure = error } }
        XCTAssertNil(failure, "\(String(describing: failure))", line: line)
        if let growth {
            XCTAssertLessThan(Double(growth), bound * Double(data.count),
                              "peak memory grew by \(growth) bytes for a \(data.count)-byte file", line: line)
        }
    }

    func testAMillionGGUFMetadataEntriesStayUnderTwiceTheFile() throws {
        var b = GGUFBuilder(tensors: 0, metadata: 1_000_000)
        for i in 0..<1_000_000 { b.entry("general.k\(i)", uint32: UInt32(i)) }
        try assertOpens(b.padded(to: 0), as: "entries.gguf") { url in
            let file = try GGUFFile(url: url)
            XCTAssertEqual(file.metadata.count, 1_000_000)
            XCTAssertEqual(file.metadata["general.k999999"]?.int, 999_999)
        }
    }

    func testAMillionStringVocabularyArrayStaysUnderTwiceTheFile() throws {
        var b = GGUFBuilder(tensors: 0, metadata: 1)
        b.string("tokenizer.ggml.tokens"); b.u32(9); b.u32(8); b.u64(1_000_000)
        for i in 0..<1_000_000 { b.string("tok\(i)") }
        try assertOpens(b.padded(to: 0), as: "vocabulary.gguf") { url in
            XCTAssertEqual(try GGUFFile(url: url).metadata.count, 1)
        }
    }

    /// The one stated exception to 2×: each tensor becomes a dictionary entry with its own dimensions
    /// (about 300 bytes for a 39-byte table entry and 32 bytes of data), so a file of a million tiny
    /// tensors grows memory by about 4.3× its size. It is linear in the file, never a lie's size, and
    /// a real model's data dwarfs its table (a 0.5B model: 290 tensors).
    func testAMillionGGUFTensorsStayUnderFiveTimesTheFile() throws {
        let count = 1 << 20
        var b = GGUFBuilder(tensors: UInt64(count), metadata: 0)
        for i in 0..<count { b.tensor("t\(i)", dimensions: [8], offset: UInt64(i * 32)) }
        let header = b.padded(to: 0).count
        try assertOpens(b.padded(to: (header + 31) / 32 * 32 + count * 32), as: "tensors.gguf", within: 5) { url in
            XCTAssertEqual(try GGUFFile(url: url).tensors.count, count)
        }
    }

    private func safetensors(_ header: String, dataBytes: Int) -> Data {
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
        return Data(bytes + Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes))
    }

    func testAMillionSafetensorsMetadataEntriesStayUnderTwiceTheFile() throws {
        let entries = (0..<1_000_000).map { "\"k\($0)\":\"v\($0)\"" }.joined(separator: ",")
        let header = "{\"__metadata__\":{\(entries)},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        try assertOpens(safetensors(header, dataBytes: 4), as: "entries.safetensors") { url in
            XCTAssertEqual(try SafetensorsFile(url: url).tensorNames, ["w"])
        }
        // The metadata is decoded when asked for, not kept from the open.
        let file = try SafetensorsFile(url: directory.appendingPathComponent("entries.safetensors"))
        XCTAssertEqual(file.metadata["k999999"], "v999999")
    }

    func testTwoHundredThousandSafetensorsTensorsStayUnderTwiceTheFile() throws {
        let count = 200_000
        let tensors = (0..<count).map { "\"t\($0)\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\($0 * 4),\($0 * 4 + 4)]}" }
        try assertOpens(safetensors("{" + tensors.joined(separator: ",") + "}", dataBytes: count * 4), as: "tensors.safetensors") { url in
            XCTAssertEqual(try SafetensorsFile(url: url).tensorNames.count, count)
        }
    }
}
