import XCTest
import ZooCore
import ZooSamplers
import ZooTestSupport
import ZooTokenizers
@testable import ZooGrammar

/// Masks over the real Qwen vocabulary (151,643 byte-level BPE tokens and the special ids),
/// checked against the definition: a token is allowed iff its bytes, read one by one from the
/// state, keep the grammar alive.
final class TokenMaskTests: XCTestCase {
    static let tokenizer = Result { try BytePairTokenizer(contentsOf: Fixtures.qwenTiktoken) }
    static let vocabulary = Result { SamplingVocabulary(tokenizer: try tokenizer.get()) }
    let endOfText = 151643, imEnd = 151645

    private func vocabulary() throws -> SamplingVocabulary {
        guard FileManager.default.fileExists(atPath: Fixtures.qwenTiktoken.path) else {
            throw XCTSkip("the Qwen vocabulary is missing: run scripts/fetch_vocab.sh")
        }
        return try Self.vocabulary.get()
    }

    /// The mask after `prefix`, and the brute-force answer for every id.
    private func check(_ grammar: Grammar, after prefix: String, file: StaticString = #filePath, line: UInt = #line) throws -> TokenMask {
        let vocabulary = try vocabulary()
        let matcher = try GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
        let state = try XCTUnwrap(try matcher.advance(matcher.initialState, bytes: Array(prefix.utf8)), "prefix rejected", file: file, line: line)
        let mask = try matcher.mask(state)
        var reference = try PushdownAutomaton(grammar: grammar)
        let start = try reference.next(reference.initial, bytes: Array(prefix.utf8))
        let table = vocabulary.tokenBytes
        var expected = 0
        for id in 0..<vocabulary.count {
            guard let bytes = table[id], !bytes.isEmpty, !vocabulary.isSpecial(id) else {
                XCTAssertFalse(mask.contains(id), "id \(id) has no text or is special", file: file, line: line)
                continue
            }
            let allowed = try reference.next(start, bytes: bytes) >= 0
            if allowed { expected += 1 }
            if allowed != mask.contains(id) {
                XCTFail("id \(id) \(bytes): mask says \(mask.contains(id)), the definition \(allowed)", file: file, line: line)
                return mask
            }
        }
        XCTAssertEqual(mask.count, expected, file: file, line: line)
        return mask
    }

    func testJSONMasksEqualTheDefinitionInManyStates() throws {
        let json = try JSONGrammar.grammar()
        for prefix in ["", "{", "{\"a\": [1, ", "{\"name\": \"日", "[tru", "-0.5e", "\"\\u00", "[{\"k\": nul"] {
            _ = try check(json, after: prefix)
        }
        // String values with different continuations share one projected walk; each mask must
        // still equal the definition (the closing-quote tokens are checked against the real state).
        let schema = try JSONSchemaGrammar.grammar(jsonText: #"""
            {"type": "object", "properties": {"a": {"type": "string"},
             "b": {"type": "array", "items": {"type": "string", "maxLength": 3}}}, "required": ["a", "b"]}
            """#)
        for prefix in ["{\"a\": \"x", "{\"a\":\"\", \"b\": [\"ab", "{\"a\": \"q\", \"b\": [\"abc\""] {
            _ = try check(schema, after: prefix)
        }
    }

    func testTokensMayEndInsideAUTF8CharacterAndSpanSeveralTerminals() throws {
        let g = try Grammar(gbnf: #"root ::= "日本" [0-9]+ "語""#)
        let vocabulary = try vocabulary()
        let mask = try check(g, after: "")
        let first = Array("日".utf8)
        // The single byte 0xE6 (the first of 日's three) is a token of its own, and allowed.
        let lead = try XCTUnwrap(vocabulary.tokenBytes.firstIndex { $0 == [first[0]] })
        XCTAssertTrue(mask.contains(lead))
        _ = try check(g, after: "日本12")
        // Tokens spanning terminals of several rules: {" (object start, optional space, quote)
        // and ": (closing quote and colon).
        let object = try Grammar(gbnf: #"""
            root ::= "{" ws "\"" [a-z]+ "\":" ws [0-9] "}"
            ws ::= " "?
            """#)
        let open = try check(object, after: "")
        XCTAssertTrue(open.contains(try XCTUnwrap(vocabulary.tokenBytes.firstIndex { $0 == Array("{\"".utf8) })))
        let colon = try check(object, after: "{\"ab")
        XCTAssertTrue(colon.contains(try XCTUnwrap(vocabulary.tokenBytes.firstIndex { $0 == Array("\":".utf8) })))
    }

    func testSpecialTokensNeverAndStopIDsOnlyWhereComplete() throws {
        let vocabulary = try vocabulary()
        var stage = try ConstraintStages.stage("regex", options: ComponentOptions(["value": .string("(ab|<\\|im_end\\|>)+")]))
        try stage.bind(to: vocabulary, stopIDs: [endOfText, imEnd])
        var context = SamplingContext(prompt: [1], seed: 0)
        func allowed() throws -> Set<Int> {
            var candidates = try SamplerCandidates(logits: [Float](repeating: 0, count: vocabulary.count))
            try stage.apply(to: &candidates, context: &context)
            return Set(candidates.all.map { Int($0.id) })
        }
        var ids = try allowed()
        XCTAssertFalse(ids.contains(imEnd), "the special <|im_end|> is never constrained text, even where the text matches")
        XCTAssertFalse(ids.contains(endOfText), "no stop before the output is complete")
        let lt = try XCTUnwrap(vocabulary.tokenBytes.firstIndex { $0 == Array("<".utf8) })
        XCTAssertTrue(ids.contains(lt), "the text <|im_end|> is spelled with ordinary tokens")
        context.append(try XCTUnwrap(vocabulary.tokenBytes.firstIndex { $0 == Array("ab".utf8) }))
        ids = try allowed()
        XCTAssertTrue(ids.contains(endOfText) && ids.contains(imEnd), "complete: the stop ids are allowed")
        XCTAssertTrue(ids.contains(lt), "and the output may go on")
    }

    func testOnlyTheEndIsAllowedOnceTheGrammarCannotGoOn() throws {
        let vocabulary = try vocabulary()
        var stage = try ConstraintStages.stage("choice", options: ComponentOptions(["value": .list([.string("yes"), .string("no")])]))
        try stage.bind(to: vocabulary, stopIDs: [imEnd])
        var context = SamplingContext(prompt: [1], seed: 0)
        context.append(try XCTUnwrap(vocabulary.tokenBytes.firstIndex { $0 == Array("yes".utf8) }))
        var candidates = try SamplerCandidates(logits: [Float](repeating: 0, count: vocabulary.count))
        try stage.apply(to: &candidates, context: &context)
        XCTAssertEqual(candidates.all.map(\.id), [Int32(imEnd)])

        // Without a stop id the stage says so instead of sampling outside the grammar.
        try stage.bind(to: vocabulary, stopIDs: [])
        candidates = try SamplerCandidates(logits: [Float](repeating: 0, count: vocabulary.count))
        XCTAssertThrowsError(try stage.apply(to: &candidates, context: &context)) { error in
            XCTAssertTrue("\(error)".contains("no stop id"), "\(error)")
        }
    }

    func testAnEarlierStageThatRemovesEverythingIsAClearError() throws {
        let vocabulary = try vocabulary()
        var chain = try SamplerChain(stages: [SamplerStageSpec("top_k", value: 1), .choice(["zzzq"])], registry: registry())
        try chain.bind(to: vocabulary, stopIDs: [imEnd])
        var logits = [Float](repeating: 0, count: vocabulary.count)
        logits[0] = 5
        var context = SamplingContext(prompt: [1], seed: 0)
        XCTAssertThrowsError(try chain.next(logits: &logits, context: &context)) { error in
            XCTAssertTrue("\(error)".contains("earlier stage"), "\(error)")
        }
    }

    func testAGrammarThatAllowsNothingIsAClearError() throws {
        let vocabulary = try vocabulary()
        // A class of every character, negated: no text at all, and no end either.
        var stage = try ConstraintStages.stage("grammar", options: ComponentOptions(["value": .string(#"root ::= [^\x00-\U0010FFFF]"#)]))
        try stage.bind(to: vocabulary, stopIDs: [imEnd])
        var context = SamplingContext(prompt: [1], seed: 0)
        var candidates = try SamplerCandidates(logits: [Float](repeating: 0, count: vocabulary.count))
        XCTAssertThrowsError(try stage.apply(to: &candidates, context: &context)) { error in
            XCTAssertEqual("\(error)", "grammar: the grammar allows nothing after the start: no text can follow and the output is not complete")
        }
    }

    func testAnUnboundStageFailsInsteadOfSamplingFreely() throws {
        var chain = try SamplerChain(stages: [.json], registry: registry())
        var logits: [Float] = [0, 1, 2]
        var context = SamplingContext(prompt: [1], seed: 0)
        XCTAssertThrowsError(try chain.next(logits: &logits, context: &context)) { error in
            XCTAssertTrue("\(error)".contains("vocabulary"), "\(error)")
        }
    }

    private func registry() -> Registry<SamplerStageFactory> {
        let r = BuiltinSamplerStages.makeRegistry()
        ConstraintStages.register(into: r)
        return r
    }
}
