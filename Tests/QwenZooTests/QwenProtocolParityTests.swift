import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Each `--protocol`'s prompts and answer decisions against QwenLM/Qwen's scripts, item for item, on the
/// synthetic inputs of `Tests/Fixtures/eval/qwen-protocols.json` (written by scripts/make_protocol_fixtures.py,
/// a line-by-line re-statement of the scripts, checked against their text when it runs).
final class QwenProtocolParityTests: XCTestCase {
    private struct Row: Decodable {
        let question: String, A: String, B: String, C: String, D: String, answer: String
        var choiceRow: ChoiceRow { ChoiceRow(question: question, choices: [A, B, C, D], answer: answer) }
    }
    private struct Fixture: Decodable {
        struct GSM8KPrompt: Decodable { let question: String, prompt: String }
        struct GSM8K: Decodable { let completion: String, answer: String, cut: String, extracted: String?, correct: Bool }
        struct ChatGSM8K: Decodable { let completion: String, answer: String, extracted: String?, correct: Bool }
        struct Cut: Decodable { let completion: String, cut: String }
        struct ChatHumanEvalPrompt: Decodable { let prompt: String, entry_point: String, chat_prompt: String }
        struct ChatHumanEval: Decodable { let text: String, entry_point: String, code: String }
        struct ChoicePrompt: Decodable { let subject: String?, dev: [Row], row: Row, prompt: String }
        struct ChatChoicePrompt: Decodable { let row: Row, prompt: String }
        struct ChatChoice: Decodable { let response: String, row: Row, pred: String?, fuzzy: Bool }
        let gsm8k_prompts: [GSM8KPrompt], gsm8k: [GSM8K], chat_gsm8k: [ChatGSM8K], humaneval: [Cut]
        let chat_humaneval_prompts: [ChatHumanEvalPrompt], chat_humaneval: [ChatHumanEval]
        let mmlu_prompts: [ChoicePrompt], ceval_prompts: [ChoicePrompt], cmmlu_prompts: [ChoicePrompt]
        let chat_mmlu_prompts: [ChatChoicePrompt], chat_mmlu: [ChatChoice]
        let chat_ceval_prompts: [ChatChoicePrompt], chat_ceval: [ChatChoice]
    }

    private static let fixture: Fixture = try! JSONDecoder().decode(
        Fixture.self, from: Data(contentsOf: Fixtures.url("eval/qwen-protocols.json")))

    func testGSM8KPromptsAreByteEqual() {
        for item in Self.fixture.gsm8k_prompts {
            XCTAssertEqual(Array(QwenGSM8K.prompt(question: item.question).utf8), Array(item.prompt.utf8), item.question)
        }
    }

    /// qwen-gsm8k: the cut, the extracted integer and the correctness of 600 synthetic completions.
    func testGSM8KDecisionsAgreeItemForItem() {
        let items = Self.fixture.gsm8k
        XCTAssertGreaterThanOrEqual(items.count, 500)
        for (i, item) in items.enumerated() {
            let cut = QwenGSM8K.cut(item.completion)
            XCTAssertEqual(cut, item.cut, "item \(i): \(item.completion.debugDescription)")
            XCTAssertEqual(QwenGSM8K.extract(cut), item.extracted, "item \(i): \(cut.debugDescription)")
            XCTAssertEqual(QwenGSM8K.isCorrect(cut, solution: item.answer), item.correct, "item \(i): \(cut.debugDescription) vs \(item.answer)")
        }
    }

    /// qwen-chat-gsm8k: the last number and the isclose verdict of 600 synthetic replies.
    func testChatGSM8KDecisionsAgreeItemForItem() {
        let items = Self.fixture.chat_gsm8k
        XCTAssertGreaterThanOrEqual(items.count, 500)
        for (i, item) in items.enumerated() {
            XCTAssertEqual(QwenChatGSM8K.extract(item.completion), item.extracted, "item \(i): \(item.completion.debugDescription)")
            XCTAssertEqual(QwenChatGSM8K.isCorrect(item.completion, solution: item.answer), item.correct,
                           "item \(i): \(item.completion.debugDescription) vs \(item.answer)")
        }
    }

    /// qwen-humaneval: the cut of 600 synthetic completions.
    func testHumanEvalCutsAgreeItemForItem() {
        XCTAssertGreaterThanOrEqual(Self.fixture.humaneval.count, 500)
        for (i, item) in Self.fixture.humaneval.enumerated() {
            XCTAssertEqual(QwenHumanEval.cut(item.completion), item.cut, "item \(i): \(item.completion.debugDescription)")
        }
    }

    /// qwen-chat-humaneval: the prompts, and the code `extract_code` keeps of 600 synthetic replies.
    func testChatHumanEvalAgreesItemForItem() {
        for item in Self.fixture.chat_humaneval_prompts {
            XCTAssertEqual(QwenHumanEval.chatPrompt(prompt: item.prompt, entryPoint: item.entry_point), item.chat_prompt)
        }
        XCTAssertGreaterThanOrEqual(Self.fixture.chat_humaneval.count, 500)
        for (i, item) in Self.fixture.chat_humaneval.enumerated() {
            XCTAssertEqual(QwenHumanEval.extractCode(item.text, entryPoint: item.entry_point), item.code,
                           "item \(i): \(item.text.debugDescription)")
        }
    }

    /// qwen-mmlu, qwen-ceval, qwen-cmmlu: the 5-shot prompts.
    func testChoicePromptsAreByteEqual() {
        for item in Self.fixture.mmlu_prompts {
            let prompt = QwenMultipleChoice.prompt(item.row.choiceRow, dev: item.dev.map(\.choiceRow), subject: item.subject!, style: .mmlu)
            XCTAssertEqual(Array(prompt.utf8), Array(item.prompt.utf8))
        }
        for item in Self.fixture.ceval_prompts + Self.fixture.cmmlu_prompts {
            let prompt = QwenMultipleChoice.prompt(item.row.choiceRow, dev: item.dev.map(\.choiceRow), subject: "", style: .chinese)
            XCTAssertEqual(Array(prompt.utf8), Array(item.prompt.utf8))
        }
        for item in Self.fixture.chat_mmlu_prompts {
            XCTAssertEqual(QwenMultipleChoice.chatPrompt(item.row.choiceRow), item.prompt)
        }
    }

    /// The letters a chat protocol reads agree item for item; the replies the script sends to thefuzz are
    /// unanswered here, and must be exactly those.
    private func assertLettersAgree(_ items: [Fixture.ChatChoice], _ answer: (String, ChoiceRow) -> String?) {
        XCTAssertGreaterThanOrEqual(items.filter { !$0.fuzzy }.count, 500)
        for (i, item) in items.enumerated() {
            XCTAssertEqual(answer(item.response, item.row.choiceRow), item.pred,
                           "item \(i): \(item.response.debugDescription) with \(item.row.choiceRow)")
        }
    }

    /// qwen-chat-mmlu: the letter read from 800 synthetic replies.
    func testChatMMLUDecisionsAgreeItemForItem() {
        assertLettersAgree(Self.fixture.chat_mmlu) { QwenMultipleChoice.chatAnswer($0, row: $1) }
    }

    /// qwen-chat-ceval: the prompts, and the letter read from 800 synthetic Chinese replies.
    func testChatCEvalAgreesItemForItem() {
        for item in Self.fixture.chat_ceval_prompts {
            XCTAssertEqual(QwenChatCEval.prompt(item.row.choiceRow), item.prompt)
        }
        assertLettersAgree(Self.fixture.chat_ceval) { QwenChatCEval.answer($0, row: $1) }
    }

    /// The scripts put the entry point into their patterns unescaped; one that is no pattern makes Python
    /// raise, and here gives no chat prompt (an error for that item) and skips the patterns that use it.
    func testEntryPointThatIsNoPatternDoesNotCrash() {
        XCTAssertNil(QwenHumanEval.chatPrompt(prompt: "def f(x):\n    \"\"\"Doc.\"\"\"\n", entryPoint: "f("))
        XCTAssertEqual(QwenHumanEval.extractCode("def g(x):\n    return x\n", entryPoint: "f("), "    return x")
    }
}
