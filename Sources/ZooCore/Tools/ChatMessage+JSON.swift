extension ChatMessage {
    /// A message in OpenAI's chat layout: `{"role": …, "content": …}`, an assistant's
    /// `"tool_calls": [{"id": …, "type": "function", "function": {"name": …, "arguments": …}}]` (arguments as an
    /// object or as JSON text), a tool result's `"tool_call_id"`. Errors name the field.
    public init(json: JSONValue) throws {
        func fail(_ field: String, _ message: String) -> ChatMessageFormatError {
            ChatMessageFormatError(field: field, message: message)
        }
        guard case .object(let m) = json else { throw fail("", "a message must be a JSON object, found \(json.typeName)") }
        guard case .string(let roleName)? = m["role"] else { throw fail("role", "a message needs a string role") }
        guard let role = Role(rawValue: roleName) else {
            throw fail("role", "unknown role \"\(roleName)\"; roles: system, user, assistant, tool")
        }
        let content: String
        switch m["content"] {
        case nil, .null?: content = ""
        case .string(let s)?: content = s
        case let other?: throw fail("content", "must be a string, found \(other.typeName)")
        }
        var calls: [ToolCall] = []
        for (index, entry) in (m["tool_calls"]?.arrayValue ?? []).enumerated() {
            let field = "tool_calls[\(index)]"
            let f = entry["function"] ?? entry
            guard case .string(let name)? = f["name"] else { throw fail(field + ".function.name", "a tool call needs a string name") }
            var arguments = f["arguments"] ?? [:]
            if case .string(let text) = arguments {
                do {
                    arguments = try JSONValue(parsing: text)
                } catch {
                    throw fail(field + ".function.arguments", "the arguments string is not JSON: \(error)")
                }
            }
            calls.append(ToolCall(id: entry["id"]?.stringValue, name: name, arguments: arguments))
        }
        self.init(role, content, toolCalls: calls, toolCallID: m["tool_call_id"]?.stringValue)
    }

    /// Messages from a JSON array of OpenAI-layout messages; errors name the entry (`messages[2].role`).
    public static func list(parsing text: String) throws -> [ChatMessage] {
        let value = try JSONValue(parsing: text)
        guard case .array(let items) = value else {
            throw ChatMessageFormatError(field: "", message: "expected a JSON array of messages, found \(value.typeName)")
        }
        return try items.enumerated().map { index, item in
            do {
                return try ChatMessage(json: item)
            } catch let error as ChatMessageFormatError {
                throw ChatMessageFormatError(field: "[\(index)]" + (error.field.isEmpty ? "" : "." + error.field), message: error.message)
            }
        }
    }
}

/// A chat message in JSON that cannot be read.
public struct ChatMessageFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offending field (`[2].tool_calls[0].function.name`), empty for the whole value.
    public let field: String
    public let message: String

    public var description: String { "messages\(field): \(message)" }
}
