import XCTest
import ZooCore
import ZooSamplers
import ZooTestSupport
import ZooTokenizers
@testable import ZooGrammar

/// The fast masks (token trie, projections, byte classes, self-loop skips, caches) against the
/// definition (``GrammarMatcher/referenceMask(_:)``: every token's bytes read from the state) on
/// random grammars and schemas over the real Qwen vocabulary, at every state of random outputs.
final class MaskReferenceTests: XCTestCase {
    private func vocabulary() throws -> SamplingVocabulary {
        guard FileManager.default.fileExists(atPath: Fixtures.qwenTiktoken.path) else {
            throw XCTSkip("the Qwen vocabulary is missing: run scripts/fetch_vocab.sh")
        }
        return try TokenMaskTests.vocabulary.get()
    }

    /// Walks `steps` random tokens through `grammar`, comparing the fast mask with the reference
    /// at each state (the first request: every cache cold), then the same states again (warm).
    private func compare(_ grammar: Grammar, _ what: String, seed: UInt64, steps: Int) throws {
        let vocabulary = try vocabulary()
        let matcher = try GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
        var random = SeededRandom(seed: seed)
        var state = matcher.initialState
        var visited: [GrammarMatcher.State] = []
        for step in 0..<steps {
            let mask = try matcher.mask(state)
            let reference = try matcher.referenceMask(state)
            guard mask == reference else {
                let extra = (0..<vocabulary.count).filter { mask.contains($0) != reference.contains($0) }.prefix(5)
                XCTFail("\(what) step \(step): mask \(mask.count) ids, reference \(reference.count); differ at \(Array(extra))")
                return
            }
            visited.append(state)
            guard mask.count > 0, matcher.canContinue(state) else { break }
            let ids = (0..<vocabulary.count).filter { mask.contains($0) }
            let id = ids[Int(random.next() % UInt64(ids.count))]
            state = try XCTUnwrap(try matcher.advance(state, bytes: vocabulary.tokenBytes[id]!), "\(what): allowed token \(id) rejected")
        }
        for s in visited {
            XCTAssertEqual(try matcher.mask(s), try matcher.referenceMask(s), "\(what): a cached mask changed")
        }
    }

    func testRandomGBNFGrammars() throws {
        for seed in 0..<6 as Range<UInt64> {
            var random = SeededRandom(seed: 100 + seed)
            let text = Self.randomGBNF(&random)
            let grammar = try Grammar(gbnf: text, source: "random-\(seed)")
            try compare(grammar, "grammar \(seed):\n\(text)", seed: seed, steps: 12)
        }
    }

    func testRandomSchemasAndJSON() throws {
        try compare(try JSONGrammar.grammar(), "json", seed: 7, steps: 24)
        for seed in 0..<4 as Range<UInt64> {
            var random = SeededRandom(seed: 200 + seed)
            let schema = Self.randomSchema(&random, depth: 0)
            let grammar = try JSONSchemaGrammar.grammar(jsonText: schema, source: "random-schema-\(seed)")
            try compare(grammar, "schema \(seed): \(schema)", seed: seed, steps: 24)
        }
    }

    /// States that differ only in a bounded repetition's count share a walk (only tokens as long as
    /// the count are walked again): a `maxLength` 200 string at counts left far above, just above,
    /// at and below the longest token's length (128 bytes), visited from high to low (each derived
    /// from a higher one) and, on a fresh matcher, from low to high; a `date-time`, whose
    /// fraction digits are a bounded repetition too; and an array of `maxItems` 60, whose items
    /// (at least 4 bytes with the comma) let a count reach further than one byte a count.
    func testSharedRepetitionCountsMatchTheDefinition() throws {
        let vocabulary = try vocabulary()
        let schema = #"{"type": "object", "properties": {"a": {"type": "string", "maxLength": 200}, "d": {"type": "string", "format": "date-time"}, "t": {"type": "array", "items": {"type": "string", "maxLength": 3}, "maxItems": 60}}, "required": ["a", "d", "t"]}"#
        let grammar = try JSONSchemaGrammar.grammar(jsonText: schema, source: "shared-counts")
        let longest = vocabulary.tokenBytes.enumerated().filter { !vocabulary.isSpecial($0.offset) }.compactMap { $0.element?.count }.max()!
        let left = [200, longest + 3, longest + 2, longest + 1, longest, longest - 1, 60, 7, 2, 1, 0]
        func check(_ matcher: GrammarMatcher, _ text: String, _ what: String) throws {
            let state = try XCTUnwrap(try matcher.advance(matcher.initialState, bytes: Array(text.utf8)), what)
            let mask = try matcher.mask(state)
            let reference = try matcher.referenceMask(state)
            XCTAssertTrue(mask == reference, "\(what): mask \(mask.count) ids, reference \(reference.count)")
        }
        for order in [left, left.reversed()] {
            let matcher = try GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
            for n in order {
                try check(matcher, #"{"a": ""# + String(repeating: "x", count: 200 - n), "\(n) characters left")
            }
            for fraction in ["", ".", ".1", ".123", ".12345", ".123456"] {
                try check(matcher, #"{"a": "ab", "d": "2024-01-29T12:30:45"# + fraction, "date-time \(fraction)")
            }
            for items in (order == left ? [1, 20, 45, 55, 58, 59, 60] : [60, 58, 45, 1]) {
                let array = #"{"a": "", "d": "2024-01-29T12:30:45Z", "t": ["# + Array(repeating: #""ab""#, count: items).joined(separator: ",")
                try check(matcher, array, "\(items) items")
                if items < 60 { try check(matcher, array + #", "x"#, "inside item \(items + 1)") }
            }
        }
    }

    // MARK: - Random inputs

    private static func pick<T>(_ options: [T], _ random: inout SeededRandom) -> T {
        options[Int(random.next() % UInt64(options.count))]
    }

    /// A GBNF grammar of a few rules: literals with quotes, spaces and multi-byte characters,
    /// plain and negated classes, repetitions (`*`, `+`, `?`, `{m,n}`), groups, and references to
    /// later rules (so no rule is left-recursive).
    static func randomGBNF(_ random: inout SeededRandom) -> String {
        let rules = 4
        var lines: [String] = []
        for r in 0..<rules {
            var alternatives: [String] = []
            for _ in 0..<(1 + Int(random.next() % 3)) {
                var items: [String] = []
                for _ in 0..<(1 + Int(random.next() % 3)) {
                    var item: String
                    switch random.next() % 6 {
                    case 0: item = pick([#""a""#, #"" ""#, #""\"""#, #""{\"""#, #""日本""#, #""ab""#, #""the""#, #""x,""#], &random)
                    case 1: item = pick(["[a-z]", "[0-9]", "[^\"\\\\]", "[ -~]", "[ぁ-ゟ]", "[^a-z]", "."], &random)
                    case 2 where r + 1 < rules: item = "r\(r + 1 + Int(random.next() % UInt64(rules - r - 1)))"
                    default: item = pick(["[a-z]", #""-""#, #""e""#], &random)
                    }
                    switch random.next() % 5 {
                    case 0: item += "*"
                    case 1: item += "+"
                    case 2: item += "?"
                    case 3: item = "(\(item) \(pick(["[0-9]", #""_""#], &random))){0,\(1 + random.next() % 6)}"
                    default: break
                    }
                    items.append(item)
                }
                alternatives.append(items.joined(separator: " "))
            }
            lines.append("\(r == 0 ? "root" : "r\(r)") ::= " + alternatives.joined(separator: " | "))
        }
        return lines.joined(separator: "\n")
    }

    /// An object schema with strings (bounded and not), bounded integers, numbers, enums, arrays
    /// and nested objects.
    static func randomSchema(_ random: inout SeededRandom, depth: Int) -> String {
        var properties: [String] = []
        var names: [String] = []
        for p in 0..<(2 + Int(random.next() % 4)) {
            let name = "p\(p)"
            names.append("\"\(name)\"")
            let type: String
            switch random.next() % (depth < 2 ? 7 : 6) {
            case 0: type = #"{"type": "string", "maxLength": \#(1 + random.next() % 20)}"#
            case 1: type = #"{"type": "string"}"#
            case 2: type = #"{"type": "integer", "minimum": -5, "maximum": \#(random.next() % 1000)}"#
            case 3: type = #"{"type": "number"}"#
            case 4: type = #"{"enum": ["red", "green", 3, null]}"#
            case 5: type = #"{"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 3}"#
            default: type = randomSchema(&random, depth: depth + 1)
            }
            properties.append("\"\(name)\": \(type)")
        }
        return #"{"type": "object", "properties": {\#(properties.joined(separator: ", "))}, "required": [\#(names.joined(separator: ", "))]}"#
    }
}
