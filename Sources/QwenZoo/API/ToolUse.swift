import ZooCore
import ZooGrammar
import ZooSamplers

/// A ``ChatSession``'s tools, tool choice and response format applied to one turn: the request it renders and
/// the constraint stage its sampler chain gets. Public so that other front ends (`zoo serve`) render and
/// constrain exactly as the Swift API does.
public struct ToolUse: Sendable {
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice
    public var responseFormat: ResponseFormat

    public init(tools: [ToolDefinition] = [], toolChoice: ToolChoice = .auto, responseFormat: ResponseFormat = .text) {
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
    }

    /// The name of the sampler stage that holds the output to a JSON Schema (the grammar engine's,
    /// `json_schema: {…}` in a manifest), and the schema of "any JSON object".
    static let jsonSchemaStage = "json_schema"
    static let anyObject: JSONValue = ["type": "object"]

    /// A tool chat when there are tools or the conversation holds tool calls or results; a plain chat otherwise.
    public func request(_ messages: [ChatMessage]) -> VariantRequest {
        let usesTools = !tools.isEmpty || messages.contains { $0.role == .tool || !$0.toolCalls.isEmpty }
        guard usesTools else { return .chat(messages) }
        return .toolChat(ToolChatRequest(messages: messages, tools: tools, toolChoice: toolChoice))
    }

    /// The JSON Schema the reply must match, if any: a forced call's (``ToolCallSchema``) or the response format's.
    public func constraint() throws -> JSONValue? {
        if let call = try ToolCallSchema.schema(for: tools, choice: toolChoice) { return call }
        switch responseFormat {
        case .text: return nil
        case .jsonObject: return Self.anyObject
        case .jsonSchema(let schema): return schema
        }
    }

    /// `options` with the constraint stage first in the chain (before any stage that could drop every token the
    /// constraint allows), or unchanged when nothing is constrained.
    public func constrained(_ options: GenerationOptions, model: LoadedModel) throws -> GenerationOptions {
        guard let schema = try constraint() else { return options }
        guard model.components.samplerStages.contains(Self.jsonSchemaStage) else {
            throw ToolUseError.noConstraintStage(
                what: toolChoice.forcesCall ? "tool_choice \(toolChoice)" : "a JSON response format")
        }
        var options = options
        options.sampler = [Self.stage(schema)] + (options.sampler ?? model.manifest.samplerStages)
        return options
    }

    /// The chain stage for `schema`, as JSON text so that the properties keep their order (Qwen writes a
    /// call's `name` before its `arguments`; an option map would sort them).
    public static func stage(_ schema: JSONValue) -> SamplerStageSpec {
        .jsonSchema(JSONWriter.compact(schema))
    }
}

/// A tool-use setting this build cannot honour.
public enum ToolUseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A forced tool call or a JSON response format needs the `json_schema` sampler stage, which is not registered.
    case noConstraintStage(what: String)

    public var description: String {
        switch self {
        case .noConstraintStage(let what):
            "\(what) needs the json_schema sampler stage (grammar-constrained sampling), which this build does not "
                + "register; use tool_choice auto and a text response format"
        }
    }
}

extension ToolUse {
    /// The tool calls of a tool chat's reply (``ToolCallingVariant``): the calls, the content without their markup,
    /// and a warning for each block that does not parse or does not match its tool's schema; nil when `request` is
    /// not a tool chat or `variant` reads no calls.
    public static func reading(_ text: String, for request: VariantRequest, variant: any Variant) -> ToolCallReading? {
        guard case .toolChat(let chat) = request, let reader = variant as? any ToolCallingVariant else { return nil }
        return reader.readToolCalls(text, for: chat)
    }
}

extension Response {
    /// Reads the tool calls of a tool chat's reply (``ToolUse/reading(_:for:variant:)``): ``toolCalls``, ``content``
    /// without their markup, and a warning for each block that does not parse or does not match its tool's schema.
    mutating func readToolCalls(for request: VariantRequest, variant: any Variant) {
        guard let reading = ToolUse.reading(text, for: request, variant: variant) else { return }
        toolCalls = reading.calls
        content = reading.content
        warnings += reading.warnings
    }
}
