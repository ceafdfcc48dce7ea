/// The JSON Schema of a valid tool call, `{"name": <a tool's name>, "arguments": <that tool's parameters>}`,
/// which a JSON Schema constraint enforces for ``ToolChoice/required`` and a named choice.
public enum ToolCallSchema {
    /// The schema of one call among `tools` allowed by `choice`; nil when the choice forces no call.
    /// Throws when a named tool does not exist or there are no tools to call.
    public static func schema(for tools: [ToolDefinition], choice: ToolChoice) throws -> JSONValue? {
        let allowed: [ToolDefinition]
        switch choice {
        case .none, .auto: return nil
        case .required: allowed = tools
        case .function(let name):
            allowed = tools.filter { $0.name == name }
            guard !allowed.isEmpty else {
                let known = tools.map(\.name)
                let hint = didYouMean(name, in: known)
                throw ToolDefinitionError(field: "tool_choice", message: "no tool is named \"\(name)\"\(hint); tools: \(known.joined(separator: ", "))")
            }
        }
        guard !allowed.isEmpty else {
            throw ToolDefinitionError(field: "tool_choice", message: "\"required\" needs at least one tool")
        }
        let calls = allowed.map(callSchema)
        return calls.count == 1 ? calls[0] : ["anyOf": .array(calls)]
    }

    /// One tool's call: its name as a constant and its parameters schema, in the order Qwen writes a call.
    static func callSchema(_ tool: ToolDefinition) -> JSONValue {
        [
            "type": "object",
            "properties": ["name": ["const": .string(tool.name)], "arguments": tool.parameters],
            "required": ["name", "arguments"],
            "additionalProperties": false,
        ]
    }
}
