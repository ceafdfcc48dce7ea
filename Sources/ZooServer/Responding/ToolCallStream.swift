import QwenZoo

/// One streamed choice of a tool chat: turns the engine's text into content and whole tool calls, so that the
/// stream says what the whole response says.
///
/// - Content passes through as it comes, except text that could still be the start of `<tool_call>`, which is
///   held back until it cannot, and whitespace at the ends of the content, which the whole response strips.
/// - A `<tool_call>` block is held until `</tool_call>` closes it (or the reply ends), then read by
///   ``ToolReplyReader`` exactly as a whole reply is: a call, or, when malformed, content with a warning. A stream
///   thus never announces a call that turns out not to parse, and its arguments equal the whole response's.
/// - A forced call (opened in the prompt) and a variant without blocks (Qwen v1's ReAct lines) are read when the
///   reply ends.
struct ToolCallStream {
    /// What the stream sends next.
    enum Piece: Equatable {
        case content(String)
        case call(ToolCall)
    }

    let reader: ToolReplyReader
    /// Whether the reply is read block by block; otherwise it is held whole until the end.
    private let byBlock: Bool
    /// Text not yet sent: the reply so far (held whole), the inside of an open block, or text that could begin one.
    private var pending = ""
    private var inBlock = false
    /// Whitespace after the last content sent, sent only if more content follows.
    private var heldSpace = ""
    private var sentContent = false
    private(set) var calls: [ToolCall] = []
    private(set) var warnings: [String] = []

    init(reader: ToolReplyReader) {
        self.reader = reader
        byBlock = !reader.forcesCall && reader.readsBlocks
    }

    /// The pieces that `text`, the next text of the reply, lets the stream send.
    mutating func feed(_ text: String) -> [Piece] {
        pending += text
        guard byBlock else { return [] }
        var pieces: [Piece] = []
        while true {
            if inBlock {
                guard let close = pending.range(of: ToolCallBlock.close) else { break }
                pieces += take(reader.readBlock(String(pending[..<close.lowerBound]), closed: true))
                pending = String(pending[close.upperBound...])
                inBlock = false
            } else if let open = pending.range(of: ToolCallBlock.open) {
                pieces += content(String(pending[..<open.lowerBound]))
                pending = String(pending[open.upperBound...])
                inBlock = true
            } else {
                // Send all but the longest end that could still become `<tool_call>`.
                let keep = Self.partialOpening(pending)
                pieces += content(String(pending.dropLast(keep)))
                pending = String(pending.suffix(keep))
                break
            }
        }
        return pieces
    }

    /// The pieces left when the reply has ended.
    mutating func finish() -> [Piece] {
        defer { pending = "" }
        guard byBlock else {
            let whole = reader.read(pending)
            return take(whole)
        }
        if inBlock { return take(reader.readBlock(pending, closed: false)) }
        return content(pending)
    }

    /// The length of the longest end of `text` that is a proper beginning of `<tool_call>`.
    static func partialOpening(_ text: String) -> Int {
        let open = ToolCallBlock.open
        for length in stride(from: min(open.count - 1, text.count), to: 0, by: -1) where open.hasPrefix(text.suffix(length)) {
            return length
        }
        return 0
    }

    /// A reading's calls (the first only, with `parallel_tool_calls: false`) and content.
    private mutating func take(_ reply: ToolReply) -> [Piece] {
        warnings += reply.warnings
        var pieces = reply.content.map { content($0) } ?? []
        for call in reply.calls {
            if !reader.parallelToolCalls, !calls.isEmpty {
                warnings.append("parallel_tool_calls is false: dropped the call of \(call.name)")
                continue
            }
            calls.append(call)
            pieces.append(.call(call))
        }
        return pieces
    }

    /// Content, without the whitespace at its ends (held until more content follows it).
    private mutating func content(_ text: String) -> [Piece] {
        let text = heldSpace + text
        guard let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            heldSpace = text
            return []
        }
        var sent = text[...last]
        heldSpace = String(text[text.index(after: last)...])
        if !sentContent { sent = sent.drop(while: \.isWhitespace) }
        sentContent = true
        return [.content(String(sent))]
    }
}
