import Foundation
import QwenMath
import XCTest
import ZooTestSupport

/// qwen2.5-math: `extract_answer(pred, "math")` of QwenLM/Qwen2.5-Math `evaluation/parser.py`, run by
/// scripts/make_math_extraction_fixtures.py on 600 synthetic completions (boxed, Minerva, "the answer is",
/// 答案是, last number, LaTeX units, word numbers, none).
final class Qwen25MathExtractionParityTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Item: Decodable { let completion: String, extracted: String }
        let items: [Item]
    }

    func testExtractionAgreesItemForItem() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Fixtures.url("eval/qwen25-math-extraction.json")))
        XCTAssertGreaterThanOrEqual(fixture.items.count, 500)
        for (i, item) in fixture.items.enumerated() {
            XCTAssertEqual(AnswerExtraction.normalizedAnswer(in: item.completion), item.extracted, "item \(i): \(item.completion.debugDescription)")
        }
    }
}
