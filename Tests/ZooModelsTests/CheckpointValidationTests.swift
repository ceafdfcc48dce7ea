import Foundation
import XCTest
import ZooModels
import ZooTestSupport

/// One test per malformed input: each must throw a `CheckpointError` naming the file and tensor.
final class CheckpointValidationTests: XCTestCase {
    private typealias W = SafetensorsWriter
    private let fileName = "model.safetensors"

    private func makeDirectory() throws -> CheckpointDirectory {
        let url = try Fixtures.temporaryDirectory("checkpoint-bad")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return CheckpointDirectory(url: url)
    }

    /// Writes `data` as `model.safetensors` and expects opening the checkpoint to fail.
    private func assertOpenFails(
        _ data: Data, _ kind: CheckpointError.Kind, mentions: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let dir = try makeDirectory()
        try dir.write(data, to: fileName)
        assertCheckpointError(kind, mentions: [fileName] + mentions, file: file, line: line) {
            try Checkpoint(directory: dir.url)
        }
    }

    /// A header with one tensor entry given as literal JSON, followed by `dataBytes` bytes.
    private func header(entry: String, name: String = "bad.weight", dataBytes: Int = 8) -> Data {
        W.raw(header: "{\"\(name)\":\(entry)}", data: Array(repeating: 0, count: dataBytes))
    }

    // MARK: File and header framing

    func testEmptyFile() throws {
        try assertOpenFails(Data(), .headerTooSmall, mentions: ["0 bytes"])
    }

    func testFileTooShortForHeaderLength() throws {
        try assertOpenFails(Data([1, 2, 3, 4, 5]), .headerTooSmall, mentions: ["5 bytes"])
    }

    func testHeaderLengthPastEndOfFile() throws {
        try assertOpenFails(W.raw(headerBytes: Array("{}".utf8), data: [], declaredLength: 64),
                            .invalidHeaderLength, mentions: ["64"])
    }

    func testAbsurdHeaderLength() throws {
        try assertOpenFails(W.raw(headerBytes: Array("{}".utf8), data: [], declaredLength: .max),
                            .invalidHeaderLength, mentions: ["limit"])
    }

    func testHeaderNotUTF8() throws {
        try assertOpenFails(W.raw(headerBytes: [0x7B, 0xFF, 0xFE, 0x7D], data: []), .invalidHeader, mentions: ["UTF-8"])
    }

    func testHeaderNotJSON() throws {
        try assertOpenFails(W.raw(header: "{\"a\": {\"dtype\": ", data: []), .invalidHeader, mentions: ["JSON"])
    }

    func testHeaderNotAnObject() throws {
        try assertOpenFails(W.raw(header: "[1, 2]", data: []), .invalidHeader, mentions: ["an array"])
    }

    func testDeeplyNestedHeaderIsRejectedNotACrash() throws {
        let depth = 100_000
        let text = "{\"a\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let dir = try makeDirectory()
        try dir.write(W.raw(header: text, data: []), to: fileName)
        XCTAssertThrowsError(try Checkpoint(directory: dir.url)) { error in
            XCTAssertTrue(String(describing: error).contains(self.fileName), "\(error)")
        }
    }

    func testMetadataWithNonStringValue() throws {
        try assertOpenFails(W.raw(header: "{\"__metadata__\": {\"format\": 1}}", data: []),
                            .invalidHeader, mentions: ["__metadata__", "format"])
    }

    // MARK: Tensor entries

    func testEntryNotAnObject() throws {
        try assertOpenFails(header(entry: "5"), .invalidTensorEntry, mentions: ["bad.weight", "an integer"])
    }

    func testEntryMissingDType() throws {
        try assertOpenFails(header(entry: "{\"shape\": [2], \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "missing \"dtype\""])
    }

    func testEntryMissingShape() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "missing \"shape\""])
    }

    func testEntryMissingDataOffsets() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [2]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "missing \"data_offsets\""])
    }

    func testDTypeOfWrongType() throws {
        try assertOpenFails(header(entry: "{\"dtype\": 32, \"shape\": [2], \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "\"dtype\" is an integer"])
    }

    func testShapeOfWrongType() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": \"2\", \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "\"shape\" is a string"])
    }

    func testDataOffsetsWithThreeElements() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "3 elements"])
    }

    func testDataOffsetsNotIntegers() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, true]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "\"data_offsets\"[1] is a boolean"])
    }

    func testNegativeDimension() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "negative"])
    }

    func testWholeNumbersWrittenAsFloatsAreNotIntegers() throws {
        // As serde reads a usize in the reference implementation: 2.0 and 2e0 are not integers.
        for shape in ["2.0", "2e0"] {
            try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [\(shape)], \"data_offsets\": [0, 8]}"),
                                .invalidTensorEntry, mentions: ["\"shape\"[0] is a non-integer number"])
        }
    }

    func testJSONSyntaxErrorsNameTheByte() throws {
        for text in ["{\"a\": 01}", "{\"a\": {}} x", "{\"a\" {}}", "{\"a\": \"\\ud800\"}", "{\"a\": \"\\q\"}", "{\"a\": [1,]}"] {
            try assertOpenFails(W.raw(header: text, data: []), .invalidHeader, mentions: ["not valid JSON", "at byte"])
        }
    }

    func testEscapedNamesUnknownFieldsAndPaddingAreRead() throws {
        // The reference ignores unknown entry fields; writers pad headers with spaces.
        let text = "{\"a\\u00e9\\ud83d\\ude00\": {\"dtype\": \"F32\", \"extra\": [{\"x\": [null, true, -1.5e3]}], "
            + "\"shape\": [2], \"data_offsets\": [0, 8]}, \"__metadata__\": {\"format\": \"pt\"}}      "
        let dir = try makeDirectory()
        try dir.write(W.raw(header: text, data: Array(repeating: 0, count: 8)), to: fileName)
        let checkpoint = try Checkpoint(directory: dir.url)
        XCTAssertNotNil(checkpoint.info("aé😀"))
    }

    func testNonIntegerDimension() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "\"shape\"[0] is a non-integer number"])
    }

    func testShapeWhoseSizeOverflows() throws {
        let huge = Int.max / 2
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [\(huge), 4], \"data_offsets\": [0, 8]}"),
                            .invalidTensorEntry, mentions: ["bad.weight", "overflows"])
    }

    func testUnknownDType() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F17\", \"shape\": [2], \"data_offsets\": [0, 8]}"),
                            .unknownDType, mentions: ["bad.weight", "F17"])
    }

    // MARK: Data layout

    func testOffsetsNotMatchingShapeTimesDTypeSize() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}"),
                            .sizeMismatch, mentions: ["bad.weight", "8 bytes", "needs 12"])
    }

    func testOffsetsReversed() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}"),
                            .invalidOffsets, mentions: ["bad.weight", "[8, 0]"])
    }

    func testTruncatedFile() throws {
        let full = W.file([W.tensorF32("a", [2], [1, 2]), W.tensorF32("b.weight", [4], [1, 2, 3, 4])])
        try assertOpenFails(full.prefix(full.count - 3), .truncatedData, mentions: ["b.weight", "truncated"])
    }

    func testOverlappingTensors() throws {
        let text = """
            {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
             "b.weight": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
            """
        try assertOpenFails(W.raw(header: text, data: Array(repeating: 0, count: 12)),
                            .invalidOffsets, mentions: ["b.weight", "overlap", "'a'"])
    }

    func testGapBetweenTensors() throws {
        let text = """
            {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
             "b.weight": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}
            """
        try assertOpenFails(W.raw(header: text, data: Array(repeating: 0, count: 12)),
                            .invalidOffsets, mentions: ["b.weight", "gap of 4 bytes"])
    }

    func testTrailingBytesAfterLastTensor() throws {
        try assertOpenFails(header(entry: "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}"),
                            .incompleteBuffer, mentions: ["4 bytes after"])
    }

    // MARK: Requests

    private func openValid() throws -> Checkpoint {
        let dir = try makeDirectory()
        try dir.write(W.file([
            W.tensorF32("model.norm.weight", [2, 3], [1, 2, 3, 4, 5, 6]),
            .init(name: "model.quant.weight", dtype: "I8", shape: [2], bytes: [1, 255]),
        ]), to: fileName)
        return try Checkpoint(directory: dir.url)
    }

    func testWrongShapeRequested() throws {
        let checkpoint = try openValid()
        assertCheckpointError(.shapeMismatch, mentions: [fileName, "model.norm.weight", "expected shape [3, 2]", "found [2, 3]"]) {
            try checkpoint.floats("model.norm.weight", shape: [3, 2])
        }
    }

    func testMissingTensorRequested() throws {
        let checkpoint = try openValid()
        assertCheckpointError(.tensorNotFound, mentions: [fileName, "lm_head.weight", checkpoint.directory.lastPathComponent]) {
            try checkpoint.floats("lm_head.weight", shape: [2])
        }
    }

    func testUnsupportedDTypeRequested() throws {
        let checkpoint = try openValid()
        XCTAssertEqual(checkpoint.info("model.quant.weight")?.dtype, .i8)
        assertCheckpointError(.unsupportedDType, mentions: [fileName, "model.quant.weight", "I8"]) {
            try checkpoint.floats("model.quant.weight", shape: [2])
        }
    }

    // MARK: Directories and sharded checkpoints

    func testDirectoryMissing() throws {
        let dir = try makeDirectory()
        let missing = dir.path("no-such-model")
        assertCheckpointError(.directoryNotFound, mentions: ["no-such-model", "does not exist"]) {
            try Checkpoint(directory: missing)
        }
    }

    func testPathIsAFileNotADirectory() throws {
        let dir = try makeDirectory()
        try dir.write("x", to: "config.json")
        assertCheckpointError(.directoryNotFound, mentions: ["config.json", "not a directory"]) {
            try Checkpoint(directory: dir.path("config.json"))
        }
    }

    func testNoCheckpointFilesListsDirectoryContents() throws {
        let dir = try makeDirectory()
        try dir.write("{}", to: "config.json")
        try dir.write("", to: "pytorch_model.bin")
        assertCheckpointError(.noCheckpointFiles, mentions: [dir.url.lastPathComponent, "config.json", "pytorch_model.bin"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    /// Two shards: `a` + `b` in shard 1, `c` in shard 2, plus the given index text.
    private func shardedDirectory(index: String, extraInShard2: [SafetensorsWriter.Tensor] = []) throws -> CheckpointDirectory {
        let dir = try makeDirectory()
        try dir.write(W.file([W.tensorF32("a", [1], [1]), W.tensorF32("b", [1], [2])]), to: "shard-1.safetensors")
        try dir.write(W.file([W.tensorF32("c", [1], [3])] + extraInShard2), to: "shard-2.safetensors")
        try dir.write(index, to: "model.safetensors.index.json")
        return dir
    }

    private let goodMap = #"{"a": "shard-1.safetensors", "b": "shard-1.safetensors", "c": "shard-2.safetensors"}"#

    func testIndexNotJSON() throws {
        let dir = try shardedDirectory(index: "{\"weight_map\": ")
        assertCheckpointError(.invalidIndex, mentions: ["model.safetensors.index.json", "JSON"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testIndexWithoutWeightMap() throws {
        let dir = try shardedDirectory(index: "{\"metadata\": {}}")
        assertCheckpointError(.invalidIndex, mentions: ["model.safetensors.index.json", "weight_map"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testIndexWeightMapValueNotAString() throws {
        let dir = try shardedDirectory(index: #"{"weight_map": {"a": "shard-1.safetensors", "c": 2}}"#)
        assertCheckpointError(.invalidIndex, mentions: ["model.safetensors.index.json", "'c'", "an integer"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testIndexWithPathEscapingDirectory() throws {
        let dir = try shardedDirectory(index: #"{"weight_map": {"a": "../shard-1.safetensors"}}"#)
        assertCheckpointError(.invalidIndex, mentions: ["model.safetensors.index.json", "'a'", "../shard-1"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testIndexNamesMissingShard() throws {
        let dir = try shardedDirectory(index: #"{"weight_map": {"a": "shard-1.safetensors", "z": "shard-9.safetensors"}}"#)
        assertCheckpointError(.shardNotFound, mentions: ["shard-9.safetensors", "'z'", "model.safetensors.index.json"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testIndexEntryAbsentFromNamedShard() throws {
        let dir = try shardedDirectory(index: #"{"weight_map": {"a": "shard-2.safetensors", "c": "shard-2.safetensors"}}"#)
        assertCheckpointError(.tensorNotInShard, mentions: ["shard-2.safetensors", "'a'", "model.safetensors.index.json"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testSameTensorInTwoShards() throws {
        let dir = try shardedDirectory(index: "{\"weight_map\": \(goodMap)}", extraInShard2: [W.tensorF32("b", [1], [9])])
        assertCheckpointError(.duplicateTensor, mentions: ["shard-1.safetensors", "shard-2.safetensors", "'b'"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testMalformedShardIsNamed() throws {
        let dir = try shardedDirectory(index: "{\"weight_map\": \(goodMap)}")
        try dir.write(header(entry: "{\"dtype\": \"F32\", \"shape\": [2]}", name: "c"), to: "shard-2.safetensors")
        assertCheckpointError(.invalidTensorEntry, mentions: ["shard-2.safetensors", "'c'", "data_offsets"]) {
            try Checkpoint(directory: dir.url)
        }
    }

    func testMissingTensorInShardedCheckpointNamesIndex() throws {
        let dir = try shardedDirectory(index: "{\"weight_map\": \(goodMap)}")
        let checkpoint = try Checkpoint(directory: dir.url)
        assertCheckpointError(.tensorNotFound, mentions: ["model.safetensors.index.json", "'lm_head.weight'"]) {
            try checkpoint.floats("lm_head.weight", shape: [1])
        }
    }
}
