import XCTest
import ZooCore

/// Feeds `ids` to `model` one token at a time through one KV cache and asserts that each step's
/// logits equal, bit for bit, the row of `all` (the logits of the whole sequence at once) for that
/// position: cached decoding gives exactly the recomputation.
func assertCachedDecodeEqualsRecomputation(
    _ model: any LanguageModel, ids: [Int], all: [Float], vocabulary: Int, _ label: String = "",
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let cache = model.makeCache(capacity: nil)
    for (t, id) in ids.enumerated() {
        let step = try model.forward([id], cache: cache, logits: .last).values
        XCTAssertEqual(step, Array(all[(t * vocabulary)..<((t + 1) * vocabulary)]), "\(label) token \(t)", file: file, line: line)
    }
}
