import Foundation
import XCTest
import ZooCore
import ZooTestSupport
import ZooTokenizers

/// A tiny trained byte-level BPE (`tokenizer/small-bpe`), whose merges are not in id order, so
/// it checks that Hugging Face files merge by merge-list priority.
final class SmallVocabularyTests: XCTestCase {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
    }

    func cases() throws -> [Case] { try TestTokenizers.fixture([Case].self, "tokenizer/small-bpe/cases.json") }

    func directory() throws -> URL {
        let url = Fixtures.url("tokenizer/small-bpe")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFixture(path: url.path, hint: TestTokenizers.fixturesHint)
        }
        return url
    }

    func testTokenizerJSON() throws {
        let tokenizer = try BytePairTokenizer(huggingFaceTokenizerFile: directory().appendingPathComponent("tokenizer.json"))
        let cases = try cases()
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .allowed), c.ids, String(reflecting: c.text))
            XCTAssertEqual(
                Array(try tokenizer.decode(c.ids).utf8), Array(c.text.precomposedStringWithCanonicalMapping.utf8))
        }
    }

    func testVocabAndMerges() throws {
        let dir = try directory()
        let tokenizer = try BytePairTokenizer(
            vocabFile: dir.appendingPathComponent("vocab.json"), mergesFile: dir.appendingPathComponent("merges.txt"))
        for c in try cases() {
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .allowed), c.ids, String(reflecting: c.text))
        }
        // Without tokenizer_config.json, `<|endoftext|>` is special as in Qwen2Tokenizer.
        XCTAssertEqual(tokenizer.specialTokenID("<|endoftext|>"), 0)
        XCTAssertTrue(tokenizer.isSpecial(0))
    }

    func testDirectoryEntryPointPrefersTokenizerJSON() throws {
        let tokenizer = try BytePairTokenizer(contentsOf: directory())
        for c in try cases() {
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .allowed), c.ids)
        }
    }
}
