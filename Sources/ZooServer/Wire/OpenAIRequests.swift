// The request bodies of the OpenAI API as QwenZoo reads them (Codable; names as on the wire).
// Only decoding happens here; what the values mean and whether they are in range is
// RequestMapping's job, so every range check names its field in one place.

/// `POST /v1/chat/completions`.
struct ChatCompletionRequest: Decodable, Sendable {
    var model: String?
    var messages: [ChatMessageInput]
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    /// Chat's `logprobs` is a flag; `top_logprobs` says how many alternatives.
    var logprobs: Bool?
    var topLogprobs: Int?
    var generation: GenerationFields
    /// Whether the body has tool-use fields (or messages with tool calls), which ``ToolFields`` reads.
    var hasToolFields: Bool
    /// The tool-use fields, read in order by ``decode(from:)`` when ``hasToolFields``.
    var tools: ToolFields?

    enum CodingKeys: String, CodingKey {
        case model, messages, logprobs
        case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens", topLogprobs = "top_logprobs"
        case toolList = "tools", toolChoice = "tool_choice", parallelToolCalls = "parallel_tool_calls"
        case responseFormat = "response_format"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        messages = try c.decode([ChatMessageInput].self, forKey: .messages)
        maxTokens = try c.integerIfPresent(Int.self, forKey: .maxTokens)
        maxCompletionTokens = try c.integerIfPresent(Int.self, forKey: .maxCompletionTokens)
        logprobs = try c.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try c.integerIfPresent(Int.self, forKey: .topLogprobs)
        generation = try GenerationFields(from: decoder)
        hasToolFields = try [CodingKeys.toolList, .toolChoice, .parallelToolCalls, .responseFormat].contains {
            try c.contains($0) && !c.decodeNil(forKey: $0)
        } || messages.contains(where: \.hasToolCalls)
    }
}

/// `POST /v1/completions`.
struct CompletionRequest: Decodable, Sendable {
    var model: String?
    var prompt: PromptInput
    /// The text after the completion: fill-in-the-middle on a code manifest.
    var suffix: String?
    var maxTokens: Int?
    /// Completions' `logprobs` is a count of alternatives (0 = the chosen token's only).
    var logprobs: Int?
    var echo: Bool?
    var bestOf: Int?
    var generation: GenerationFields

    enum CodingKeys: String, CodingKey {
        case model, prompt, suffix, logprobs, echo
        case maxTokens = "max_tokens", bestOf = "best_of"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        prompt = try c.decode(PromptInput.self, forKey: .prompt)
        suffix = try c.decodeIfPresent(String.self, forKey: .suffix)
        maxTokens = try c.integerIfPresent(Int.self, forKey: .maxTokens)
        logprobs = try c.integerIfPresent(Int.self, forKey: .logprobs)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo)
        bestOf = try c.integerIfPresent(Int.self, forKey: .bestOf)
        generation = try GenerationFields(from: decoder)
    }
}

/// The fields chat and completions share: sampling, stops, samples, streaming and QwenZoo's
/// extensions (`chain`, `receipt`). Decoded from the same object as the request around it.
struct GenerationFields: Decodable, Sendable {
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var minP: Double?
    var repetitionPenalty: Double?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    /// Token id (as a string key, as JSON objects have) → bias in [-100, 100].
    var logitBias: [String: Double]?
    var seed: Int64?
    var stop: StopInput?
    var n: Int?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var user: String?
    /// QwenZoo's extension: a sampler chain in `--chain` syntax that replaces the manifest's.
    var chain: String?
    /// QwenZoo's extension: return a receipt per choice that `zoo replay` accepts.
    var receipt: Bool?
    /// vLLM's `return_token_ids`: each completions choice also carries the generated ids (`token_ids`),
    /// so a client that reads the output itself (a remote engine) sees exactly the ids the model chose.
    var returnTokenIDs: Bool?
    /// vLLM's `stop_token_ids`: ids that end a sample besides the prompt's own stops.
    var stopTokenIDs: [Int]?
    /// Fields the server does not serve (OpenAI's deprecated `functions`); refused by name.
    var unsupported: [String]

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    enum CodingKeys: String, CodingKey {
        case temperature, seed, stop, n, stream, user, chain, receipt
        case topP = "top_p", topK = "top_k", minP = "min_p", repetitionPenalty = "repetition_penalty"
        case presencePenalty = "presence_penalty", frequencyPenalty = "frequency_penalty", logitBias = "logit_bias"
        case streamOptions = "stream_options"
        case functions, functionCall = "function_call"
        case returnTokenIDs = "return_token_ids", stopTokenIDs = "stop_token_ids"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        topK = try c.integerIfPresent(Int.self, forKey: .topK)
        minP = try c.decodeIfPresent(Double.self, forKey: .minP)
        repetitionPenalty = try c.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        presencePenalty = try c.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try c.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        logitBias = try c.decodeIfPresent([String: Double].self, forKey: .logitBias)
        seed = try c.integerIfPresent(Int64.self, forKey: .seed)
        stop = try c.decodeIfPresent(StopInput.self, forKey: .stop)
        n = try c.integerIfPresent(Int.self, forKey: .n)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        chain = try c.decodeIfPresent(String.self, forKey: .chain)
        receipt = try c.decodeIfPresent(Bool.self, forKey: .receipt)
        returnTokenIDs = try c.decodeIfPresent(Bool.self, forKey: .returnTokenIDs)
        stopTokenIDs = try c.decodeIfPresent([Int].self, forKey: .stopTokenIDs)
        unsupported = []
        for key in [CodingKeys.functions, .functionCall] where try c.contains(key) && !c.decodeNil(forKey: key) {
            unsupported.append(key.stringValue)
        }
    }
}

/// One chat message; `content` is a string or a list of text parts. An assistant message's `tool_calls` are read
/// in order by ``ToolFields``; a `tool` message answers the call `tool_call_id`.
struct ChatMessageInput: Decodable, Sendable {
    var role: String
    var content: String
    var toolCallID: String?
    var hasToolCalls: Bool

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCallID = "tool_call_id", toolCalls = "tool_calls"
    }

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
        hasToolCalls = try c.contains(.toolCalls) && !c.decodeNil(forKey: .toolCalls)
        if let text = try? c.decode(String.self, forKey: .content) {
            content = text
        } else if let parts = try? c.decode([Part].self, forKey: .content) {
            guard let other = parts.first(where: { $0.type != "text" || $0.text == nil }) else {
                content = parts.compactMap(\.text).joined()
                return
            }
            throw DecodingError.dataCorruptedError(
                forKey: .content, in: c,
                debugDescription: "content parts of type \"\(other.type)\" are not supported (only \"text\" parts)")
        } else if c.contains(.content), try c.decodeNil(forKey: .content) {
            content = ""
        } else if !c.contains(.content), hasToolCalls {
            content = ""
        } else if !c.contains(.content) {
            throw DecodingError.keyNotFound(CodingKeys.content, .init(codingPath: c.codingPath, debugDescription: "no content"))
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: c.codingPath + [CodingKeys.content],
                                   debugDescription: "expected a string or a list of text parts"))
        }
    }
}

/// `prompt`: a string, or the prompt's token ids.
enum PromptInput: Decodable, Sendable, Equatable {
    case text(String)
    case ids([Int])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            self = .text(text)
        } else if let ids = try? c.decode([Int].self) {
            self = .ids(ids)
        } else if let texts = try? c.decode([String].self), texts.count == 1 {
            self = .text(texts[0])
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: c.codingPath,
                                   debugDescription: "expected a string or an array of token ids (one prompt per request)"))
        }
    }
}

/// `stop`: a string or a list of strings.
struct StopInput: Decodable, Sendable, Equatable {
    var strings: [String]

    init(strings: [String]) { self.strings = strings }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(String.self) {
            strings = [one]
        } else if let many = try? c.decode([String].self) {
            strings = many
        } else if c.decodeNil() {
            strings = []
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: c.codingPath, debugDescription: "expected a string or a list of strings"))
        }
    }
}

/// `POST /tokenize`: `prompt` text, or `messages` rendered by the model's chat variant.
struct TokenizeRequest: Decodable, Sendable {
    var model: String?
    var prompt: String?
    var messages: [ChatMessageInput]?
}

/// `POST /detokenize`.
struct DetokenizeRequest: Decodable, Sendable {
    var model: String?
    var tokens: [Int]
}

extension KeyedDecodingContainer {
    /// An optional integer field. Foundation reports a fraction where an integer belongs (`"n": 1.5`)
    /// as invalid JSON without the field's name; this names it.
    func integerIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let value = try? decode(T.self, forKey: key) { return value }
        throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath + [key], debugDescription: "expected an integer"))
    }
}
