import Foundation
import XCTest
import ZooCore
import ZooTokenizers

/// Every loader against the reference ids of `tokenizer/corpus.json` (tiktoken and Hugging Face).
final class CorpusParityTests: XCTestCase {
    func testTiktokenLoaderMatchesTiktoken() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        let cases = try CorpusCase.all()
        XCTAssertGreaterThanOrEqual(cases.count, 250)
        for c in cases {
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .asText), c.ids, "ids of \(c.name)")
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .allowed), c.idsSpecial, "ids_special of \(c.name)")
        }
    }

    func testTokenizerJSONMatchesHuggingFace() throws {
        let tokenizer = try TestTokenizers.qwen2JSON.get()
        for c in try CorpusCase.all() {
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .allowed), c.idsHF, "ids_hf of \(c.name)")
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .asText), c.ids, "ids of \(c.name)")
        }
    }

    func testVocabAndMergesMatchHuggingFace() throws {
        let tokenizer = try TestTokenizers.qwen2Files.get()
        for c in try CorpusCase.all() {
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .allowed), c.idsHF, "ids_hf of \(c.name)")
            XCTAssertEqual(tokenizer.encode(c.text, specialTokens: .asText), c.ids, "ids of \(c.name)")
        }
    }

    func testDecodeInvertsEncode() throws {
        let tiktoken = try TestTokenizers.tiktoken.get(), json = try TestTokenizers.qwen2JSON.get()
        for c in try CorpusCase.all() {
            // Compare bytes: Swift's String == ignores normalization differences.
            let nfc = Array(c.text.precomposedStringWithCanonicalMapping.utf8)
            for (tokenizer, handling) in [(tiktoken, SpecialTokenHandling.asText), (tiktoken, .allowed), (json, .asText)] {
                let ids = tokenizer.encode(c.text, specialTokens: handling)
                XCTAssertEqual(Array(try tokenizer.decode(ids).utf8), nfc, "round trip of \(c.name)")
            }
            // HF normalizes only between added tokens, so `<|endoftext|>` + U+0338 stays apart.
            let decoded = try json.decode(json.encode(c.text, specialTokens: .allowed))
            XCTAssertEqual(Array(decoded.precomposedStringWithCanonicalMapping.utf8), nfc, "round trip of \(c.name)")
        }
    }

    func testEntryPointPicksTheRightLoader() throws {
        let tiktoken = try BytePairTokenizer(contentsOf: Fixtures.qwenTiktokenIfPresent())
        XCTAssertEqual(tiktoken.count, 151_851)
        let directory = try BytePairTokenizer(path: Fixtures.url("tokenizer/qwen2-hf").path)
        XCTAssertEqual(directory.count, 151_665)
        XCTAssertEqual(directory.encode("<|im_end|>", specialTokens: .allowed), [151_645])
    }
}

import ZooTestSupport

extension Fixtures {
    static func qwenTiktokenIfPresent() throws -> URL {
        guard FileManager.default.fileExists(atPath: qwenTiktoken.path) else {
            throw MissingFixture(path: qwenTiktoken.path, hint: TestTokenizers.fetchHint)
        }
        return qwenTiktoken
    }
}
