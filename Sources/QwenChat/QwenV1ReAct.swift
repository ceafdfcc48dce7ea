import ZooCore

/// Tool use for Qwen v1 chat models (Qwen-1.8B/7B/14B-Chat): the ReAct prompt of QwenLM/Qwen `openai_api.py`
/// (`parse_messages`, `parse_response`, `text_complete_last_message`), byte for byte.
///
/// The tools are described in an instruction put before the last user question; a call is written as
/// `Thought: …\nAction: name\nAction Input: args`, generation stops at `Observation:`, and a tool result continues
/// the assistant's text as `\nObservation: result\nThought:` (a raw ChatML completion, not a new turn).
public enum QwenV1ReAct {
    /// `TOOL_DESC` of `openai_api.py`: one tool's line of the instruction.
    public static let toolDescription =
        "{name_for_model}: Call this tool to interact with the {name_for_human} API."
        + " What is the {name_for_human} API useful for? {description_for_model} Parameters: {parameters}"

    /// `REACT_INSTRUCTION` of `openai_api.py`.
    public static let instruction = """
        Answer the following questions as best you can. You have access to the following APIs:

        {tools_text}

        Use the following format:

        Question: the input question you must answer
        Thought: you should always think about what to do
        Action: the action to take, should be one of [{tools_name_text}]
        Action Input: the input to the action
        Observation: the result of the action
        ... (this Thought/Action/Action Input/Observation can be repeated zero or more times)
        Thought: I now know the final answer
        Final Answer: the final answer to the original input question

        Begin!
        """

    /// The stop word `openai_api.py` adds when the request has functions.
    public static let stopWord = "Observation:"

    /// The instruction for `tools` (`REACT_INSTRUCTION.format(...).lstrip('\n').rstrip()`); empty without tools.
    public static func instruction(for tools: [ToolDefinition]) -> String {
        guard !tools.isEmpty else { return "" }
        var lines: [String] = []
        var names: [String] = []
        for tool in tools {
            let f = tool.function
            let name = f["name"]?.stringValue ?? ""
            let forModel = f["name_for_model"]?.stringValue ?? name
            let forHuman = f["name_for_human"]?.stringValue ?? name
            let description = f["description"]?.stringValue ?? ""
            let descriptionForModel = f["description_for_model"]?.stringValue ?? description
            let parameters = JSONWriter.python(f["parameters"] ?? .null)
            lines.append(format(toolDescription, [
                "name_for_model": forModel, "name_for_human": forHuman,
                "description_for_model": descriptionForModel, "parameters": parameters,
            ]))
            names.append(forModel)
        }
        let text = format(instruction, ["tools_text": lines.joined(separator: "\n\n"), "tools_name_text": names.joined(separator: ", ")])
        return rstrip(lstripNewlines(text))
    }

    /// What `parse_messages` makes of a conversation: the system prompt, the (user, assistant) history pairs and
    /// the last query — nil when the conversation ends in a tool result, which is continued as raw text.
    struct Context {
        var system: String
        var history: [(user: String, assistant: String)]
        var query: String?
    }

    /// `parse_messages(messages, functions)`, with `defaultSystem` for its `'You are a helpful assistant.'`.
    static func context(_ messages: [ChatMessage], tools: [ToolDefinition], defaultSystem: String) throws -> Context {
        func invalid(_ message: String) -> UnsupportedRequestError {
            UnsupportedRequestError(variant: QwenChatVariant.name, message: "v1 tool use: " + message)
        }
        guard messages.contains(where: { $0.role == .user }) else { throw invalid("expecting at least one user message") }
        var rest = messages[...]
        var system = defaultSystem
        if let first = rest.first, first.role == .system {
            system = rstrip(lstripNewlines(first.content))
            rest = rest.dropFirst()
        }
        var instruction = instruction(for: tools)
        var turns: [(role: ChatMessage.Role, content: String)] = []
        for (offset, m) in rest.enumerated() {
            var content = rstrip(lstripNewlines(m.content))
            switch m.role {
            case .tool:
                guard let last = turns.last, last.role == .assistant else { throw invalid("expecting role assistant before role tool") }
                turns[turns.count - 1].content += "\nObservation: \(content)"
                if offset == rest.count - 1 { turns[turns.count - 1].content += "\nThought:" }  // a prefix for text completion
            case .assistant:
                guard let last = turns.last else { throw invalid("expecting role user before role assistant") }
                if m.toolCalls.isEmpty {
                    if !tools.isEmpty { content = "Thought: I now know the final answer.\nFinal Answer: \(content)" }
                } else {
                    guard m.toolCalls.count == 1 else { throw invalid("the ReAct format has one call per assistant turn, found \(m.toolCalls.count)") }
                    let call = m.toolCalls[0]
                    if !content.hasPrefix("Thought:") { content = "Thought: \(content)" }
                    content = "\(content)\nAction: \(call.name)\nAction Input: \(argumentsText(call.arguments))"
                }
                if last.role == .user {
                    turns.append((.assistant, rstrip(lstripNewlines(content))))
                } else {
                    turns[turns.count - 1].content += "\n" + content
                }
            case .user:
                turns.append((.user, content))
            case .system:
                throw invalid("a system message must come first")
            }
        }
        var query: String?
        if let last = turns.last, last.role == .user {
            query = last.content
            turns.removeLast()
        }
        guard turns.count % 2 == 0 else { throw invalid("expecting exactly one user (or tool) message before every assistant message") }
        var history: [(user: String, assistant: String)] = []
        for i in stride(from: 0, to: turns.count, by: 2) {
            guard turns[i].role == .user, turns[i + 1].role == .assistant else {
                throw invalid("expecting exactly one user (or tool) message before every assistant message")
            }
            var user = rstrip(lstripNewlines(turns[i].content))
            let assistant = rstrip(lstripNewlines(turns[i + 1].content))
            if !instruction.isEmpty, i == turns.count - 2 {
                user = "\(instruction)\n\nQuestion: \(user)"
                instruction = ""
            }
            history.append((user, assistant))
        }
        if !instruction.isEmpty {
            guard let q = query else { throw invalid("the conversation has no question for the tools") }
            query = "\(instruction)\n\nQuestion: \(q)"
        }
        return Context(system: system, history: history, query: query)
    }

    /// `text_complete_last_message`'s prompt: the history as ChatML, its last `<|im_end|>` left off so the model
    /// continues the assistant's text after `Observation: …\nThought:`.
    static func completionPrompt(_ c: Context, ids: ChatMLIDs, tokenizer: any Tokenizer) -> [Int] {
        var p = PromptPieces()
        p.append(ids.imStart)
        p.append("system\n" + c.system)
        p.append(ids.imEnd)
        for (k, turn) in c.history.enumerated() {
            p.append("\n")
            p.append(ids.imStart)
            p.append("user\n" + rstrip(lstripNewlines(turn.user)))
            p.append(ids.imEnd)
            p.append("\n")
            p.append(ids.imStart)
            p.append("assistant\n" + rstrip(lstripNewlines(turn.assistant)))
            if k < c.history.count - 1 { p.append(ids.imEnd) }
        }
        return p.encode(tokenizer)
    }

    /// `parse_response`: a call when `\nAction:` comes before `\nAction Input:`; otherwise the text after the last
    /// `\nFinal Answer: ` (or all of it). The arguments are JSON when they parse, else the text as written.
    public static func read(_ response: String) -> ToolCallReading {
        var text = PythonText(response)
        if let i = text.find("\nAction:"), let j = text.find("\nAction Input:"), i < j {
            if (text.find("\nObservation:") ?? -1) < j {
                text = PythonText(rstrip(text.string) + "\nObservation:")  // the stop word was cut off: add it back
            }
            let k = text.find("\nObservation:")!
            let name = pythonStrip(text[(i + "\nAction:".unicodeScalars.count)..<j])
            let argsStart = j + "\nAction Input:".unicodeScalars.count
            let args = pythonStrip(argsStart <= k ? text[argsStart..<k] : "")
            if !name.isEmpty {
                var content = PythonText(text[0..<i])
                if let t = content.find("Thought: ") { content = PythonText(content[(t + 9)..<content.count]) }
                let arguments = (try? JSONValue(parsing: args)) ?? .string(args)
                return ToolCallReading(content: pythonStrip(content.string), calls: [ToolCall(name: name, arguments: arguments)])
            }
        }
        if let z = text.rfind("\nFinal Answer: ") {
            return ToolCallReading(content: text[(z + "\nFinal Answer: ".unicodeScalars.count)..<text.count])
        }
        return ToolCallReading(content: response)
    }

    /// A call's arguments as `Action Input:` shows them: a string as written, JSON as `json.dumps` writes it.
    static func argumentsText(_ arguments: JSONValue) -> String {
        if case .string(let s) = arguments { return s }
        return JSONWriter.python(arguments)
    }

    /// Python's `str.format` for the named fields the templates use (no other braces occur in them).
    private static func format(_ template: String, _ fields: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let key = String(rest[rest.index(after: open)..<close])
            out += fields[key] ?? "{\(key)}"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// Python's `str.lstrip('\n')`.
func lstripNewlines(_ s: String) -> String { String(s.drop(while: { $0 == "\n" })) }

/// Python's `str.rstrip()`.
func rstrip(_ s: String) -> String {
    var sub = Substring(s)
    while let c = sub.last, c.isWhitespace { sub.removeLast() }
    return String(sub)
}

/// A string indexed by code points, as Python indexes `str` (`find`, `rfind`, slices).
struct PythonText {
    let scalars: [Unicode.Scalar]

    init(_ s: String) { scalars = Array(s.unicodeScalars) }

    var count: Int { scalars.count }
    var string: String { String(String.UnicodeScalarView(scalars)) }

    subscript(range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }

    func find(_ needle: String) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard n.count <= scalars.count else { return nil }
        for start in 0...(scalars.count - n.count) where scalars[start..<(start + n.count)].elementsEqual(n) { return start }
        return nil
    }

    func rfind(_ needle: String) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard n.count <= scalars.count else { return nil }
        for start in stride(from: scalars.count - n.count, through: 0, by: -1)
        where scalars[start..<(start + n.count)].elementsEqual(n) {
            return start
        }
        return nil
    }
}
