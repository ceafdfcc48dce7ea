import Foundation
import XCTest
import ZooTestSupport

/// `zoo generate --json-schema | --grammar | --regex | --choice`, `zoo grammar`, and their errors.
final class ConstrainedGenerateTests: XCTestCase {
    private func generate(_ extra: [String], maxTokens: Int = 120) throws -> ZooProcess.Output {
        try ZooProcess.run(["generate", "--manifest", "tiny-base", "--prompt", "Answer:", "--max-tokens", "\(maxTokens)",
                            "--chain", "temperature=1", "--seed", "3", "--json"] + extra)
    }

    private func report(_ out: ZooProcess.Output) throws -> [String: Any] {
        XCTAssertEqual(out.status, 0, out.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    }

    func testChoiceAndRegexConstrainTheRandomModel() throws {
        let choice = try report(try generate(["--choice", "yes,no,maybe"]))
        XCTAssertTrue(["yes", "no", "maybe"].contains(choice["text"] as? String), "\(choice)")
        XCTAssertEqual(choice["finish_reason"] as? String, "stop")
        let regex = try report(try generate(["--regex", #"[A-Z]{2}-\d{3}"#]))
        let text = try XCTUnwrap(regex["text"] as? String)
        XCTAssertNotNil(text.range(of: #"^[A-Z]{2}-[0-9]{3}$"#, options: .regularExpression), text)
    }

    func testJSONSchemaAndGrammarFiles() throws {
        let dir = try Fixtures.temporaryDirectory()
        let schema = dir.appendingPathComponent("s.json")
        try Data(#"{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 9}}, "required": ["n"]}"#.utf8).write(to: schema)
        let out = try report(try generate(["--json-schema", schema.path]))
        let text = try XCTUnwrap(out["text"] as? String)
        let value = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Int], text)
        XCTAssertTrue((1...9).contains(value["n"] ?? 0), text)
        let grammar = dir.appendingPathComponent("g.gbnf")
        try Data("root ::= \"(\" [0-9] (\"+\" [0-9]){1,2} \")\"\n".utf8).write(to: grammar)
        let g = try XCTUnwrap(try report(try generate(["--grammar", grammar.path]))["text"] as? String)
        XCTAssertNotNil(g.range(of: #"^\([0-9](\+[0-9]){1,2}\)$"#, options: .regularExpression), g)
    }

    func testANeverEndingGrammarStopsAtMaxTokens() throws {
        // root never completes (tail recursion): generation ends at the limit, never hangs.
        let grammar = try Fixtures.temporaryDirectory().appendingPathComponent("forever.gbnf")
        try Data("root ::= \"ab\" root\n".utf8).write(to: grammar)
        let out = try report(try generate(["--grammar", grammar.path], maxTokens: 12))
        XCTAssertEqual(out["finish_reason"] as? String, "length (max_tokens)")
        XCTAssertEqual((out["ids"] as? [Int])?.count, 12)
    }

    func testBadConstraintsNameThePositionAndReason() throws {
        let dir = try Fixtures.temporaryDirectory()
        let grammar = dir.appendingPathComponent("bad.gbnf")
        try Data("root ::= item\nitem ::= [a-z\n".utf8).write(to: grammar)
        var out = try generate(["--grammar", grammar.path])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.stderr.contains("\(grammar.path) at 2:10: unterminated character class"), out.stderr)
        let schema = dir.appendingPathComponent("bad.json")
        try Data(#"{"type": "array", "items": {"type": "string", "uniqueItems": true}}"#.utf8).write(to: schema)
        out = try generate(["--json-schema", schema.path])
        XCTAssertTrue(out.stderr.contains("at $.items.uniqueItems: unsupported keyword \"uniqueItems\""), out.stderr)
        out = try generate(["--regex", "a(?<=b)"])
        XCTAssertTrue(out.stderr.contains("regex at column 2: look-around"), out.stderr)
        out = try generate(["--regex", "a", "--choice", "b"])
        XCTAssertTrue(out.stderr.contains("at most one of"), out.stderr)
    }

    func testGrammarCommandPrintsTheSchemaAsGBNF() throws {
        let dir = try Fixtures.temporaryDirectory()
        let schema = dir.appendingPathComponent("s.json")
        try Data(#"{"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}"#.utf8).write(to: schema)
        let out = try ZooProcess.run(["grammar", "--json-schema", schema.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("root ::= "), out.stdout)
        // The printed rules are GBNF that compiles again.
        let gbnf = dir.appendingPathComponent("s.gbnf")
        try Data(out.stdout.utf8).write(to: gbnf)
        let again = try report(try generate(["--grammar", gbnf.path]))
        XCTAssertNotNil(again["text"] as? String)
    }
}
