import Foundation
import QwenChat
import QwenZoo

/// Tool calling's parsers (issue 16): JSON as tool definitions, calls and messages carry it, and the readers of
/// model replies, which see whatever a model writes.
enum ToolTargets {
    /// JSON text: a parsed value writes back (compact and as Python writes it) to text that parses to itself.
    static let json: FuzzTarget = { input in
        let value = try JSONValue(parsing: String(decoding: input, as: UTF8.self))
        guard isFinite(value) else { return }  // 1e999 parses to infinity, which JSON cannot write back
        for text in [JSONWriter.compact(value), JSONWriter.python(value)] {
            guard let again = try? JSONValue(parsing: text), again == value else {
                violated("the JSON value printed as \(text) does not parse back to itself")
            }
        }
    }

    /// Built per input: LeakSanitizer reports the boxes of a global's indirect enum values as leaks.
    static func tools() -> [ToolDefinition] { [
        ToolDefinition(name: "calculator", parameters: ["type": "object", "properties": ["expression": ["type": "string"]], "required": ["expression"]]),
        ToolDefinition(name: "get_weather", parameters: ["type": "object", "properties": ["city": ["type": "string", "enum": ["a", "b"]]]]),
    ] }

    /// A model's reply read for tool calls in both formats, and the text read as messages and tools: never a crash,
    /// and every call read names a tool.
    static let toolCalls: FuzzTarget = { input in
        let text = String(decoding: input, as: UTF8.self)
        let request = ToolChatRequest(messages: [ChatMessage(.user, "q")], tools: tools())
        for format in [ChatFormat.qwen25, .v1] {
            for choice in [ToolChoice.auto, .required] where !(format == .v1 && choice == .required) {
                var r = request
                r.toolChoice = choice
                let reading = ChatVariant(format: format).readToolCalls(text, for: r)
                if reading.calls.contains(where: { $0.name.isEmpty }) { violated("a call without a name read from \(text)") }
            }
        }
        _ = try? ChatMessage.list(parsing: text)
        _ = try? ToolDefinition.list(parsing: text)
    }

    static func isFinite(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let d): d.isFinite
        case .array(let items): items.allSatisfy(isFinite)
        case .object(let o): o.members.allSatisfy { isFinite($0.value) }
        default: true
        }
    }
}
