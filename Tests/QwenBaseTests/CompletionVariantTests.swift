import QwenBase
import XCTest
import ZooCore
import ZooTestSupport
import ZooTokenizers

enum Tokenizers {
    static let v1 = Result { try BytePairTokenizer(contentsOf: Fixtures.qwenTiktoken) }
    static let qwen25 = Result { try BytePairTokenizer(contentsOf: Fixtures.url("tokenizer/qwen2-hf")) }
}

final class CompletionVariantTests: XCTestCase {
    private func variant(_ options: [String: OptionValue] = [:]) throws -> any Variant {
        let registry = Registry<VariantFactory>(kind: "variant")
        QwenBaseVariant.register(into: registry)
        XCTAssertEqual(registry.names, ["base"])
        return try registry.factory("base")(ComponentOptions(options, context: "base.yaml: variant"))
    }

    func testPromptIsThePlainTextEncoding() throws {
        for tok in [try Tokenizers.v1.get(), try Tokenizers.qwen25.get()] {
            let plan = try variant().prepare(.completion("Hello, world! 123"), tokenizer: tok)
            XCTAssertEqual(plan.tokens, [9707, 11, 1879, 0, 220, 16, 17, 18])  // qwen-spec.md §3.5
            XCTAssertEqual(plan.stopTokenIDs, [151643])
            XCTAssertEqual(plan.stopStrings, [])
        }
    }

    func testSpecialTokenStringsStayText() throws {
        // qwen-spec.md §3.4: print("<|endoftext|>") in text mode.
        let plan = try variant().prepare(.completion("print(\"<|endoftext|>\")"), tokenizer: try Tokenizers.v1.get())
        XCTAssertEqual(plan.tokens, [1350, 9639, 91, 8691, 723, 427, 91, 82598])
    }

    func testStopStrings() throws {
        let v = try variant(["stop_strings": .list([.string("Human:"), .string("\n\n")])])
        let plan = try v.prepare(.completion("Q"), tokenizer: try Tokenizers.qwen25.get())
        XCTAssertEqual(plan.stopStrings, ["Human:", "\n\n"])
        XCTAssertEqual(v.interpret("an answer\n\nmore", for: .completion("Q")), .text("an answer"))
        XCTAssertEqual(v.interpret("plain", for: .completion("Q")), .text("plain"))
        XCTAssertEqual(v.samplesPerRequest, 1)
    }

    func testErrors() throws {
        XCTAssertThrowsError(try variant().prepare(.chat([ChatMessage(.user, "hi")]), tokenizer: try Tokenizers.qwen25.get())) {
            XCTAssertTrue("\($0)".hasPrefix("variant \"base\": "), "\($0)")
            XCTAssertTrue("\($0)".contains("chat requests"), "\($0)")
        }
        XCTAssertThrowsError(try variant(["stop_string": .list([])])) {
            XCTAssertTrue("\($0)".contains("did you mean \"stop_strings\""), "\($0)")
        }
        XCTAssertThrowsError(try variant(["stop_strings": .string("x")])) {
            XCTAssertTrue("\($0)".contains("expected a list"), "\($0)")
        }
        XCTAssertThrowsError(try variant(["stop_strings": .list([.number(3)])])) {
            XCTAssertTrue("\($0)".contains("stop_strings[0]"), "\($0)")
        }
    }
}
