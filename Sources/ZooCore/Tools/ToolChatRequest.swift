/// A conversation with tools the model may call (the payload of ``VariantRequest/toolChat(_:)``).
public struct ToolChatRequest: Sendable, Equatable {
    /// The conversation: system, user, assistant (possibly with ``ChatMessage/toolCalls``) and `tool` messages.
    public var messages: [ChatMessage]
    /// The tools the model is shown.
    public var tools: [ToolDefinition]
    /// Whether the model must call a tool; a forced call is opened in the prompt (Qwen2.5's `<tool_call>\n`) so
    /// that a JSON Schema constraint on the call's object can follow.
    public var toolChoice: ToolChoice

    public init(messages: [ChatMessage], tools: [ToolDefinition], toolChoice: ToolChoice = .auto) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
    }

    /// The tools the prompt shows: none with ``ToolChoice/none``, only the named one for a named choice.
    public var shownTools: [ToolDefinition] {
        switch toolChoice {
        case .none: []
        case .auto, .required: tools
        case .function(let name): tools.filter { $0.name == name }
        }
    }
}

/// What was read from a reply that may hold tool calls.
public struct ToolCallReading: Sendable, Equatable {
    /// The reply's text outside the calls (the markup of the calls removed).
    public var content: String
    /// The calls, in order.
    public var calls: [ToolCall]
    /// Problems the user should know of: a call block whose JSON does not parse (kept in ``content``), a call of
    /// an unknown tool, arguments that do not match the tool's schema.
    public var warnings: [String]

    public init(content: String, calls: [ToolCall] = [], warnings: [String] = []) {
        self.content = content
        self.calls = calls
        self.warnings = warnings
    }
}

/// A variant that can show tools to a model and read its calls back.
public protocol ToolCallingVariant: Variant {
    /// Reads the tool calls in `generated`, the reply to `request` (stop ids and stop strings removed). Never
    /// throws: whatever cannot be read as a call stays text, with a warning.
    func readToolCalls(_ generated: String, for request: ToolChatRequest) -> ToolCallReading
}
