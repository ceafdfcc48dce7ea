import Foundation
import XCTest
import ZooTestSupport
import ZooTokenizers

/// Inputs the fuzz targets (`scripts/fuzz.sh`) found, minimized, kept in `Tests/Fixtures/fuzz/`.
final class TokenizerFuzzRegressionTests: XCTestCase {
    /// tiktoken: a 23-byte file whose second line claims rank 2,000,000,000 made the loader size its
    /// tables for two billion ranks (24 GB) before noticing the gap; now the rank is refused at once.
    func testAHugeRankIsRefusedBeforeAnyTableIsSized() throws {
        let url = Fixtures.url("fuzz/tiktoken-huge-rank")
        let start = Date()
        XCTAssertThrowsError(try BytePairTokenizer(tiktokenFile: url, specialTokens: [])) { error in
            XCTAssertEqual("\(error)", "\(url.path):2: rank 2000000000 is more than a 23-byte file can hold without gaps")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    }

    /// tokenizer.json: a 6 KB file whose vocabulary gives one token the id `24e6` made the loader size
    /// its tables for 24 million ids, which took seconds and hundreds of megabytes; sparse ids beyond
    /// what the file's own tokens justify are now refused by name.
    func testASparseVocabularyIDIsRefusedBeforeAnyTableIsSized() throws {
        let url = Fixtures.url("fuzz/tokenizer-json-sparse-id")
        let start = Date()
        XCTAssertThrowsError(try BytePairTokenizer(huggingFaceTokenizerFile: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.path), message)
            XCTAssertTrue(message.contains("model.vocab"), message)
            XCTAssertTrue(message.contains("id 24000000 leaves more gaps"), message)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    }
}
