import QwenZoo

/// A chat request's tools, tool choice and response format, applied as the Swift API's ``ChatSession`` applies
/// them (through QwenZoo's ``ToolUse``): the same rendered request, and the same constraint stage first in the
/// chain. Whatever cannot be honoured is a 400 naming the field.
enum ToolMapping {
    /// The tool use the request asks for (none: `ToolUse()`, a plain chat).
    static func use(_ fields: ToolFields?) -> ToolUse {
        guard let fields else { return ToolUse() }
        return ToolUse(tools: fields.tools, toolChoice: fields.toolChoice, responseFormat: fields.responseFormat)
    }

    /// `stages` with the constraint of a forced call or a JSON response format first, as ``ChatSession`` puts it;
    /// unchanged when nothing is constrained. A named function that does not exist, a schema the grammar engine
    /// cannot compile (its error names the keyword and where) or a build without constraint stages is a 400.
    static func constrained(_ stages: [SamplerStageSpec], use: ToolUse, model: ServedModel) throws -> [SamplerStageSpec] {
        let field = use.toolChoice.forcesCall ? "tool_choice" : "response_format"
        let schema: JSONValue?
        do {
            schema = try use.constraint()
        } catch let error as ToolDefinitionError {
            throw APIError.invalid(error.field, "\"\(error.field)\": \(error.message)")
        }
        guard let schema else { return stages }
        do {
            _ = try model.zoo.manifest.samplerChain([ToolUse.stage(schema)], components: model.zoo.components)
        } catch {
            let (param, what) = use.toolChoice.forcesCall
                ? ("tools", "the tools' parameters schemas")
                : ("response_format.json_schema.schema", "\"response_format.json_schema.schema\"")
            throw APIError.invalid(param, "\(what) cannot be enforced: \(error)")
        }
        do {
            return try use.constrained(GenerationOptions(sampler: stages), model: model.zoo).sampler ?? stages
        } catch let error as ToolUseError {
            throw APIError.invalid(field, "\(error)")
        }
    }

    /// How the replies are read back: calls when tools are shown and the choice allows calls; nil for plain text.
    static func reader(_ request: VariantRequest, use: ToolUse, fields: ToolFields?, model: ServedModel) -> ToolReplyReader? {
        guard case .toolChat = request, !use.tools.isEmpty, use.toolChoice != .none else { return nil }
        return ToolReplyReader(request: request, variant: model.zoo.variant, forcesCall: use.toolChoice.forcesCall,
                               parallelToolCalls: fields?.parallelToolCalls ?? true)
    }
}
