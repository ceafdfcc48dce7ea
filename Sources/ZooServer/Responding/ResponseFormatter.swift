import Foundation
import QwenZoo

/// One choice as it grows from engine events: its text, its steps and, at the end, its summary.
struct ChoiceState: Sendable {
    var text = ""
    var steps: [TokenStep] = []
    var summary: SampleSummary?
}

/// Writes engine results in the wire shape of the endpoint that asked: chat (`chat.completion`,
/// `message`/`delta`, logprobs as `content` entries) or completions (`text_completion`, `text`,
/// the legacy parallel logprob lists). Full responses and streamed chunks share it, so both
/// say the same thing.
struct ResponseFormatter: Sendable {
    enum Style: Sendable { case chat, completion }

    let style: Style
    let id: String
    let created: Int
    let model: String
    let tokenizer: any Tokenizer
    let logprobs: Bool
    /// Completions choices carry their generated ids (`return_token_ids`).
    let tokenIDs: Bool

    init(style: Style, model: String, tokenizer: any Tokenizer, logprobs: Bool, tokenIDs: Bool = false) {
        self.style = style
        let random = (0..<24).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! }
        id = (style == .chat ? "chatcmpl-" : "cmpl-") + String(random)
        created = Int(Date().timeIntervalSince1970)
        self.model = model
        self.tokenizer = tokenizer
        self.logprobs = logprobs
        self.tokenIDs = tokenIDs
    }

    /// OpenAI's `finish_reason`: a stop id or string is `stop` (`tool_calls` when the reply called tools), a limit
    /// `length`.
    static func finishReason(_ reason: FinishReason, calledTools: Bool = false) -> String {
        switch reason {
        case .stopToken, .stopString, .stoppedByCaller: calledTools ? "tool_calls" : "stop"
        case .length, .contextFull: "length"
        }
    }

    // MARK: Full responses

    /// The whole response; `replies[i]` is choice i read for tool calls (nil: plain text).
    func full(_ choices: [ChoiceState], usage: Usage, receipts: [Receipt?], replies: [ToolReply?]) -> any Encodable & Sendable {
        switch style {
        case .chat:
            return ChatCompletionResponse(
                id: id, object: "chat.completion", created: created, model: model,
                choices: choices.enumerated().map { index, choice in
                    let reply = replies[index]
                    let calls = reply?.calls ?? []
                    let content: String? = if let reply { reply.content } else { choice.text }
                    return .init(
                        index: index,
                        message: .init(role: "assistant", content: NullEncoded(content),
                                       toolCalls: calls.isEmpty ? nil : calls.map { ToolCallWire.whole($0, id: ToolCallWire.newID()) }),
                        logprobs: NullEncoded(logprobs ? chatLogprobs(choice.steps) : nil),
                        finishReason: NullEncoded(choice.summary.map { Self.finishReason($0.finishReason, calledTools: !calls.isEmpty) }),
                        receipt: receipts[index], warnings: reply.flatMap { $0.warnings.isEmpty ? nil : $0.warnings })
                },
                usage: NullEncoded(usage), systemFingerprint: nil)
        case .completion:
            return CompletionResponse(
                id: id, created: created, model: model,
                choices: choices.enumerated().map { index, choice in
                    .init(index: index, text: choice.text,
                          logprobs: NullEncoded(logprobs ? completionLogprobs(choice.steps, offset: 0) : nil),
                          finishReason: NullEncoded(choice.summary.map { Self.finishReason($0.finishReason) }),
                          receipt: receipts[index], tokenIDs: tokenIDs ? choice.steps.map(\.id) : nil)
                },
                usage: NullEncoded(usage))
        }
    }

    // MARK: Chunks

    /// A chunk for choice `index`: new text or tool-call deltas (with the role on a chat choice's first chunk),
    /// the steps it came from when logprobs were asked for, or the choice's end (`finish`, a `finish_reason`).
    func chunk(index: Int, text: String?, toolCalls: [ToolCallWire]? = nil, first: Bool = false, steps: [TokenStep] = [],
               textOffset: Int = 0, finish: String? = nil, receipt: Receipt? = nil, warnings: [String]? = nil,
               includeUsage: Bool) -> any Encodable & Sendable {
        let usage: NullEncoded<Usage>? = includeUsage ? NullEncoded(nil) : nil
        let finishReason = NullEncoded(finish)
        switch style {
        case .chat:
            let delta = ChatCompletionResponse.Message(role: first ? "assistant" : nil, content: text.map { NullEncoded($0) },
                                                       toolCalls: toolCalls)
            return ChatCompletionResponse(
                id: id, object: "chat.completion.chunk", created: created, model: model,
                choices: [.init(index: index, delta: delta,
                                logprobs: NullEncoded(logprobs && !steps.isEmpty ? chatLogprobs(steps) : nil),
                                finishReason: finishReason, receipt: receipt, warnings: warnings)],
                usage: usage, systemFingerprint: nil)
        case .completion:
            return CompletionResponse(
                id: id, created: created, model: model,
                choices: [.init(index: index, text: text ?? "",
                                logprobs: NullEncoded(logprobs && !steps.isEmpty ? completionLogprobs(steps, offset: textOffset) : nil),
                                finishReason: finishReason, receipt: receipt, tokenIDs: tokenIDs && !steps.isEmpty ? steps.map(\.id) : nil)],
                usage: usage)
        }
    }

    /// The last chunk of a stream with `stream_options.include_usage`: no choices, the usage.
    func usageChunk(_ usage: Usage) -> any Encodable & Sendable {
        switch style {
        case .chat:
            ChatCompletionResponse(id: id, object: "chat.completion.chunk", created: created, model: model, choices: [],
                                   usage: NullEncoded(usage), systemFingerprint: nil)
        case .completion:
            CompletionResponse(id: id, created: created, model: model, choices: [], usage: NullEncoded(usage))
        }
    }

    // MARK: Log-probabilities

    private func surface(_ id: Int) -> (text: String, bytes: [UInt8]) {
        let bytes = tokenizer.bytes(of: id) ?? []
        return (String(decoding: bytes, as: UTF8.self), bytes)
    }

    private func chatLogprobs(_ steps: [TokenStep]) -> ChatLogprobs {
        ChatLogprobs(content: steps.map { step in
            let (token, bytes) = surface(step.id)
            return ChatLogprobs.Entry(
                token: token, logprob: Double(step.logprob ?? 0), bytes: bytes,
                topLogprobs: step.topLogprobs.map { alternative in
                    let (text, bytes) = surface(alternative.id)
                    return ChatLogprobs.Alternative(token: text, logprob: Double(alternative.logprob), bytes: bytes)
                })
        })
    }

    private func completionLogprobs(_ steps: [TokenStep], offset: Int) -> CompletionLogprobs {
        var result = CompletionLogprobs()
        var position = offset
        for step in steps {
            result.tokens.append(surface(step.id).text)
            result.tokenLogprobs.append(Double(step.logprob ?? 0))
            var top: [String: Double] = [:]
            for alternative in step.topLogprobs { top[surface(alternative.id).text] = Double(alternative.logprob) }
            result.topLogprobs.append(top)
            result.textOffset.append(position)
            position += step.text.count
        }
        return result
    }
}
