import Foundation
import XCTest
import ZooModels
import ZooTestSupport

/// GGUF and safetensors files whose headers lie about sizes: each gives an error naming the file
/// and the field, and opening it never grows peak memory past twice the file's size.
final class MalformedModelFileTests: XCTestCase {
    private let size = 4 << 20  // 4 MiB files: a claim must not outgrow what the file holds
    private var directory: URL!

    override func setUpWithError() throws { directory = try Fixtures.temporaryDirectory("zoo-malformed") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Opens `data` as `name` with `open`; expects an error mentioning the path and `fragments`, and
    /// peak memory growth under 2× the file size.
    private func assertRefused(_ data: Data, as name: String, _ fragments: [String],
                               open: (URL) throws -> Void, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        var message = ""
        let growth = peakMemoryGrowth {
            do { try open(url); XCTFail("opened", file: file, line: line) } catch { message = "\(error)" }
        }
        for fragment in [url.path] + fragments {
            XCTAssertTrue(message.contains(fragment), "\(message) lacks \(fragment)", file: file, line: line)
        }
        if let growth {
            XCTAssertLessThan(growth, 2 * data.count, "peak memory grew by \(growth) bytes", file: file, line: line)
        }
    }

    private func gguf(_ data: Data, _ fragments: String..., line: UInt = #line) throws {
        try assertRefused(data, as: "model.gguf", fragments, open: { _ = try GGUFFile(url: $0) }, line: line)
    }

    // MARK: GGUF

    func testTensorOf2To40ElementsIsRefused() throws {
        var b = GGUFBuilder(tensors: 1, metadata: 0)
        b.tensor("blk.0.attn_q.weight", dimensions: [1 << 20, 1 << 20], offset: 0)
        try gguf(b.padded(to: size), "tensor 'blk.0.attn_q.weight'", "dimensions [1048576, 1048576] claim more elements")
    }

    func testDimensionsWhoseProductOverflowsAreRefused() throws {
        var b = GGUFBuilder(tensors: 1, metadata: 0)
        b.tensor("token_embd.weight", dimensions: [(1 << 40) - 1, (1 << 40) - 1, (1 << 40) - 1], offset: 0)
        try gguf(b.padded(to: size), "tensor 'token_embd.weight'", "claim more elements than")
    }

    func testOverlappingTensorsAreRefused() throws {
        var b = GGUFBuilder(tensors: 2, metadata: 0)
        b.tensor("a.weight", dimensions: [1024], offset: 0)
        b.tensor("b.weight", dimensions: [1024], offset: 2048)
        try gguf(b.padded(to: size), "tensor 'b.weight'", "overlaps tensor a.weight")
    }

    func testOutOfRangeTensorIsRefused() throws {
        var b = GGUFBuilder(tensors: 1, metadata: 0)
        b.tensor("output.weight", dimensions: [1024], offset: UInt64(size))
        try gguf(b.padded(to: size), "tensor 'output.weight'", "runs past the end of the file")
    }

    func testMillionsOfMetadataEntriesAreRefused() throws {
        try gguf(GGUFBuilder(tensors: 0, metadata: 5_000_000).padded(to: size), "metadata count 5000000 is implausibly large")
        // Within the limit but more than the file holds: the reader stops where the bytes end.
        var b = GGUFBuilder(tensors: 0, metadata: 1_000_000)
        for i in 0..<1000 { b.entry("general.k\(i)", uint32: 1) }
        try gguf(b.padded(to: size), "runs past the end of the file")
    }

    func testFourGigabyteStringsAreRefused() throws {
        var key = GGUFBuilder(tensors: 0, metadata: 1)
        key.string("general.name", claimedLength: 1 << 32)
        try gguf(key.padded(to: size), "length of metadata key 4294967296 is implausibly large")
        var value = GGUFBuilder(tensors: 0, metadata: 1)
        value.string("general.name")
        value.u32(8)
        value.string("x", claimedLength: 1 << 32)
        try gguf(value.padded(to: size), "length of metadata general.name 4294967296 is implausibly large")
    }

    func testArrayOf2To40ItemsIsRefused() throws {
        var b = GGUFBuilder(tensors: 0, metadata: 1)
        b.string("tokenizer.ggml.tokens")
        b.u32(9)
        b.u32(8)
        b.u64(1 << 40)
        try gguf(b.padded(to: size), "length of tokenizer.ggml.tokens 1099511627776 is implausibly large")
        // A claim the file could hold in bytes but not as items: no up-front allocation for it.
        var bytesClaim = GGUFBuilder(tensors: 0, metadata: 1)
        bytesClaim.string("tokenizer.ggml.token_type")
        bytesClaim.u32(9)
        bytesClaim.u32(5)
        bytesClaim.u64(UInt64(size - 64))
        try gguf(bytesClaim.padded(to: size), "tokenizer.ggml.token_type runs past the end of the file")
    }

    func testMillionsOfTensorsAreRefused() throws {
        try gguf(GGUFBuilder(tensors: 1 << 40, metadata: 0).padded(to: size), "tensor count 1099511627776 is implausibly large")
    }

    // MARK: safetensors

    private func safetensors(_ header: String, dataBytes: Int, declaredLength: UInt64? = nil) -> Data {
        var bytes = [UInt8]()
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) { bytes += $0 }
        return Data(bytes + Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes))
    }

    private func checkpoint(_ data: Data, _ fragments: String..., line: UInt = #line) throws {
        try assertRefused(data, as: "model.safetensors", fragments, open: { _ = try SafetensorsFile(url: $0) }, line: line)
    }

    func testSafetensorsHeaderLengthOf2To40IsRefused() throws {
        try checkpoint(safetensors("{}", dataBytes: size, declaredLength: 1 << 40), "header length 1099511627776 exceeds")
    }

    func testSafetensorsTensorOf2To40ElementsIsRefused() throws {
        let header = #"{"w": {"dtype": "F32", "shape": [1048576, 1048576], "data_offsets": [0, 4194304]}}"#
        try checkpoint(safetensors(header, dataBytes: size), "'w'", "data_offsets [0, 4194304] span 4194304 bytes but shape")
        let overflow = #"{"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 8]}}"#
        try checkpoint(safetensors(overflow, dataBytes: size), "'w'", "too large (size overflows)")
    }

    func testSafetensorsOverlappingAndOutOfRangeTensorsAreRefused() throws {
        let overlap = #"{"a": {"dtype": "U8", "shape": [2097152], "data_offsets": [0, 2097152]}, "# +
            #""b": {"dtype": "U8", "shape": [2097152], "data_offsets": [1048576, 3145728]}}"#
        try checkpoint(safetensors(overlap, dataBytes: size), "'b'", "overlap tensor 'a'")
        let outside = #"{"a": {"dtype": "U8", "shape": [4194304], "data_offsets": [1099511627776, 1099515822080]}}"#
        try checkpoint(safetensors(outside, dataBytes: size), "'a'", "run past the end of the data")
    }
}
