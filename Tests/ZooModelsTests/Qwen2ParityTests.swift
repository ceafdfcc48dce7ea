import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// Logits of our fp32 forward pass against transformers' on the committed random checkpoints.
final class Qwen2ParityTests: XCTestCase {
    func testFixturesArePresent() {
        XCTAssertGreaterThanOrEqual(Qwen2Reference.checkpointNames.count, 6, "run scripts/make_fixtures.py")
    }

    func testLogitsMatchTransformersAtEveryPosition() throws {
        for name in Qwen2Reference.checkpointNames {
            let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory(name))
            for (index, reference) in try Qwen2Reference.load(name).cases.enumerated() {
                let logits = try model.forward(reference.ids, cache: model.makeCache(capacity: nil), logits: .all)
                XCTAssertEqual(logits.rows, reference.ids.count)
                for position in 0..<logits.rows {
                    let difference = maxAbsDifference(logits[position], reference.logits[position])
                    XCTAssertLessThanOrEqual(difference, 1e-4, "\(name) case \(index) position \(position)")
                }
            }
        }
    }

    func testCachedDecodingMatchesFullRecomputation() throws {
        for name in Qwen2Reference.checkpointNames {
            let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory(name))
            for reference in try Qwen2Reference.load(name).cases where reference.ids.count >= 4 {
                let ids = reference.ids
                let full = try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all)
                // Prefill half the prompt, then feed the rest one token at a time.
                let cache = model.makeCache(capacity: nil)
                let half = ids.count / 2
                var rows = try model.forward(Array(ids[..<half]), cache: cache, logits: .all)
                var stepped = Array(rows.values)
                for id in ids[half...] {
                    rows = try model.forward([id], cache: cache, logits: .last)
                    stepped += rows.values
                }
                XCTAssertEqual(cache.count, ids.count)
                XCTAssertLessThanOrEqual(maxAbsDifference(stepped, full.values), 1e-5, name)
            }
        }
    }

    func testLastRowSelectionEqualsLastRowOfAll() throws {
        let name = "gqa-f32-untied"
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory(name))
        let ids = try Qwen2Reference.load(name).cases.map(\.ids).max { $0.count < $1.count }!
        let all = try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .all)
        let last = try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .last)
        XCTAssertEqual(last.rows, 1)
        XCTAssertLessThanOrEqual(maxAbsDifference(last.values, all.last), 1e-6)
    }

    func testOutOfRangeTokenIsAnError() throws {
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory("gqa-f32-untied"))
        XCTAssertThrowsError(try model.forward([1, 300], cache: model.makeCache(capacity: nil), logits: .all)) {
            XCTAssertTrue("\($0)".contains("300"), "\($0)")
        }
    }

    func testSequenceLongerThanTheCacheIsAnError() throws {
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory("gqa-f32-untied"))
        let cache = model.makeCache(capacity: 3)
        XCTAssertThrowsError(try model.forward([1, 2, 3, 4], cache: cache, logits: .last)) {
            XCTAssertTrue("\($0)".contains("context"), "\($0)")
        }
        XCTAssertEqual(cache.count, 0, "a failed call leaves the cache as it was")
    }
}
