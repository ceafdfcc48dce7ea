import QwenZoo

/// A reply read for tool calls: the calls, the text outside them, and what the user should know.
struct ToolReply: Sendable, Equatable {
    /// The text outside the calls (malformed call blocks stay here); nil when the reply is only calls.
    var content: String?
    var calls: [ToolCall]
    /// Blocks that did not parse, arguments that do not match their tool's schema, calls dropped by
    /// `parallel_tool_calls: false`.
    var warnings: [String]
}

/// Reads a tool chat's replies with the model's variant, as the Swift API does (``ToolUse/reading(_:for:variant:)``:
/// Qwen2.5's `<tool_call>` blocks and their fallbacks, or Qwen v1's ReAct lines; arguments validated against the
/// tool's schema), and applies `parallel_tool_calls`.
struct ToolReplyReader: Sendable {
    /// The tool chat the reply answers.
    let request: VariantRequest
    let variant: any Variant
    /// The call was opened in the prompt: the reply is the inside of one block.
    let forcesCall: Bool
    let parallelToolCalls: Bool

    /// Whether the variant writes calls as `<tool_call>…</tool_call>` blocks, which a stream can pass through
    /// block by block (Qwen2.5); otherwise a stream holds the whole reply (Qwen v1's ReAct lines) until its end.
    var readsBlocks: Bool {
        let probe = VariantRequest.toolChat(ToolChatRequest(messages: [], tools: [ToolDefinition(name: "probe")]))
        let block = ToolCallBlock.open + "\n{\"name\": \"probe\", \"arguments\": {}}\n" + ToolCallBlock.close
        return ToolUse.reading(block, for: probe, variant: variant)?.calls.count == 1
    }

    /// The calls and content of a whole reply.
    func read(_ text: String) -> ToolReply {
        guard let reading = ToolUse.reading(text, for: request, variant: variant) else {
            return ToolReply(content: text, calls: [], warnings: [])
        }
        return reply(reading)
    }

    /// The calls and content of one closed (or, at the end, unclosed) `<tool_call>` block of a stream whose call
    /// was not opened in the prompt.
    func readBlock(_ inner: String, closed: Bool) -> ToolReply {
        read(ToolCallBlock.open + inner + (closed ? ToolCallBlock.close : ""))
    }

    private func reply(_ reading: ToolCallReading) -> ToolReply {
        var calls = reading.calls
        var warnings = reading.warnings
        if !parallelToolCalls, calls.count > 1 {
            warnings.append("parallel_tool_calls is false: kept the first of \(calls.count) calls")
            calls = [calls[0]]
        }
        return ToolReply(content: calls.isEmpty || !reading.content.isEmpty ? reading.content : nil, calls: calls, warnings: warnings)
    }
}

/// Qwen2.5's call markup (the tokens `<tool_call>` and `</tool_call>` of its vocabulary).
enum ToolCallBlock {
    static let open = "<tool_call>"
    static let close = "</tool_call>"
}
