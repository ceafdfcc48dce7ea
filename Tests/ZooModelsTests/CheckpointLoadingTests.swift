import Foundation
import XCTest
import ZooModels
import ZooTestSupport

final class CheckpointLoadingTests: XCTestCase {
    private func makeDirectory() throws -> CheckpointDirectory {
        let url = try Fixtures.temporaryDirectory("checkpoint")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return CheckpointDirectory(url: url)
    }

    private func assertBitsEqual(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern),
                       "\(actual) != \(expected)", file: file, line: line)
    }

    func testF32RoundTripIsMappedWithoutCopy() throws {
        let dir = try makeDirectory()
        let values: [Float] = [1, -2.5, .leastNonzeroMagnitude, -.infinity, .infinity, -0.0]
        try dir.write(SafetensorsWriter.file([SafetensorsWriter.tensorF32("w", [2, 3], values)],
                                             metadata: ["format": "pt"]), to: "model.safetensors")
        let checkpoint = try Checkpoint(directory: dir.url)
        XCTAssertEqual(checkpoint.tensorNames, ["w"])
        XCTAssertEqual(checkpoint.info("w"), TensorInfo(name: "w", dtype: .f32, shape: [2, 3], file: dir.path("model.safetensors")))
        XCTAssertEqual(checkpoint.files.first?.metadata, ["format": "pt"])
        let buffer = try checkpoint.floats("w", shape: [2, 3])
        XCTAssertTrue(buffer.isMapped)
        XCTAssertEqual(buffer.count, 6)
        XCTAssertEqual(buffer.shape, [2, 3])
        assertBitsEqual(buffer.toArray(), values)
    }

    func testF16RoundTripIncludingSubnormalsInfAndNaN() throws {
        let dir = try makeDirectory()
        // 1, -2, 65504 (max), smallest subnormal, largest subnormal, -0, inf, -inf, smallest normal, -1/3
        let patterns: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x0400, 0xB555]
        try dir.write(SafetensorsWriter.file([
            .init(name: "h", dtype: "F16", shape: [10], bytes: SafetensorsWriter.bits16(patterns)),
            .init(name: "nan", dtype: "F16", shape: [2], bytes: SafetensorsWriter.bits16([0x7E00, 0xFE01])),
        ]), to: "model.safetensors")
        let checkpoint = try Checkpoint(directory: dir.url)
        let buffer = try checkpoint.floats("h", shape: [10])
        XCTAssertFalse(buffer.isMapped)
        let expected: [Float] = [1, -2, 65504, 0x1p-24, 1023 * 0x1p-24, -0.0, .infinity, -.infinity, 0x1p-14,
                                 Float(Float16(bitPattern: 0xB555))]
        assertBitsEqual(buffer.toArray(), expected)
        let nans = try checkpoint.floats("nan", shape: [2]).toArray()
        XCTAssertTrue(nans[0].isNaN && nans[0].sign == .plus)
        XCTAssertTrue(nans[1].isNaN && nans[1].sign == .minus)
    }

    func testF16ConversionMatchesFloat16ForEveryBitPattern() throws {
        let dir = try makeDirectory()
        let patterns = (0...UInt16.max).map { $0 }
        try dir.write(SafetensorsWriter.file([
            .init(name: "all", dtype: "F16", shape: [patterns.count], bytes: SafetensorsWriter.bits16(patterns)),
        ]), to: "model.safetensors")
        let converted = try Checkpoint(directory: dir.url).floats("all", shape: [65536])
        var mismatches = 0
        for pattern in patterns {
            let expected = Float(Float16(bitPattern: pattern))
            let actual = converted[Int(pattern)]
            let same = expected.isNaN ? (actual.isNaN && actual.sign == expected.sign) : actual.bitPattern == expected.bitPattern
            if !same { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testBF16RoundTrip() throws {
        let dir = try makeDirectory()
        // 1, -3, 2^-133 (subnormal), inf, -inf, -0, NaN
        let patterns: [UInt16] = [0x3F80, 0xC040, 0x0001, 0x7F80, 0xFF80, 0x8000, 0x7FC0]
        try dir.write(SafetensorsWriter.file([
            .init(name: "b", dtype: "BF16", shape: [7], bytes: SafetensorsWriter.bits16(patterns)),
        ]), to: "model.safetensors")
        let values = try Checkpoint(directory: dir.url).floats("b", shape: [7]).toArray()
        assertBitsEqual(Array(values.prefix(6)), [1, -3, 0x1p-133, .infinity, -.infinity, -0.0])
        XCTAssertTrue(values[6].isNaN)
    }

    func testMisalignedF32IsCopiedCorrectly() throws {
        let dir = try makeDirectory()
        // A 1-byte U8 tensor first puts the F32 data at an odd offset (the header is padded to 8).
        try dir.write(SafetensorsWriter.file([
            .init(name: "pad", dtype: "U8", shape: [1], bytes: [7]),
            SafetensorsWriter.tensorF32("w", [3], [1.5, -2, 3.25]),
        ]), to: "model.safetensors")
        let buffer = try Checkpoint(directory: dir.url).floats("w", shape: [3])
        XCTAssertFalse(buffer.isMapped)
        XCTAssertEqual(Int(bitPattern: buffer.pointer) % 4, 0)
        assertBitsEqual(buffer.toArray(), [1.5, -2, 3.25])
    }

    func testScalarAndEmptyTensors() throws {
        let dir = try makeDirectory()
        try dir.write(SafetensorsWriter.file([
            SafetensorsWriter.tensorF32("empty", [0, 4], []),
            SafetensorsWriter.tensorF32("scalar", [], [42]),
            .init(name: "empty16", dtype: "BF16", shape: [3, 0], bytes: []),
        ]), to: "model.safetensors")
        let checkpoint = try Checkpoint(directory: dir.url)
        XCTAssertEqual(try checkpoint.floats("scalar", shape: []).toArray(), [42])
        XCTAssertEqual(try checkpoint.floats("empty", shape: [0, 4]).count, 0)
        XCTAssertEqual(try checkpoint.floats("empty16", shape: [3, 0]).count, 0)
    }

    func testBuffersOutliveTheCheckpoint() throws {
        let dir = try makeDirectory()
        try dir.write(SafetensorsWriter.file([SafetensorsWriter.tensorF32("w", [2], [5, 6])]), to: "model.safetensors")
        var checkpoint: Checkpoint? = try Checkpoint(directory: dir.url)
        let buffer = try XCTUnwrap(checkpoint).floats("w", shape: [2])
        checkpoint = nil
        XCTAssertNil(checkpoint)
        XCTAssertEqual(buffer.toArray(), [5, 6])
    }

    func testShardedCheckpointWithIndex() throws {
        let dir = try makeDirectory()
        try dir.write(SafetensorsWriter.file([
            SafetensorsWriter.tensorF32("model.embed_tokens.weight", [2, 2], [1, 2, 3, 4]),
            .init(name: "model.norm.weight", dtype: "BF16", shape: [2], bytes: SafetensorsWriter.bits16([0x3F80, 0x4000])),
        ]), to: "model-00001-of-00002.safetensors")
        try dir.write(SafetensorsWriter.file([
            .init(name: "lm_head.weight", dtype: "F16", shape: [1, 2], bytes: SafetensorsWriter.bits16([0x3C00, 0xC000])),
        ]), to: "model-00002-of-00002.safetensors")
        try dir.write("""
            {"metadata": {"total_size": 28}, "weight_map": {
              "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
              "model.norm.weight": "model-00001-of-00002.safetensors",
              "lm_head.weight": "model-00002-of-00002.safetensors"}}
            """, to: "model.safetensors.index.json")
        let checkpoint = try Checkpoint(directory: dir.url)
        XCTAssertEqual(checkpoint.tensorNames, ["lm_head.weight", "model.embed_tokens.weight", "model.norm.weight"])
        XCTAssertEqual(checkpoint.files.count, 2)
        XCTAssertEqual(checkpoint.info("lm_head.weight")?.file.lastPathComponent, "model-00002-of-00002.safetensors")
        XCTAssertEqual(try checkpoint.floats("model.embed_tokens.weight", shape: [2, 2]).toArray(), [1, 2, 3, 4])
        XCTAssertEqual(try checkpoint.floats("model.norm.weight", shape: [2]).toArray(), [1, 2])
        XCTAssertEqual(try checkpoint.floats("lm_head.weight", shape: [1, 2]).toArray(), [1, -2])
        XCTAssertTrue(checkpoint.contains("lm_head.weight"))
        XCTAssertFalse(checkpoint.contains("model.layers.0.mlp.up_proj.weight"))
        XCTAssertNoThrow(try checkpoint.verifyAllTensorsUsed())
    }

    func testSingleFileIsPreferredOverIndex() throws {
        let dir = try makeDirectory()
        try dir.write(SafetensorsWriter.file([SafetensorsWriter.tensorF32("w", [1], [9])]), to: "model.safetensors")
        try dir.write("not json", to: "model.safetensors.index.json")
        XCTAssertEqual(try Checkpoint(directory: dir.url).floats("w", shape: [1]).toArray(), [9])
    }

    func testVerifyAllTensorsUsedReportsUnexpectedTensor() throws {
        let dir = try makeDirectory()
        try dir.write(SafetensorsWriter.file([
            SafetensorsWriter.tensorF32("model.norm.weight", [1], [1]),
            SafetensorsWriter.tensorF32("model.layers.0.self_attn.rotary_emb.inv_freq", [1], [1]),
            SafetensorsWriter.tensorF32("model.extra.weight", [1], [1]),
        ]), to: "model.safetensors")
        let checkpoint = try Checkpoint(directory: dir.url)
        _ = try checkpoint.floats("model.norm.weight", shape: [1])
        let ignoreRotary: (String) -> Bool = { $0.hasSuffix("rotary_emb.inv_freq") }
        assertCheckpointError(.unusedTensors, mentions: ["model.safetensors", "model.extra.weight"]) {
            try checkpoint.verifyAllTensorsUsed(ignoring: ignoreRotary)
        }
        // A failed request (wrong shape) does not count as use.
        XCTAssertThrowsError(try checkpoint.floats("model.extra.weight", shape: [2]))
        XCTAssertThrowsError(try checkpoint.verifyAllTensorsUsed(ignoring: ignoreRotary))
        _ = try checkpoint.floats("model.extra.weight", shape: [1])
        XCTAssertNoThrow(try checkpoint.verifyAllTensorsUsed(ignoring: ignoreRotary))
        assertCheckpointError(.unusedTensors, mentions: ["rotary_emb.inv_freq"]) {
            try checkpoint.verifyAllTensorsUsed()
        }
    }

    func testSafetensorsFileCanBeUsedDirectly() throws {
        let dir = try makeDirectory()
        try dir.write(SafetensorsWriter.file([SafetensorsWriter.tensorF32("a", [2], [1, 2])]), to: "x.safetensors")
        let file = try SafetensorsFile(url: dir.path("x.safetensors"))
        XCTAssertEqual(file.tensorNames, ["a"])
        XCTAssertEqual(file.info("a")?.elementCount, 2)
        XCTAssertEqual(try file.floats("a", shape: [2]).toArray(), [1, 2])
    }
}
