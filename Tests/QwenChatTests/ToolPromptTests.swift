import Foundation
import QwenChat
import XCTest
import ZooCore
import ZooTestSupport

final class ToolPromptTests: XCTestCase {
    func testQwen25ToolPromptsEqualApplyChatTemplate() throws {
        let cases = try ToolFixture.qwen25Cases()
        XCTAssertGreaterThanOrEqual(cases.count, 15)
        XCTAssertEqual(Set(cases.map(\.template)), ["instruct", "coder", "math"])
        let tokenizer = try Tokenizers.qwen25.get()
        for c in cases {
            // Coder-Instruct shares Instruct's template; Math-Instruct's differs only in its default system prompt.
            let variant = ChatVariant(format: .qwen25, system: c.template == "math" ? c.defaultSystem : nil)
            let plan = try variant.prepare(.toolChat(ToolChatRequest(messages: c.messages, tools: c.tools)), tokenizer: tokenizer)
            XCTAssertEqual(plan.tokens, c.ids, c.name)
            if plan.tokens != c.ids { print("\(c.name): ours\n\(try tokenizer.decode(plan.tokens))") }
            if c.tools.isEmpty {
                XCTAssertEqual(try variant.prepare(.chat(c.messages), tokenizer: tokenizer).tokens, c.ids, "\(c.name) as .chat")
            }
        }
    }

    func testForcedCallOpensTheBlockAfterTheGenerationPrompt() throws {
        let tokenizer = try Tokenizers.qwen25.get()
        let tool = ToolDefinition(name: "calc", parameters: ["type": "object", "properties": ["e": ["type": "string"]]])
        let messages = [ChatMessage(.user, "2+2?")]
        let auto = try ChatVariant().prepare(.toolChat(ToolChatRequest(messages: messages, tools: [tool])), tokenizer: tokenizer)
        for choice in [ToolChoice.required, .function("calc")] {
            let forced = try ChatVariant().prepare(
                .toolChat(ToolChatRequest(messages: messages, tools: [tool], toolChoice: choice)), tokenizer: tokenizer)
            XCTAssertEqual(forced.tokens, auto.tokens + [151657] + tokenizer.encode("\n"), "\(choice)")
        }
        // tool_choice none: the tools are not shown.
        let none = try ChatVariant().prepare(
            .toolChat(ToolChatRequest(messages: messages, tools: [tool], toolChoice: .none)), tokenizer: tokenizer)
        XCTAssertEqual(none.tokens, try ChatVariant().prepare(.chat(messages), tokenizer: tokenizer).tokens)
        XCTAssertThrowsError(try ChatVariant(format: .qwen2).prepare(
            .toolChat(ToolChatRequest(messages: messages, tools: [tool])), tokenizer: tokenizer))
    }

    /// The history budget drops whole turns (a user message and the calls and results after it), oldest first:
    /// what is left equals the conversation rendered without those turns.
    func testHistoryBudgetDropsWholeToolTurns() throws {
        let tokenizer = try Tokenizers.qwen25.get()
        let c = try XCTUnwrap(ToolFixture.qwen25Cases().first { $0.name == "multi-round" })
        let firstUser = try XCTUnwrap(c.messages.firstIndex { $0.role == .user })
        let secondUser = try XCTUnwrap(c.messages.lastIndex { $0.role == .user })
        let kept = Array(c.messages[..<firstUser]) + Array(c.messages[secondUser...])
        let full = try ChatVariant().prepare(.toolChat(ToolChatRequest(messages: c.messages, tools: c.tools)), tokenizer: tokenizer)
        let short = try ChatVariant().prepare(.toolChat(ToolChatRequest(messages: kept, tools: c.tools)), tokenizer: tokenizer)
        XCTAssertLessThan(short.tokens.count, full.tokens.count)
        let budget = ChatVariant(historyBudget: 1)  // no earlier turn fits; the system block and the last turn stay
        XCTAssertEqual(try budget.prepare(.toolChat(ToolChatRequest(messages: c.messages, tools: c.tools)), tokenizer: tokenizer).tokens,
                       short.tokens)
    }

    func testV1ReActStringsAreTheReference() throws {
        let v1 = try XCTUnwrap(ToolFixture.shared.get()["v1"])
        XCTAssertEqual(QwenV1ReAct.toolDescription, v1["tool_desc"]?.stringValue)
        XCTAssertEqual(QwenV1ReAct.instruction, v1["react_instruction"]?.stringValue)
        XCTAssertEqual(QwenV1ReAct.stopWord, v1["stop_word"]?.stringValue)
    }

    func testV1ReActPromptsEqualOpenAIAPI() throws {
        let v1 = try XCTUnwrap(ToolFixture.shared.get()["v1"])
        let tokenizer = try Tokenizers.v1.get()
        let cases = try XCTUnwrap(v1["cases"]?.arrayValue)
        XCTAssertGreaterThanOrEqual(cases.count, 6)
        for c in cases {
            let name = try XCTUnwrap(c["name"]?.stringValue)
            let tools = try XCTUnwrap(c["functions"]?.arrayValue).map { try ToolDefinition(json: $0) }
            let messages = try XCTUnwrap(c["messages"]?.arrayValue).map(ToolFixture.message)
            let expected = try XCTUnwrap(c["ids"]?.arrayValue).compactMap { $0.doubleValue.map { Int($0) } }
            let plan = try ChatVariant(format: .v1).prepare(.toolChat(ToolChatRequest(messages: messages, tools: tools)), tokenizer: tokenizer)
            XCTAssertEqual(plan.tokens, expected, name)
            if plan.tokens != expected { print("\(name): ours\n\(try tokenizer.decode(plan.tokens))") }
            XCTAssertEqual(plan.stopStrings, ["Observation:"], name)
        }
    }

    func testV1ReActResponsesReadAsParseResponse() throws {
        let v1 = try XCTUnwrap(ToolFixture.shared.get()["v1"])
        for r in try XCTUnwrap(v1["responses"]?.arrayValue) {
            let response = try XCTUnwrap(r["response"]?.stringValue)
            let reading = QwenV1ReAct.read(response)
            XCTAssertEqual(reading.content, r["content"]?.stringValue, response)
            if let call = r["function_call"], call != .null {
                let args = try XCTUnwrap(call["arguments"]?.stringValue)
                XCTAssertEqual(reading.calls, [ToolCall(name: try XCTUnwrap(call["name"]?.stringValue),
                                                        arguments: (try? JSONValue(parsing: args)) ?? .string(args))], response)
            } else {
                XCTAssertEqual(reading.calls, [], response)
            }
        }
    }
}
