import Hummingbird
import QwenZoo

/// The tool-use fields of a chat request — `tools`, `tool_choice`, `parallel_tool_calls`, `response_format` and the
/// `tool_calls` of assistant messages — read from the body with ZooCore's JSON parser rather than `JSONDecoder`,
/// because their key order matters: Qwen's template prints each tool as given, and a JSON Schema's properties are
/// generated in the order written. Errors name the field (`tools[1].function.name`).
struct ToolFields: Sendable {
    var tools: [ToolDefinition] = []
    var toolChoice: ToolChoice = .auto
    /// False keeps at most one call per reply (OpenAI's default is true).
    var parallelToolCalls = true
    var responseFormat: ResponseFormat = .text
    /// The calls of the assistant messages that carry `tool_calls`, by message index.
    var messageCalls: [Int: [ToolCall]] = [:]

    /// The fields of a request body (already known to be JSON of the right shape: `JSONDecoder` read it first).
    init(buffer: ByteBuffer) throws {
        let body: JSONValue
        do {
            body = try JSONValue(parsing: String(buffer: buffer))
        } catch {
            throw APIError.invalid(nil, "the body is not valid JSON (\(error))")
        }
        try self.init(body: body)
    }

    /// The fields of `body`, a whole chat completion request.
    init(body: JSONValue) throws {
        if let value = body["tools"], value != .null {
            guard case .array = value else { throw APIError.invalid("tools", "\"tools\" must be a list of tools, found \(value.typeName)") }
            do {
                tools = try ToolDefinition.list(parsing: JSONWriter.compact(value))
            } catch let error as ToolDefinitionError {
                throw APIError.invalid("tools" + error.field, "\"tools\(error.field)\": \(error.message)")
            }
        }
        if let value = body["tool_choice"], value != .null { toolChoice = try Self.toolChoice(value) }
        switch body["parallel_tool_calls"] {
        case nil, .null?: break
        case .bool(let flag)?: parallelToolCalls = flag
        case let other?: throw APIError.invalid("parallel_tool_calls", "\"parallel_tool_calls\" must be true or false, found \(other.typeName)")
        }
        if let value = body["response_format"], value != .null { responseFormat = try Self.responseFormat(value) }
        for (index, message) in (body["messages"]?.arrayValue ?? []).enumerated() {
            guard let calls = message["tool_calls"], calls != .null else { continue }
            messageCalls[index] = try Self.calls(calls, message: index)
        }
    }

    /// `"none"`, `"auto"`, `"required"` or `{"type": "function", "function": {"name": …}}`.
    private static func toolChoice(_ value: JSONValue) throws -> ToolChoice {
        switch value {
        case .string(let text) where ["none", "auto", "required"].contains(text):
            return ToolChoice(text)
        case .object:
            if let type = value["type"], type != "function" {
                throw APIError.invalid("tool_choice.type", "\"tool_choice.type\" must be \"function\", found \(type)")
            }
            guard case .string(let name)? = value["function"]?["name"], !name.isEmpty else {
                throw APIError.invalid("tool_choice.function.name", "\"tool_choice\" names a function as {\"type\": \"function\", \"function\": {\"name\": …}}")
            }
            return .function(name)
        default:
            throw APIError.invalid("tool_choice", "\"tool_choice\" must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": …}}, found \(value)")
        }
    }

    /// `{"type": "text"}`, `{"type": "json_object"}` or `{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}`.
    private static func responseFormat(_ value: JSONValue) throws -> ResponseFormat {
        guard case .string(let type)? = value["type"] else {
            throw APIError.invalid("response_format.type", "\"response_format\" needs a \"type\": text, json_object or json_schema")
        }
        switch type {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard let format = value["json_schema"]?.objectValue else {
                throw APIError.invalid("response_format.json_schema", "\"response_format.json_schema\" must be an object {\"name\", \"schema\", \"strict\"}")
            }
            guard case .string(let name)? = format["name"], !name.isEmpty else {
                throw APIError.invalid("response_format.json_schema.name", "\"response_format.json_schema.name\" must be a non-empty string")
            }
            switch format["strict"] {
            case nil, .null?, .bool(_)?: break
            case let other?:
                throw APIError.invalid("response_format.json_schema.strict", "\"response_format.json_schema.strict\" must be true or false, found \(other.typeName)")
            }
            switch format["schema"] {
            case let schema? where schema.objectValue != nil: return .jsonSchema(schema)
            case nil, .null?: return .jsonSchema([:])
            case let other?:
                throw APIError.invalid("response_format.json_schema.schema", "\"response_format.json_schema.schema\" must be a JSON Schema object, found \(other.typeName)")
            }
        default:
            throw APIError.invalid("response_format.type", "\"response_format.type\" must be text, json_object or json_schema, found \"\(type)\"")
        }
    }

    /// An assistant message's `tool_calls` (arguments as a JSON string, as OpenAI sends them, or an object), read by
    /// ZooCore's ``ChatMessage/init(json:)`` so that the server and `zoo render --messages` agree.
    private static func calls(_ value: JSONValue, message index: Int) throws -> [ToolCall] {
        guard case .array = value else {
            throw APIError.invalid("messages[\(index)].tool_calls", "\"messages[\(index)].tool_calls\" must be a list, found \(value.typeName)")
        }
        do {
            return try ChatMessage(json: ["role": "assistant", "tool_calls": value]).toolCalls
        } catch let error as ChatMessageFormatError {
            let field = "messages[\(index)].\(error.field)"
            throw APIError.invalid(field, "\"\(field)\": \(error.message)")
        }
    }
}

extension ChatCompletionRequest {
    /// A chat request from its body; the tool-use fields, when it has any, read in order (``ToolFields``).
    static func decode(from buffer: ByteBuffer) throws -> ChatCompletionRequest {
        var body = try JSONCoding.decode(ChatCompletionRequest.self, from: buffer)
        if body.hasToolFields { body.tools = try ToolFields(buffer: buffer) }
        return body
    }
}
