import XCTest
import ZooCore
@testable import ZooGrammar

/// Long lists of strings (a `choice`, a JSON Schema `enum`) compile to a trie of their characters, so
/// they stay far inside the bound on the parses one byte may open, and they match exactly their
/// members: every member whole, every proper prefix of one as a prefix, and nothing else.
final class LargeAlternationTests: XCTestCase {
    /// 20,000 distinct strings, some prefixes of others, some sharing long prefixes, some not at all.
    private func words() -> [String] {
        var generator = SystemRandomNumberGenerator()
        var out = (0..<12_000).map { String(format: "item-%05d", $0) }
        out += (0..<4_000).map { String(format: "item-%03d", $0 % 1_000) + (($0 / 1_000) == 0 ? "" : String(repeating: "x", count: $0 / 1_000)) }
        out += (0..<4_000).map { _ in String((0..<Int.random(in: 1...12, using: &generator)).map { _ in "abcé日\"\\ ".randomElement(using: &generator)! }) }
        out.append("")
        return out
    }

    func testAChoiceOfTwentyThousandStringsMatchesExactlyItsMembers() throws {
        let choices = words()
        let grammar = try ChoiceGrammar.grammar(choices)
        var properPrefixes = Set<String>()
        for word in choices { for n in 0..<word.count { properPrefixes.insert(String(word.prefix(n))) } }
        for word in choices.shuffled().prefix(2_000) {
            // A member that is also a proper prefix of another member is complete: the output may end there.
            XCTAssertEqual(try grammar.match(Array(word.utf8)), .complete, word)
        }
        for prefix in properPrefixes.shuffled().prefix(2_000) where !choices.contains(prefix) {
            XCTAssertEqual(try grammar.match(Array(prefix.utf8)), .prefix, prefix)
        }
        XCTAssertEqual(try grammar.match(Array("item-0000".utf8)), .prefix)
        XCTAssertEqual(try grammar.match(Array("item-12000".utf8)), .rejected(at: 8))  // "item-120" is a member, "item-1200…" none
        XCTAssertEqual(try grammar.match(Array("zzz".utf8)), .rejected(at: 0))
    }

    func testAJSONSchemaEnumOfTwentyThousandValuesMatchesExactlyItsMembers() throws {
        let values = Array(words().prefix(20_000))
        let members = (values.map { JSONValue.string($0) } + [.integer(1), .null]).map { JSONWriter.compact($0) }
        let grammar = try JSONSchemaGrammar.grammar(jsonText: "{\"enum\": [\(members.joined(separator: ", "))]}")
        for value in values.shuffled().prefix(1_000) {
            XCTAssertEqual(try grammar.match(Array(JSONWriter.compact(.string(value)).utf8)), .complete, value)
        }
        XCTAssertEqual(try grammar.match(Array("null".utf8)), .complete)
        XCTAssertEqual(try grammar.match(Array("1".utf8)), .complete)
        XCTAssertEqual(try grammar.match(Array("\"item-12000\"".utf8)), .rejected(at: 9))
    }
}
