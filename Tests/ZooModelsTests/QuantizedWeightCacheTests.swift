import Foundation
import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// Quantized-at-load weights are written once and mapped on the next load; a stale or damaged
/// cache file is never trusted.
final class QuantizedWeightCacheTests: XCTestCase {
    private var directory: URL!
    private var checkpoint: URL!
    private var saved: URL?

    override func setUpWithError() throws {
        saved = QuantizedWeightCache.directory
        directory = try Fixtures.temporaryDirectory("quant-cache")
        QuantizedWeightCache.directory = directory
        // A private copy of a fixture checkpoint, so that touching it affects nobody else.
        checkpoint = try Fixtures.temporaryDirectory("quant-cache-checkpoint")
        let source = Qwen2Reference.directory("gqa-f32-untied")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: checkpoint.appendingPathComponent(name))
        }
    }

    override func tearDown() {
        QuantizedWeightCache.directory = saved
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: checkpoint)
    }

    private func cacheFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "qzq" }
    }

    private func logits(_ precision: WeightPrecision) throws -> [Float] {
        let model = try ArchitectureRegistry.shared.load(directory: checkpoint, options: ModelOptions(weightPrecision: precision))
        return try model.forward([1, 5, 9, 2], cache: model.makeCache(capacity: nil), logits: .all).values
    }

    func testTheSecondLoadReadsTheCacheAndGivesTheSameLogits() throws {
        for precision in [WeightPrecision.q8_0, .q4_0, .q4_K] {
            try? FileManager.default.removeItem(at: directory)
            let first = try logits(precision)
            let files = try cacheFiles()
            XCTAssertEqual(files.count, 1, "\(precision)")
            XCTAssertEqual(try logits(precision), first, "\(precision)")

            // Proof that the second load maps the file: change a stored weight and the logits move.
            var bytes = try Data(contentsOf: files[0])
            bytes[bytes.count - 4096] ^= 0x5A
            try bytes.write(to: files[0])
            XCTAssertNotEqual(try logits(precision), first, "\(precision)")
        }
    }

    func testAChangedCheckpointGetsANewCacheFile() throws {
        let first = try logits(.q8_0)
        let weights = checkpoint.appendingPathComponent("model.safetensors")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: weights.path)
        XCTAssertEqual(try logits(.q8_0), first)
        XCTAssertEqual(try cacheFiles().count, 2)
    }

    func testADamagedCacheFileIsRebuilt() throws {
        let first = try logits(.q8_0)
        let file = try cacheFiles()[0]
        try Data("QZQUANT1\u{FF}\u{FF}\u{FF}\u{7F}{not json".utf8).write(to: file)
        XCTAssertEqual(try logits(.q8_0), first)
        XCTAssertEqual(try Data(contentsOf: file).prefix(8), Data("QZQUANT1".utf8))
        XCTAssertGreaterThan(try Data(contentsOf: file).count, 1000, "rewritten whole")
    }

    func testUnquantizedLoadsAndADisabledCacheWriteNothing() throws {
        _ = try logits(.f32)
        XCTAssertEqual(try cacheFiles().count, 0)
        QuantizedWeightCache.directory = nil
        _ = try logits(.q8_0)
        XCTAssertEqual(try cacheFiles().count, 0)
    }
}
