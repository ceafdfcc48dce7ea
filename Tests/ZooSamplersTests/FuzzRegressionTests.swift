import Foundation
import XCTest
import ZooSamplers
import ZooTestSupport

/// Inputs the `chain` fuzz target (`scripts/fuzz.sh chain`) found, kept in `Tests/Fixtures/fuzz/`.
final class ChainFuzzRegressionTests: XCTestCase {
    /// `u,fd=[[[[…` (1,793 bytes, about 1,700 "[") overflowed the stack of the recursive value parser
    /// under AddressSanitizer; nesting is now limited and reported where it goes too deep.
    func testDeeplyNestedValuesAreASyntaxErrorNotAStackOverflow() throws {
        let found = try String(contentsOf: Fixtures.url("fuzz/chain-deep-nesting"), encoding: .utf8)
        for text in [found, "top_k=" + String(repeating: "[", count: 100_000)] {
            XCTAssertThrowsError(try ChainSyntax.parse(text)) { error in
                XCTAssertTrue("\(error)".contains("values nest more than 32 levels deep"), "\(error)")
            }
        }
        let deepest = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        XCTAssertEqual(try ChainSyntax.parse("x=" + deepest).count, 1, "32 levels still parse")
    }
}
