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
}
