import Foundation
import XCTest
@testable import ZooGrammar

/// Whether `grammar` matches all of `text` (byte by byte through the recognizer).
func matches(_ grammar: Grammar, _ text: String) throws -> Bool {
    try grammar.match(Array(text.utf8)) == .complete
}

func assertMatches(_ grammar: Grammar, _ accepted: [String], _ rejected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    for t in accepted { XCTAssertTrue(try matches(grammar, t), "should match: \(t)", file: file, line: line) }
    for t in rejected { XCTAssertFalse(try matches(grammar, t), "should not match: \(t)", file: file, line: line) }
}

func assertError(_ expression: @autoclosure () throws -> Any, location: String, contains reason: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try expression()
        XCTFail("expected an error at \(location)", file: file, line: line)
    } catch let error as GrammarError {
        XCTAssertEqual(error.location, location, "\(error)", file: file, line: line)
        XCTAssertTrue(error.reason.contains(reason), "\(error)", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
