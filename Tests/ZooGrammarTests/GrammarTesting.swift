import Foundation
import XCTest
@testable import ZooGrammar

/// Whether `grammar` matches all of `text` (byte by byte through the recognizer).
func matches(_ grammar: Grammar, _ text: String) throws -> Bool {
    var automaton = try PushdownAutomaton(grammar: grammar)
    let s = try automaton.next(automaton.initial, bytes: Array(text.utf8))
    return s >= 0 && automaton.isAccepting(s)
}

/// Whether `text` is a prefix of something `grammar` matches.
func isPrefix(_ grammar: Grammar, _ text: String) throws -> Bool {
    var automaton = try PushdownAutomaton(grammar: grammar)
    return try automaton.next(automaton.initial, bytes: Array(text.utf8)) >= 0
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
