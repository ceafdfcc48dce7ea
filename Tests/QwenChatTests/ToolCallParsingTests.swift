import Foundation
import QwenChat
import XCTest
import ZooCore

/// Reading Qwen2.5 replies: `<tool_call>` blocks and the bare / fenced fallbacks (through ``ChatVariant``).
final class ToolCallParsingTests: XCTestCase {
    let weather = ToolDefinition(
        name: "get_weather",
        parameters: ["type": "object", "properties": ["city": ["type": "string"], "unit": ["type": "string", "enum": ["c", "f"]]],
                     "required": ["city"]])
    let calc = ToolDefinition(name: "calc", parameters: ["type": "object", "properties": ["e": ["type": "string"]], "required": ["e"]])

    func read(_ text: String, choice: ToolChoice = .auto, format: ChatFormat = .qwen25) -> ToolCallReading {
        ChatVariant(format: format).readToolCalls(
            text, for: ToolChatRequest(messages: [ChatMessage(.user, "q")], tools: [weather, calc], toolChoice: choice))
    }

    func testGoodCall() {
        let r = read("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call>")
        XCTAssertEqual(r.calls, [ToolCall(name: "get_weather", arguments: ["city": "Paris", "unit": "c"])])
        XCTAssertEqual(r.content, "")
        XCTAssertEqual(r.warnings, [])
    }

    func testSeveralCallsAndText() {
        let text = "Checking both.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"calc\", \"arguments\": \"{\\\"e\\\": \\\"1+1\\\"}\"}\n</tool_call>"
        let r = read(text)
        XCTAssertEqual(r.calls, [ToolCall(name: "get_weather", arguments: ["city": "Paris"]), ToolCall(name: "calc", arguments: ["e": "1+1"])])
        XCTAssertEqual(r.content, "Checking both.")
        XCTAssertEqual(r.warnings, [])
    }

    func testMalformedBlockStaysTextWithAWarning() {
        let bad = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": Paris}}\n</tool_call>"
        let good = "<tool_call>\n{\"name\": \"calc\", \"arguments\": {\"e\": \"2\"}}\n</tool_call>"
        let r = read(bad + "\n" + good)
        XCTAssertEqual(r.calls, [ToolCall(name: "calc", arguments: ["e": "2"])])
        XCTAssertEqual(r.content, bad)
        XCTAssertEqual(r.warnings.count, 1)
        XCTAssertTrue(r.warnings[0].hasPrefix("tool call 1 is not a call: its JSON does not parse (line 2, column 47"), r.warnings[0])
        // Not an object, no name, arguments of the wrong type: text with a warning each.
        for inner in ["[1, 2]", "{\"arguments\": {}}", "{\"name\": \"calc\", \"arguments\": 3}", ""] {
            let r = read("<tool_call>\n\(inner)\n</tool_call>")
            XCTAssertEqual(r.calls, [], inner)
            XCTAssertEqual(r.warnings.count, 1, inner)
        }
    }

    func testTruncatedCall() {
        // Cut off by max_tokens inside the JSON: text, with a warning that says so.
        let cut = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"ci"
        let r = read(cut)
        XCTAssertEqual(r.calls, [])
        XCTAssertEqual(r.content, cut)
        XCTAssertTrue(r.warnings[0].contains("cut off: no </tool_call>"), r.warnings[0])
        XCTAssertTrue(r.warnings[0].contains("unterminated string"), r.warnings[0])
        // Complete JSON whose closing tag never came (a stop ended it) is still a call.
        let r2 = read("<tool_call>\n{\"name\": \"calc\", \"arguments\": {\"e\": \"3\"}}\n")
        XCTAssertEqual(r2.calls, [ToolCall(name: "calc", arguments: ["e": "3"])])
    }

    func testFencedAndBareFallbacks() {
        let fenced = "Here you go:\n```json\n{\"name\": \"calc\", \"arguments\": {\"e\": \"6*7\"}}\n```\nDone."
        let r = read(fenced)
        XCTAssertEqual(r.calls, [ToolCall(name: "calc", arguments: ["e": "6*7"])])
        XCTAssertEqual(r.content, "Here you go:\n\nDone.")
        let bare = read("  {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n")
        XCTAssertEqual(bare.calls, [ToolCall(name: "get_weather", arguments: ["city": "Oslo"])])
        let list = read("[{\"name\": \"calc\", \"arguments\": {\"e\": \"1\"}}, {\"name\": \"calc\", \"arguments\": {\"e\": \"2\"}}]")
        XCTAssertEqual(list.calls.count, 2)
        // JSON that names no tool, or code in another language, is left alone.
        for text in ["{\"name\": \"unknown\", \"arguments\": {}}", "```python\nprint({\"name\": \"calc\"})\n```", "{\"answer\": 42}"] {
            XCTAssertEqual(read(text).calls, [], text)
            XCTAssertEqual(read(text).content, text.trimmingCharacters(in: .whitespacesAndNewlines), text)
        }
    }

    func testArgumentsAreValidated() {
        let r = read("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"k\"}}\n</tool_call>"
            + "<tool_call>\n{\"name\": \"nope\", \"arguments\": {}}\n</tool_call>")
        XCTAssertEqual(r.calls.count, 2)
        XCTAssertEqual(r.warnings, [
            "tool call 1 (get_weather): arguments $: missing required property \"city\"",
            "tool call 1 (get_weather): arguments $.unit: \"k\" is not one of [\"c\", \"f\"]",
            "tool call 2 (nope): no tool has this name; tools: get_weather, calc",
        ])
    }

    func testForcedCallReadsTheInsideOfTheOpenedBlock() {
        let r = read("{\"name\": \"calc\", \"arguments\": {\"e\": \"2+2\"}}", choice: .required)
        XCTAssertEqual(r.calls, [ToolCall(name: "calc", arguments: ["e": "2+2"])])
        XCTAssertEqual(r.warnings, [])
        // tool_choice none: the reply is text, whatever it holds.
        let none = read("<tool_call>\n{\"name\": \"calc\", \"arguments\": {}}\n</tool_call>", choice: .none)
        XCTAssertEqual(none.calls, [])
    }

    func testV1ReplyReadsReActLines() {
        let r = read("Thought: weather\nAction: get_weather\nAction Input: {\"city\": \"Rome\"}", format: .v1)
        XCTAssertEqual(r.calls, [ToolCall(name: "get_weather", arguments: ["city": "Rome"])])
        XCTAssertEqual(r.content, "weather")
        XCTAssertEqual(read("Thought: done\nFinal Answer: 4", format: .v1).content, "4")
    }
}
