import ZooCore

/// Reads Qwen2.5's tool calls: `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>` blocks, one or several;
/// without any block, a reply that is a bare call object (or a list of them) or holds one in a fenced ```` ```json ````
/// block, as Qwen2.5-Coder often writes them.
///
/// A block whose JSON does not parse (malformed, or cut off by `max_tokens`) stays in the text, with a warning
/// that says where the JSON went wrong. The fallbacks only take objects that name one of the tools, so that a
/// reply which merely contains JSON is not mistaken for a call.
enum Qwen25ToolCalls {
    static let open = "<tool_call>"
    static let close = "</tool_call>"

    static func read(_ text: String, tools: [ToolDefinition]) -> ToolCallReading {
        var content = ""
        var calls: [ToolCall] = []
        var warnings: [String] = []
        var rest = Substring(text)
        var blocks = 0
        while let start = rest.firstRange(of: open) {
            content += rest[..<start.lowerBound]
            let body = rest[start.upperBound...]
            let end = body.firstRange(of: close)
            let inner = end.map { body[..<$0.lowerBound] } ?? body
            blocks += 1
            switch call(from: String(inner)) {
            case .success(let c):
                calls.append(c)
            case .failure(let problem):
                content += rest[start.lowerBound..<(end?.upperBound ?? rest.endIndex)]
                let where_ = end == nil ? " (cut off: no \(close))" : ""
                warnings.append("tool call \(blocks)\(where_) is not a call: \(problem.message); kept as text")
            }
            rest = end.map { body[$0.upperBound...] } ?? body[body.endIndex...]
        }
        content += rest
        if blocks == 0, !tools.isEmpty, let found = fallback(text, tools: tools) {
            return ToolCallReading(content: pythonStrip(found.content), calls: found.calls, warnings: warnings)
        }
        return ToolCallReading(content: pythonStrip(content), calls: calls, warnings: warnings)
    }

    struct Problem: Error {
        let message: String
    }

    /// The call in one block's JSON: `{"name": "…", "arguments": {…}}` (arguments may also be a JSON string).
    static func call(from json: String) -> Result<ToolCall, Problem> {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: json)
        } catch let error as JSONSyntaxError {
            return .failure(Problem(message: "its JSON does not parse (\(error))"))
        } catch {
            return .failure(Problem(message: "its JSON does not parse"))
        }
        return call(from: value)
    }

    static func call(from value: JSONValue) -> Result<ToolCall, Problem> {
        guard case .object(let object) = value else { return .failure(Problem(message: "expected a JSON object, found \(value.typeName)")) }
        guard case .string(let name)? = object["name"], !name.isEmpty else {
            return .failure(Problem(message: "the object has no \"name\" string"))
        }
        switch object["arguments"] {
        case nil: return .success(ToolCall(name: name, arguments: [:]))
        case .object(let arguments)?: return .success(ToolCall(name: name, arguments: .object(arguments)))
        case .string(let text)?:
            // OpenAI-style arguments: a JSON text inside a string.
            if let parsed = try? JSONValue(parsing: text), case .object = parsed { return .success(ToolCall(name: name, arguments: parsed)) }
            return .failure(Problem(message: "\"arguments\" is a string that is not a JSON object"))
        case let other?:
            return .failure(Problem(message: "\"arguments\" must be an object, found \(other.typeName)"))
        }
    }

    /// A bare call (or list of calls), or calls in fenced code blocks; nil when there is none.
    static func fallback(_ text: String, tools: [ToolDefinition]) -> (content: String, calls: [ToolCall])? {
        let names = Set(tools.map(\.name))
        func calls(in json: String) -> [ToolCall]? {
            guard let value = try? JSONValue(parsing: json) else { return nil }
            let items = value.arrayValue ?? [value]
            let found = items.compactMap { try? call(from: $0).get() }
            guard !found.isEmpty, found.count == items.count, found.allSatisfy({ names.contains($0.name) }) else { return nil }
            return found
        }
        if let bare = calls(in: text) { return ("", bare) }
        var content = ""
        var found: [ToolCall] = []
        var rest = Substring(text)
        while let fence = rest.firstRange(of: "```") {
            let afterFence = rest[fence.upperBound...]
            guard let lineEnd = afterFence.firstIndex(of: "\n"),
                  let closing = afterFence[lineEnd...].firstRange(of: "```")
            else { break }
            let language = afterFence[..<lineEnd].trimmingPrefix(while: { $0 == " " })
            let body = String(afterFence[afterFence.index(after: lineEnd)..<closing.lowerBound])
            if language.isEmpty || language.lowercased().hasPrefix("json"), let c = calls(in: body) {
                content += rest[..<fence.lowerBound]
                found += c
            } else {
                content += rest[..<closing.upperBound]
            }
            rest = afterFence[closing.upperBound...]
        }
        guard !found.isEmpty else { return nil }
        return (content + rest, found)
    }
}
