/// A function the model may call, as OpenAI's `tools` entries describe it:
/// `{"type": "function", "function": {"name": …, "description": …, "parameters": {JSON Schema}}}`.
///
/// The definition keeps the JSON it was made from, because Qwen's templates print each tool with `tojson`:
/// the prompt depends on the exact keys and their order.
public struct ToolDefinition: Sendable, Equatable, Codable {
    /// The tool as given (the OpenAI `tools` entry), which prompts print.
    public let json: JSONValue

    /// The function object: `json["function"]`, or `json` itself when it was given bare.
    public var function: JSONObject { json["function"]?.objectValue ?? json.objectValue ?? JSONObject() }
    /// The name the model calls the tool by.
    public var name: String { function["name"]?.stringValue ?? "" }
    /// What the tool does, for the model.
    public var description: String? { function["description"]?.stringValue }
    /// The JSON Schema of the arguments (an empty object schema when the tool gives none).
    public var parameters: JSONValue { function["parameters"] ?? ["type": "object", "properties": [:]] }

    /// A tool in OpenAI's layout: `{"type": "function", "function": {"name", "description", "parameters"}}`.
    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        var function: JSONObject = ["name": .string(name)]
        if let description { function["description"] = .string(description) }
        function["parameters"] = parameters
        json = ["type": "function", "function": .object(function)]
    }

    /// A tool from its JSON: an OpenAI `tools` entry, or a bare function object (`{"name": …, "parameters": …}`).
    /// Throws ``ToolDefinitionError`` naming the missing or mistyped field.
    public init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw ToolDefinitionError(field: "", message: "a tool must be a JSON object, found \(json.typeName)") }
        let function: JSONObject
        let prefix: String
        if let inner = object["function"] {
            guard let f = inner.objectValue else { throw ToolDefinitionError(field: "function", message: "must be an object, found \(inner.typeName)") }
            if let type = object["type"], type != "function" {
                throw ToolDefinitionError(field: "type", message: "only \"function\" tools exist, found \(type)")
            }
            function = f
            prefix = "function."
        } else {
            function = object
            prefix = ""
        }
        guard case .string(let name)? = function["name"], !name.isEmpty else {
            throw ToolDefinitionError(field: prefix + "name", message: "a tool needs a non-empty string name")
        }
        if let d = function["description"], d.stringValue == nil {
            throw ToolDefinitionError(field: prefix + "description", message: "must be a string, found \(d.typeName)")
        }
        // Qwen v1's own examples give a list of parameter descriptions; everything else gives a JSON Schema.
        if let p = function["parameters"], p.objectValue == nil, p.arrayValue == nil {
            throw ToolDefinitionError(field: prefix + "parameters", message: "must be a JSON Schema object, found \(p.typeName)")
        }
        self.json = json
    }

    /// Tools from a JSON array of tool objects (what `--tools FILE` holds); errors name the entry.
    public static func list(parsing text: String) throws -> [ToolDefinition] {
        let value = try JSONValue(parsing: text)
        guard case .array(let items) = value else {
            throw ToolDefinitionError(field: "", message: "expected a JSON array of tools, found \(value.typeName)")
        }
        var tools: [ToolDefinition] = []
        for (index, item) in items.enumerated() {
            do {
                tools.append(try ToolDefinition(json: item))
            } catch let error as ToolDefinitionError {
                throw ToolDefinitionError(field: "[\(index)]" + (error.field.isEmpty ? "" : "." + error.field), message: error.message)
            }
        }
        var seen = Set<String>()
        for (index, tool) in tools.enumerated() where !seen.insert(tool.name).inserted {
            throw ToolDefinitionError(field: "[\(index)].name", message: "a second tool named \"\(tool.name)\"")
        }
        return tools
    }
}

/// A tool definition that is not usable.
public struct ToolDefinitionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offending field (`[1].function.name`), empty for the whole value.
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? "tools: \(message)" : "tools\(field.hasPrefix("[") ? "" : ".")\(field): \(message)" }
}

/// A call of a tool by the model: which tool and with what arguments.
public struct ToolCall: Sendable, Equatable, Codable {
    /// An identifier that a tool result can refer to (OpenAI's `tool_call_id`); nil when none was given.
    public var id: String?
    /// The tool's name.
    public var name: String
    /// The arguments: normally a JSON object; a string when the model wrote something that is not JSON (Qwen v1's
    /// `Action Input:` may be free text).
    public var arguments: JSONValue

    public init(id: String? = nil, name: String, arguments: JSONValue = [:]) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Equatable {
    /// No tool: the tools are not shown to the model and the reply is read as text.
    case none
    /// The model decides (the default).
    case auto
    /// The model must call one of the tools. Enforced with a JSON Schema constraint on the call.
    case required
    /// The model must call this tool. Enforced like ``required``.
    case function(String)

    /// Parses `none`, `auto`, `required` or a tool's name.
    public init(_ text: String) {
        switch text {
        case "none": self = .none
        case "auto": self = .auto
        case "required": self = .required
        default: self = .function(text)
        }
    }

    /// Whether the reply must be a call.
    public var forcesCall: Bool {
        switch self {
        case .required, .function: true
        case .none, .auto: false
        }
    }
}

/// What the reply's text must be.
public enum ResponseFormat: Sendable, Equatable {
    /// Free text (the default).
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON that matches this JSON Schema.
    case jsonSchema(JSONValue)
}
