import Foundation
import ZooCore

/// `Tests/Fixtures/variants/tools.json`, written by `scripts/make_tool_fixtures.py`: Qwen2.5 tool prompts from
/// transformers' `apply_chat_template(messages, tools=…)` and Qwen v1 ReAct prompts from `openai_api.py`. Read
/// with ``JSONValue`` because the tools' key order is part of the prompt.
public enum ToolFixture {
    public static let shared = Result {
        try JSONValue(parsing: String(contentsOf: Fixtures.url("variants/tools.json"), encoding: .utf8))
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    /// One Qwen2.5 case: its name, template (`instruct`, `coder`, `math`), tools, messages and reference ids.
    public struct Qwen25Case {
        public let name: String
        public let template: String
        public let defaultSystem: String
        public let tools: [ToolDefinition]
        public let messages: [ChatMessage]
        public let ids: [Int]
    }

    public static func qwen25Cases() throws -> [Qwen25Case] {
        guard let cases = try shared.get()["qwen25"]?.arrayValue else { throw Malformed(description: "no qwen25 cases") }
        return try cases.map { c in
            guard let name = c["name"]?.stringValue, let template = c["template"]?.stringValue,
                  let system = c["default_system"]?.stringValue, let tools = c["tools"]?.arrayValue,
                  let messages = c["messages"]?.arrayValue, let ids = c["ids"]?.arrayValue
            else { throw Malformed(description: "a qwen25 case lacks a field") }
            return Qwen25Case(
                name: name, template: template, defaultSystem: system, tools: try tools.map { try ToolDefinition(json: $0) },
                messages: try messages.map(message), ids: ids.compactMap { $0.doubleValue.map { Int($0) } })
        }
    }

    /// A fixture message: OpenAI's layout (`tool_calls` entries wrapped in `function` or bare), or v1's
    /// (`function` role, `function_call` with arguments as a JSON string).
    public static func message(_ m: JSONValue) throws -> ChatMessage {
        guard let roleName = m["role"]?.stringValue,
              let role = roleName == "function" ? ChatMessage.Role.tool : ChatMessage.Role(rawValue: roleName)
        else { throw Malformed(description: "bad role in \(m)") }
        var calls: [ToolCall] = []
        for entry in m["tool_calls"]?.arrayValue ?? [] {
            let f = entry["function"] ?? entry
            guard let name = f["name"]?.stringValue, let arguments = f["arguments"] else { throw Malformed(description: "bad call \(entry)") }
            calls.append(ToolCall(name: name, arguments: arguments))
        }
        if let f = m["function_call"], f != .null {
            guard let name = f["name"]?.stringValue, let text = f["arguments"]?.stringValue else { throw Malformed(description: "bad call \(f)") }
            calls.append(ToolCall(name: name, arguments: (try? JSONValue(parsing: text)) ?? .string(text)))
        }
        return ChatMessage(role, m["content"]?.stringValue ?? "", toolCalls: calls)
    }
}
