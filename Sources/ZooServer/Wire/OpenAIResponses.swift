import QwenZoo

// The response bodies of the OpenAI API (and vLLM's /tokenize, /detokenize), encoded as the
// official clients parse them. Optional fields that OpenAI sends as `null` are encoded as `null`
// (`NullEncoded`), not left out, because some clients test for the key.

/// `usage` of a response.
struct Usage: Encodable, Sendable, Equatable {
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int { promptTokens + completionTokens }
    var cachedTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }

    private struct Details: Encodable {
        var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        try c.encode(Details(cachedTokens: cachedTokens), forKey: .promptTokensDetails)
    }
}

/// A value OpenAI writes as `null` when absent.
struct NullEncoded<Value: Encodable & Sendable>: Encodable, Sendable {
    var value: Value?
    init(_ value: Value?) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encodeNil() }
    }
}

// MARK: - Chat

/// `chat.completion` and `chat.completion.chunk`.
struct ChatCompletionResponse: Encodable, Sendable {
    var id: String
    var object: String
    var created: Int
    var model: String
    var choices: [Choice]
    /// Present on full responses; on chunks only when `stream_options.include_usage` (then `null`
    /// except on the last chunk).
    var usage: NullEncoded<Usage>?
    var systemFingerprint: String?

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }

    struct Choice: Encodable, Sendable {
        var index: Int
        /// Full responses carry `message`, chunks `delta`.
        var message: Message?
        var delta: Message?
        var logprobs: NullEncoded<ChatLogprobs>
        var finishReason: NullEncoded<String>
        /// QwenZoo's extension, with `receipt: true`.
        var receipt: Receipt?
        /// QwenZoo's extension: what a tool chat's reply had wrong (a call that did not parse, arguments that do
        /// not match the tool's schema); absent when nothing.
        var warnings: [String]?

        enum CodingKeys: String, CodingKey {
            case index, message, delta, logprobs, receipt, warnings
            case finishReason = "finish_reason"
        }
    }

    /// A whole `message` or a chunk's `delta`: absent fields are left out, `content: null` is written as null.
    struct Message: Encodable, Sendable {
        var role: String?
        var content: NullEncoded<String>?
        var toolCalls: [ToolCallWire]?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
        }
    }
}

/// Chat's `logprobs`: `{"content": [{"token", "logprob", "bytes", "top_logprobs"}]}`.
struct ChatLogprobs: Encodable, Sendable {
    var content: [Entry]

    struct Entry: Encodable, Sendable {
        var token: String
        var logprob: Double
        var bytes: [UInt8]
        var topLogprobs: [Alternative]
        enum CodingKeys: String, CodingKey {
            case token, logprob, bytes
            case topLogprobs = "top_logprobs"
        }
    }

    struct Alternative: Encodable, Sendable {
        var token: String
        var logprob: Double
        var bytes: [UInt8]
    }
}

// MARK: - Completions

/// `text_completion`, full or as a streamed chunk.
struct CompletionResponse: Encodable, Sendable {
    var id: String
    var object = "text_completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: NullEncoded<Usage>?

    struct Choice: Encodable, Sendable {
        var index: Int
        var text: String
        var logprobs: NullEncoded<CompletionLogprobs>
        var finishReason: NullEncoded<String>
        var receipt: Receipt?
        /// The generated ids (vLLM's `token_ids`), when the request said `return_token_ids`.
        var tokenIDs: [Int]? = nil

        enum CodingKeys: String, CodingKey {
            case index, text, logprobs, receipt
            case finishReason = "finish_reason", tokenIDs = "token_ids"
        }
    }
}

/// Completions' legacy `logprobs`: parallel lists per generated token.
struct CompletionLogprobs: Encodable, Sendable {
    var tokens: [String] = []
    var tokenLogprobs: [Double] = []
    var topLogprobs: [[String: Double]] = []
    var textOffset: [Int] = []

    enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }
}

// MARK: - Models, tokenizer, health

/// `GET /v1/models`.
struct ModelList: Encodable, Sendable {
    var object = "list"
    var data: [Entry]

    struct Entry: Encodable, Sendable {
        var id: String
        var object = "model"
        var created: Int
        var ownedBy = "qwenzoo"
        /// The longest sequence the model runs (vLLM's field).
        var maxModelLen: Int?
        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by", maxModelLen = "max_model_len"
        }
    }
}

/// `POST /tokenize` (vLLM's shape).
struct TokenizeResponse: Encodable, Sendable {
    var tokens: [Int]
    var count: Int
    var maxModelLen: Int
    enum CodingKeys: String, CodingKey {
        case tokens, count
        case maxModelLen = "max_model_len"
    }
}

/// `POST /detokenize` (vLLM's shape).
struct DetokenizeResponse: Encodable, Sendable {
    var prompt: String
}

/// `GET /health`.
struct HealthResponse: Encodable, Sendable {
    var status: String
}
