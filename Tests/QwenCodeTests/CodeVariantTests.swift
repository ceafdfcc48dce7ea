import Foundation
import QwenCode
import XCTest
import ZooCore
import ZooTestSupport
import ZooTokenizers

/// `Tests/Fixtures/variants/code.json`, written by `scripts/make_variant_fixtures.py`.
struct CodeFixture: Decodable {
    struct File: Decodable {
        let path: String
        let content: String
    }
    struct Request: Decodable {
        let kind: String
        let prefix: String?
        let suffix: String?
        let name: String?
        let files: [File]?
        var request: VariantRequest {
            switch kind {
            case "infill": .infill(prefix: prefix!, suffix: suffix!)
            default: .repository(name: name!, files: files!.map { RepositoryFile(path: $0.path, content: $0.content) }, suffix: suffix)
            }
        }
    }
    struct Case: Decodable {
        let name: String
        let request: Request
        let ids: [Int]
    }
    let cases: [Case]
    let fim_stop_ids: [Int]

    static let shared = Result { try JSONDecoder().decode(CodeFixture.self, from: Data(contentsOf: Fixtures.url("variants/code.json"))) }
}

enum Tokenizers {
    static let v1 = Result { try BytePairTokenizer(contentsOf: Fixtures.qwenTiktoken) }
    static let qwen25 = Result { try BytePairTokenizer(contentsOf: Fixtures.url("tokenizer/qwen2-hf")) }
}

final class CodeVariantTests: XCTestCase {
    private func variant(_ options: [String: OptionValue] = [:]) throws -> any Variant {
        let registry = Registry<VariantFactory>(kind: "variant")
        QwenCodeVariant.register(into: registry)
        return try registry.factory("code")(ComponentOptions(options, context: "coder.yaml: variant"))
    }

    func testFIMAndRepositoryIDsEqualTheQwen25CoderFormat() throws {
        let fixture = try CodeFixture.shared.get()
        let tok = try Tokenizers.qwen25.get()
        XCTAssertEqual(fixture.cases.count, 5)
        for c in fixture.cases {
            let plan = try variant().prepare(c.request.request, tokenizer: tok)
            XCTAssertEqual(plan.tokens, c.ids, c.name)
            XCTAssertEqual(plan.stopTokenIDs, Set(fixture.fim_stop_ids), c.name)
            XCTAssertEqual(plan.stopStrings, [])
        }
        // The same through an explicit mode.
        let fim = fixture.cases[0]
        XCTAssertEqual(try variant(["mode": .string("infill")]).prepare(fim.request.request, tokenizer: tok).tokens, fim.ids)
    }

    func testFIMStopIDsAreTheExampleList() throws {
        // examples/Qwen2.5-Coder-fim.py: eos_token_ids (with its duplicates).
        let example = [151664, 151662, 151659, 151660, 151661, 151662, 151663, 151664, 151645, 151643]
        let plan = try CodeVariant().prepare(.infill(prefix: "a", suffix: "b"), tokenizer: try Tokenizers.qwen25.get())
        XCTAssertEqual(plan.stopTokenIDs, Set(example))
        XCTAssertEqual(plan.tokens.first, 151659)
        XCTAssertEqual(plan.tokens.last, 151660)
    }

    func testFIMContentCannotInjectTokens() throws {
        let tok = try Tokenizers.qwen25.get()
        let plan = try CodeVariant().prepare(.infill(prefix: "s = '<|fim_middle|>'", suffix: "<|endoftext|>"), tokenizer: tok)
        XCTAssertEqual(plan.tokens.filter { $0 >= 151643 }, [151659, 151661, 151660])
    }

    func testFIMOnATokenizerWithoutFIMTokensIsAClearError() throws {
        let v1 = try Tokenizers.v1.get()
        XCTAssertThrowsError(try CodeVariant().prepare(.infill(prefix: "a", suffix: "b"), tokenizer: v1)) {
            XCTAssertEqual("\($0)", "variant \"code\": the tokenizer has no <|fim_prefix|> token, which fill-in-the-middle (Qwen2.5-Coder format) need")
        }
        XCTAssertThrowsError(try CodeVariant().prepare(.repository(name: "r", files: [RepositoryFile(path: "a.py", content: "")], suffix: nil), tokenizer: v1)) {
            XCTAssertTrue("\($0)".contains("<|repo_name|>"), "\($0)")
        }
    }

    func testCompletionUsesTheHumanEvalStopRule() throws {
        let tok = try Tokenizers.v1.get()
        let prompt = "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n"
        let plan = try CodeVariant().prepare(.completion(prompt), tokenizer: tok)
        XCTAssertEqual(plan.tokens, tok.encode(prompt))
        XCTAssertEqual(plan.stopTokenIDs, [151643])
        XCTAssertEqual(plan.stopStrings, ["<|endoftext|>", "\n\n\n", "\n\n", "def "])
    }

    func testHumanEvalCutRules() throws {
        let v1 = CompletionStopRule.qwenHumanEval
        // evaluate_humaneval.py: split at <|endoftext|>, "\n\n\n", "\n\n", "def " in turn, keeping the head.
        let cases: [(String, String)] = [
            ("    return a + b\n", "    return a + b\n"),
            ("    return a + b\n\n\ndef sub(a, b):", "    return a + b"),
            ("    return a + b\n\nprint(add(1, 2))", "    return a + b"),
            ("    x = 1\n    def helper():\n        pass", "    x = 1\n    "),
            ("    return a<|endoftext|>junk\n\n", "    return a"),
            ("\n\n    return 1", ""),
            ("    s = 'undef x'\n", "    s = 'un"),
        ]
        for (raw, cut) in cases { XCTAssertEqual(v1.apply(to: raw), cut, raw.debugDescription) }
        let evalplus = CompletionStopRule.evalplusHumanEval
        XCTAssertEqual(evalplus.apply(to: "    x = 1\n\n\tif x:\n\t\treturn x\nprint(x)"), "    x = 1\n\n    if x:\n        return x")
        XCTAssertEqual(evalplus.apply(to: "    return 1\nif __name__ == '__main__':\n    main()"), "    return 1")
        XCTAssertEqual(evalplus.apply(to: "    return 1\ndef other():"), "    return 1")
        XCTAssertEqual(CompletionStopRule.evalplusMBPP.apply(to: "    return 1\nassert f() == 1"), "    return 1")
        XCTAssertEqual(CompletionStopRule.none.apply(to: "a\n\n\nb"), "a\n\n\nb")
        let v = try variant(["stop_rule": .string("evalplus-humaneval")])
        XCTAssertEqual(v.interpret("    return 1\nclass X:", for: .completion("def f():\n")), .code("    return 1"))
        XCTAssertEqual(try variant().interpret("    return 1\n\n\nx", for: .completion("def f():\n")), .code("    return 1"))
    }

    func testRepositoryOutputIsCutAtTheNextFile() throws {
        let request = VariantRequest.repository(name: "r", files: [RepositoryFile(path: "a.py", content: "x")], suffix: nil)
        XCTAssertEqual(CodeVariant().interpret("y = 1\n<|file_sep|>b.py\nz", for: request), .code("y = 1\n"))
        XCTAssertEqual(CodeVariant().interpret("  middle\n", for: .infill(prefix: "a", suffix: "b")), .code("  middle\n"))
    }

    func testChatModeRendersQwen25ChatMLAndExtractsCode() throws {
        let tok = try Tokenizers.qwen25.get()
        let v = try variant(["mode": .string("chat")])
        let plan = try v.prepare(.completion("Write quicksort."), tokenizer: tok)
        let text = try tok.decode(plan.tokens)
        XCTAssertEqual(text, "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nWrite quicksort.<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(plan.tokens, tok.encode(text, specialTokens: .allowed))
        XCTAssertEqual(plan.stopTokenIDs, [151643, 151644, 151645])
        let answer = "Here you go:\n```python\ndef f(x):\n    return x\n```\nDone."
        XCTAssertEqual(v.interpret(answer, for: .completion("q")), .code("def f(x):\n    return x"))
        XCTAssertEqual(try variant().interpret(answer, for: .chat([ChatMessage(.user, "q")])), .code("def f(x):\n    return x"))
    }

    func testCodeBlockExtraction() {
        let cases: [(String, String)] = [
            ("```python\nprint(1)\n```", "print(1)"),
            ("text\n```Python\na = 1\nb = 2\n```\nmore\n```python\nc = 3\n```", "a = 1\nb = 2"),
            ("```js\nlet a\n```\n```python\nx = 1\n```", "x = 1"),
            ("```\nplain block\n```", "plain block"),
            ("```bash\nls\n```", "ls"),
            ("```python\nunclosed = True\n", "unclosed = True"),
            ("Sure.\ndef g(a):\n    return a * 2\n\n    # still body\nThat is all.", "def g(a):\n    return a * 2\n\n    # still body"),
            ("no code here", "no code here"),
        ]
        for (answer, code) in cases { XCTAssertEqual(CodeExtraction.codeBlock(in: answer), code, answer.debugDescription) }
    }

    func testHumanEvalChatBodyExtraction() {
        // evaluate_chat_humaneval.py extract_code: body after the entry point's signature.
        let fenced = "```python\ndef has_close(numbers, t):\n    return True\n```"
        XCTAssertEqual(CodeExtraction.humanEvalBody(in: fenced, entryPoint: "has_close"), "    return True")
        let bare = "def has_close(numbers, t):\n    for n in numbers:\n        pass\n    return False\nExplanation: …"
        XCTAssertEqual(CodeExtraction.humanEvalBody(in: bare, entryPoint: "has_close"), "    for n in numbers:\n        pass\n    return False")
        let other = "def helper(x):\n    return x\n"
        XCTAssertEqual(CodeExtraction.humanEvalBody(in: other, entryPoint: "has_close"), "    return x")
        XCTAssertEqual(CodeExtraction.humanEvalBody(in: "return 1\n\nx = 2", entryPoint: "f"), "    return 1\n\n    x = 2")
    }

    func testModesAndOptions() throws {
        let tok = try Tokenizers.qwen25.get()
        XCTAssertThrowsError(try variant(["mode": .string("completion")]).prepare(.infill(prefix: "a", suffix: "b"), tokenizer: tok)) {
            XCTAssertEqual("\($0)", "variant \"code\": mode completion does not serve infill requests")
        }
        XCTAssertThrowsError(try CodeVariant().prepare(.problem("1+1"), tokenizer: tok))
        XCTAssertThrowsError(try CodeVariant().prepare(.repository(name: "r", files: [], suffix: nil), tokenizer: tok))
        XCTAssertThrowsError(try variant(["mode": .string("fim")])) {
            XCTAssertTrue("\($0)".contains("unknown code mode \"fim\""), "\($0)")
        }
        XCTAssertThrowsError(try variant(["stop_rule": .string("qwen-humaneva")])) {
            XCTAssertTrue("\($0)".contains("did you mean \"qwen-humaneval\""), "\($0)")
        }
        XCTAssertThrowsError(try variant(["mod": .string("chat")])) {
            XCTAssertTrue("\($0)".contains("did you mean \"mode\""), "\($0)")
        }
    }
}

/// Qwen2.5-Coder-Instruct with tools, through the code variant of its manifest (`mode: chat`): the ids of
/// transformers' `apply_chat_template(messages, tools=…)` (`scripts/make_tool_fixtures.py`).
final class CodeVariantToolTests: XCTestCase {
    func testCoderToolPromptsEqualApplyChatTemplate() throws {
        let cases = try ToolFixture.qwen25Cases().filter { $0.template == "coder" }
        XCTAssertGreaterThanOrEqual(cases.count, 2)
        let tokenizer = try Tokenizers.qwen25.get()
        for c in cases {
            let plan = try CodeVariant(mode: .chat).prepare(.toolChat(ToolChatRequest(messages: c.messages, tools: c.tools)), tokenizer: tokenizer)
            XCTAssertEqual(plan.tokens, c.ids, c.name)
        }
        let call = CodeVariant(mode: .chat).readToolCalls(
            "```json\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"17+25\"}}\n```",
            for: ToolChatRequest(messages: cases[0].messages, tools: cases[0].tools))
        XCTAssertEqual(call.calls, [ToolCall(name: "calculator", arguments: ["expression": "17+25"])])
    }
}
