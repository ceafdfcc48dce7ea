import Foundation
import XCTest
import ZooTestSupport
@testable import ZooGrammar

/// Inputs the `grammar` and `json-schema` fuzz targets (`scripts/fuzz.sh`) found, kept in
/// `Tests/Fixtures/fuzz/` (and in the targets' corpora under `Fuzz/Corpus/`), run as the targets run
/// them: compile, then match the input's own first bytes.
final class GrammarFuzzRegressionTests: XCTestCase {
    /// `path` is spelled out at each use, so the README register finds each finding's test.
    private func input(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: Fixtures.url(path)))
    }

    /// grammar: `[-z]*+++ .++++++` (with NUL bytes around) nested a helper rule per operator, and the
    /// nullable rules inside unbounded ones multiplied the parses a configuration holds: over 3 s
    /// under the fuzzer. Stacked operators now merge where they read as one.
    func testStackedRepetitionOperatorsMerge() throws {
        let bytes = try input("fuzz/grammar-stacked-repetitions")
        let grammar = try Grammar(gbnf: String(decoding: bytes, as: UTF8.self))
        _ = try grammar.match(bytes.prefix(256))
        XCTAssertEqual(try GBNFParser.parse(#"root ::= [a-z]*+++ .++++++ "b"?* ("c"+)? ("d"?){2,3} ("e"+){2,}"#),
                       try GBNFParser.parse(#"root ::= [a-z]* .+ "b"* "c"* "d"{0,3} "e"{2,}"#))
        try assertMatches(try Grammar(gbnf: #"root ::= ("a"+){2,} ("b"?){3} "c"*+?"#), ["aa", "aaab", "aabbbcc"], ["a", "aabbbb"])
    }

    /// Operators that do not merge (`{1,2}{1,2}` is not one range) nest; more than
    /// ``GBNFParser/maxStackedRepetitions`` on one item are an error at the operator.
    func testUnmergeableStackedRepetitionsAreBounded() {
        let text = "root ::= \"a\"" + String(repeating: "{1,2}", count: 9)
        assertError(try Grammar(gbnf: text), location: "1:53", contains: "more than 8 repetition operators stacked")
    }

    /// json-schema: a "required" name of ~900 characters (invalid UTF-8 read as U+FFFD) beside
    /// `additionalProperties` built the extra keys' "not a declared name" trie one level per
    /// character, and lowering recursed that deep: a stack overflow under AddressSanitizer. Names
    /// longer than an extra key can be are now left out of the trie, which is at most
    /// ``JSONSchemaGrammar/maxExtraKeyLength`` deep.
    func testALongRequiredNameDoesNotDeepenTheExtraKeyGrammar() throws {
        let bytes = try input("fuzz/json-schema-long-required-name")
        let grammar = try JSONSchemaGrammar.grammar(jsonText: String(decoding: bytes, as: UTF8.self))
        _ = try grammar.match(bytes.prefix(256))
        let long = String(repeating: "\u{FFFD}", count: 900)
        XCTAssertEqual(JSONSchemaGrammar.keyNotIn(["ab", long]), JSONSchemaGrammar.keyNotIn(["ab"]))
        let sixteen = String(repeating: "k", count: JSONSchemaGrammar.maxExtraKeyLength)
        let g = try JSONSchemaGrammar.grammar(jsonText: #"{"type": "object", "properties": {"\#(sixteen)": {"type": "null"}}, "additionalProperties": {"type": "integer"}}"#)
        try assertMatches(g, [#"{"\#(sixteen)": null}"#, #"{"kkk": 1}"#, #"{"\#(sixteen.dropLast())x": 1}"#],
                          [#"{"\#(sixteen)": 1}"#, #"{"\#(sixteen)k": 1}"#])
    }

    /// Subschemas nested deeper than ``JSONSchemaGrammar/maxNesting`` are an error naming the path.
    func testDeeplyNestedSchemasAreAnErrorNotAStackOverflow() {
        let depth = JSONSchemaGrammar.maxNesting + 1
        let text = String(repeating: #"{"type": "array", "items": "#, count: depth - 1) + "true" + String(repeating: "}", count: depth - 1)
        let path = "$" + String(repeating: ".items", count: depth - 1)
        assertError(try JSONSchemaGrammar.grammar(jsonText: text), location: path, contains: "nest more than 64 deep")
    }

    /// grammar (the budget run): `root` calling itself after `[-z]*+++ .+`, so every byte opened more
    /// parses than the last, and 256 bytes ran for minutes. One step may expand at most
    /// ``PushdownAutomaton/maxStepExpansion`` parses; past that the grammar is refused as too ambiguous.
    func testARecursiveAmbiguousGrammarEndsQuickly() throws {
        try assertRefusedAsTooAmbiguous("fuzz/grammar-recursive-ambiguity")
    }

    /// grammar (the budget run, third pass): `root ::= "lsm" | [se" | [-z]* .+ root "A+++++"` keeps one
    /// more live parse per byte read, so 256 bytes cost O(n²) expansions: 4 s of CPU under
    /// AddressSanitizer (a 10 s timeout on a loaded machine), well under a second in a debug build. Each
    /// byte stays below ``PushdownAutomaton/maxStepExpansion``, which bounds the cost of every later byte;
    /// the input is a prefix of the grammar's language and must be read as one, in bounded time.
    func testAQuadraticallyAmbiguousGrammarStaysBoundedPerByte() throws {
        let bytes = try input("fuzz/grammar-recursive-ambiguity-2")
        let start = Date()
        let grammar = try Grammar(gbnf: String(decoding: bytes, as: UTF8.self))
        XCTAssertEqual(try grammar.match(bytes.prefix(256)), .prefix)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    /// grammar (the budget run, third pass, its slowest input): the same centre-embedded recursion with a 100-byte
    /// literal after `root`, which the input itself contains, so parses at every depth also walk the
    /// literal. Its O(n²) stacks took 14-21 s of CPU under AddressSanitizer, 85% of it in the
    /// unspecialized standard sort allocating per comparison (the automaton now sorts its node lists
    /// itself, ``NodeListSorter``, and reads a flat program). Its steps grow past 5,000 expansions
    /// before the input ends, so the grammar is refused as too ambiguous, early.
    func testACentreEmbeddedGrammarWithALongLiteralIsRefusedEarly() throws {
        try assertRefusedAsTooAmbiguous("fuzz/grammar-recursive-ambiguity-3")
    }

    /// grammar (the budget run, fourth pass): `root ::= ` 45 `.` then `"lsm" | [se" | [-z]* .+ root "A+++++"`:
    /// every depth of the recursion keeps 45 positions of the first alternative alive, so a step
    /// opened up to 50,000 parses (the bound then) and an input ran 2.7 s under AddressSanitizer
    /// before the bound stopped it. The bound is now 5,000 parses a step, reached within a tenth of
    /// that time.
    func testACentreEmbeddedGrammarWithManyWildcardsIsRefusedEarly() throws {
        try assertRefusedAsTooAmbiguous("fuzz/grammar-recursive-ambiguity-4")
    }

    private func assertRefusedAsTooAmbiguous(_ fixture: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try input(fixture)
        let start = Date()
        let grammar = try Grammar(gbnf: String(decoding: bytes, as: UTF8.self))
        XCTAssertThrowsError(try grammar.match(bytes.prefix(256)), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains("too ambiguous: one byte opens more than \(PushdownAutomaton.maxStepExpansion) parses"), "\(error)", file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, file: file, line: line)
    }
}
