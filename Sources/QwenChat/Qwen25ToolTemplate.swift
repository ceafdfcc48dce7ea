import ZooCore

/// The tool-calling half of the Qwen2.5-Instruct chat template (also Qwen2.5-Coder-Instruct's, and
/// Qwen2.5-Math-Instruct's with its own default system prompt), rendered message by message as the Jinja template
/// does and tokenized as transformers tokenizes the rendered text: `<|im_start|>`, `<|im_end|>`, `<tool_call>` and
/// `</tool_call>` written by the template become their ids; everything a message carries is encoded as text.
struct Qwen25ToolTemplate {
    let ids: ChatMLIDs
    let tokenizer: any Tokenizer
    /// `<tool_call>` and `</tool_call>`: added tokens of the Qwen2.5 vocabulary (text for a tokenizer without them).
    let callOpen: Int?
    let callClose: Int?

    init(ids: ChatMLIDs, tokenizer: any Tokenizer) {
        self.ids = ids
        self.tokenizer = tokenizer
        callOpen = tokenizer.specialTokenID("<tool_call>")
        callClose = tokenizer.specialTokenID("</tool_call>")
    }

    /// The system block: the template's `{%- if tools %}` preamble, or the plain system turn.
    func system(_ system: String, tools: [ToolDefinition]) -> [Int] {
        var p = PromptPieces()
        p.append(ids.imStart)
        guard !tools.isEmpty else {
            p.append("system\n" + system)
            p.append(ids.imEnd)
            p.append("\n")
            return p.encode(tokenizer)
        }
        p.append("system\n" + system)
        appendMarkup(
            "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>", to: &p)
        for tool in tools { p.append("\n" + JSONWriter.python(tool.json)) }
        appendMarkup(
            "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
                + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
                + "<args-json-object>}\n</tool_call>", to: &p)
        p.append(ids.imEnd)
        p.append("\n")
        return p.encode(tokenizer)
    }

    /// The template's loop body for `messages[index]`, appended to `p` (a leading system message renders nothing:
    /// it went into the system block).
    func append(_ messages: [ChatMessage], at index: Int, to p: inout PromptPieces) {
        let m = messages[index]
        if m.role == .system, index == 0 { return }
        switch m.role {
        case .user, .system:
            appendPlain(m, to: &p)
        case .assistant where m.toolCalls.isEmpty:
            appendPlain(m, to: &p)
        case .assistant:
            p.append(ids.imStart)
            p.append("assistant" + (m.content.isEmpty ? "" : "\n" + m.content))
            for call in m.toolCalls {
                p.append("\n")
                appendOpen(to: &p)
                p.append("\n{\"name\": \"" + call.name + "\", \"arguments\": " + JSONWriter.python(call.arguments) + "}\n")
                appendClose(to: &p)
            }
            p.append(ids.imEnd)
            p.append("\n")
        case .tool:
            if index == 0 || messages[index - 1].role != .tool {
                p.append(ids.imStart)
                p.append("user")
            }
            p.append("\n<tool_response>\n" + m.content + "\n</tool_response>")
            if index == messages.count - 1 || messages[index + 1].role != .tool {
                p.append(ids.imEnd)
                p.append("\n")
            }
        }
    }

    /// `<|im_start|>{role}\n{content}<|im_end|>\n`.
    private func appendPlain(_ m: ChatMessage, to p: inout PromptPieces) {
        p.append(ids.imStart)
        p.append(m.role.rawValue + "\n" + m.content)
        p.append(ids.imEnd)
        p.append("\n")
    }

    /// `<|im_start|>assistant\n`, and with `openCall` the `<tool_call>\n` that a forced call continues.
    func generationPrompt(openCall: Bool) -> [Int] {
        var p = PromptPieces()
        p.append(ids.imStart)
        p.append("assistant\n")
        if openCall {
            appendOpen(to: &p)
            p.append("\n")
        }
        return p.encode(tokenizer)
    }

    private func appendOpen(to p: inout PromptPieces) {
        if let callOpen { p.append(callOpen) } else { p.append("<tool_call>") }
    }

    private func appendClose(to p: inout PromptPieces) {
        if let callClose { p.append(callClose) } else { p.append("</tool_call>") }
    }

    /// Template text in which `<tool_call>`/`</tool_call>` are the added tokens (as HF's split makes them).
    private func appendMarkup(_ text: String, to p: inout PromptPieces) {
        var rest = Substring(text)
        while let next = [rest.firstRange(of: "<tool_call>"), rest.firstRange(of: "</tool_call>")].compactMap({ $0 })
            .min(by: { $0.lowerBound < $1.lowerBound })
        {
            p.append(String(rest[..<next.lowerBound]))
            if rest[next] == "<tool_call>" { appendOpen(to: &p) } else { appendClose(to: &p) }
            rest = rest[next.upperBound...]
        }
        p.append(String(rest))
    }
}
