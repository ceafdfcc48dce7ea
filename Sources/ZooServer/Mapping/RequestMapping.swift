import QwenZoo

/// A request checked and resolved against its model: what the engine runs, and what the
/// response needs to report it.
struct ServedRequest: Sendable {
    var model: ServedModel
    var engine: EngineRequest
    /// The rendered prompt and every stop (variant's, manifest's and the request's): a receipt's.
    var plan: PromptPlan
    var stream: Bool
    var includeUsage: Bool
    var wantsReceipt: Bool
    /// `return_token_ids`: completions choices carry the generated ids.
    var returnTokenIDs = false
    /// Reads a tool chat's replies for calls; nil when the replies are plain text.
    var toolReader: ToolReplyReader? = nil
}

/// Turns the wire requests into ``EngineRequest``s: checks every field's type and range (errors
/// name the field), renders the prompt through the manifest's variant exactly as `zoo generate`
/// does, and lays the sampling fields over the manifest's chain.
enum RequestMapping {
    /// The most samples one request may ask for.
    static let maxSamples = 16
    /// The most alternatives `top_logprobs` may ask for per token.
    static let maxTopLogprobs = 20
    /// The most stop strings one request may give.
    static let maxStops = 16

    /// `POST /v1/chat/completions`: the messages through the manifest's chat variant.
    static func chat(_ body: ChatCompletionRequest, model: ServedModel) throws -> ServedRequest {
        if body.logprobs != true, body.topLogprobs != nil {
            throw APIError.invalid("top_logprobs", "\"top_logprobs\" needs \"logprobs\": true")
        }
        let top = try checked(body.topLogprobs, "top_logprobs", 0...maxTopLogprobs)
        let use = ToolMapping.use(body.tools)
        let request = use.request(try chatMessages(body.messages, calls: body.tools?.messageCalls ?? [:]))
        let plan = try render(request, model: model, field: "messages")
        let maxTokens = try checkedMaxTokens(body.maxCompletionTokens.map { ("max_completion_tokens", $0) }
                                             ?? body.maxTokens.map { ("max_tokens", $0) })
        var served = try served(plan, field: "messages", maxTokens: maxTokens, topLogprobs: body.logprobs == true ? (top ?? 0) : nil,
                                fields: body.generation, model: model, use: use)
        served.toolReader = ToolMapping.reader(request, use: use, fields: body.tools, model: model)
        return served
    }

    /// The messages as the Swift API holds them: roles checked (`developer` is a system message), an assistant's
    /// `tool_calls` (`calls`, by message index) and a tool result's `tool_call_id` carried over.
    static func chatMessages(_ input: [ChatMessageInput], calls: [Int: [ToolCall]]) throws -> [ChatMessage] {
        guard !input.isEmpty else { throw APIError.invalid("messages", "\"messages\" is empty: give at least one message") }
        var messages: [ChatMessage] = []
        for (index, message) in input.enumerated() {
            let role: ChatMessage.Role
            switch message.role {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            case "tool": role = .tool
            case "function": throw APIError.notSupportedYet("messages[\(index)].role")
            default:
                throw APIError.invalid("messages[\(index)].role",
                                       "\"messages[\(index)].role\" must be system, user, assistant or tool, found \"\(message.role)\"")
            }
            if message.hasToolCalls, role != .assistant {
                throw APIError.invalid("messages[\(index)].tool_calls", "\"messages[\(index)].tool_calls\": only assistant messages call tools")
            }
            messages.append(ChatMessage(role, message.content, toolCalls: calls[index] ?? [],
                                        toolCallID: role == .tool ? message.toolCallID : nil))
        }
        return messages
    }

    /// `POST /v1/completions`: a prompt (text through the variant as `zoo generate --prompt`
    /// sends it, or ids as they are), or with `suffix` a fill-in-the-middle on a code manifest.
    static func completion(_ body: CompletionRequest, model: ServedModel) throws -> ServedRequest {
        if body.echo == true { throw APIError.notSupportedYet("echo") }
        if let bestOf = body.bestOf, bestOf != (body.generation.n ?? 1) { throw APIError.notSupportedYet("best_of") }
        let top = try checked(body.logprobs, "logprobs", 0...maxTopLogprobs)
        let plan: PromptPlan
        switch body.prompt {
        case .ids(let ids):
            if body.suffix != nil { throw APIError.invalid("suffix", "\"suffix\" needs a text prompt, not token ids") }
            let vocabulary = model.zoo.tokenizer.count
            if let bad = ids.firstIndex(where: { !(0..<vocabulary).contains($0) }) {
                throw APIError.invalid("prompt", "\"prompt[\(bad)]\": token id \(ids[bad]) is not in the vocabulary (0..<\(vocabulary))")
            }
            plan = model.zoo.plan(promptIDs: ids)
        case .text(let text):
            if let suffix = body.suffix {
                guard model.zoo.manifest.variant.name == "code" else {
                    throw APIError.invalid(
                        "suffix", "\"suffix\" (fill-in-the-middle) needs a code manifest; \(model.name)'s variant is \"\(model.zoo.manifest.variant.name)\"")
                }
                plan = try render(.infill(prefix: text, suffix: suffix), model: model, field: "suffix")
            } else {
                plan = try render(model.zoo.variant.request(forPrompt: text), model: model, field: "prompt")
            }
        }
        return try served(plan, field: "prompt", maxTokens: try checkedMaxTokens(body.maxTokens.map { ("max_tokens", $0) }),
                          topLogprobs: top, fields: body.generation, model: model)
    }

    // MARK: - Shared

    static func render(_ request: VariantRequest, model: ServedModel, field: String) throws -> PromptPlan {
        do {
            return try model.zoo.plan(request)
        } catch let error as UnsupportedRequestError {
            throw APIError.invalid(field, "\(model.name) cannot serve this request: \(error)")
        }
    }

    private static func served(_ rendered: PromptPlan, field: String, maxTokens requested: Int?, topLogprobs: Int?,
                               fields: GenerationFields, model: ServedModel, use: ToolUse = ToolUse()) throws -> ServedRequest {
        if let name = fields.unsupported.first { throw APIError.notSupportedYet(name) }
        var plan = rendered
        let context = model.zoo.model.contextLength
        guard !plan.tokens.isEmpty else { throw APIError.invalid(field, "\"\(field)\" is empty: give at least one token of text") }
        guard plan.tokens.count < context else {
            throw APIError(status: 400, message: "the prompt has \(plan.tokens.count) tokens but \(model.name)'s context holds \(context) (the prompt must leave room for at least one generated token)",
                           param: field, code: "context_length_exceeded")
        }
        let n = try checked(fields.n, "n", 1...maxSamples) ?? 1
        let stops = fields.stop?.strings ?? []
        guard stops.count <= maxStops else { throw APIError.invalid("stop", "\"stop\" has \(stops.count) strings; the most is \(maxStops)") }
        if let empty = stops.firstIndex(of: "") { throw APIError.invalid("stop", "\"stop[\(empty)]\" is empty") }
        plan.stopStrings += stops
        let vocabulary = model.zoo.tokenizer.count
        if let bad = fields.stopTokenIDs?.first(where: { !(0..<vocabulary).contains($0) }) {
            throw APIError.invalid("stop_token_ids", "\"stop_token_ids\": \(bad) is not a token id of the vocabulary (0..<\(vocabulary))")
        }
        plan.stopTokenIDs.formUnion(fields.stopTokenIDs ?? [])
        let defaults = model.zoo.limits(for: GenerationOptions())
        // Without an explicit limit, the manifest's default is fitted into what the context leaves.
        let maxTokens = requested ?? min(defaults.maxTokens, context - plan.tokens.count)
        let stages = try ToolMapping.constrained(try samplerStages(fields, model: model), use: use, model: model)
        let engine = EngineRequest(
            prompt: plan.tokens, sampler: stages, seed: fields.seed.map { UInt64(bitPattern: $0) } ?? defaults.seed,
            maxTokens: maxTokens, stopTokenIDs: plan.stopTokenIDs, stopStrings: plan.stopStrings, samples: n,
            topLogprobs: topLogprobs)
        let stream = fields.stream ?? false
        return ServedRequest(model: model, engine: engine, plan: plan, stream: stream,
                             includeUsage: stream && fields.streamOptions?.includeUsage == true,
                             wantsReceipt: fields.receipt ?? false, returnTokenIDs: fields.returnTokenIDs ?? false)
    }

    /// The chain: `chain` (or the manifest's) with the sampling fields laid over it, built once
    /// here so a bad chain is a 400, never a failure mid-stream.
    static func samplerStages(_ fields: GenerationFields, model: ServedModel) throws -> [SamplerStageSpec] {
        var base = model.zoo.manifest.samplerStages
        if let chain = fields.chain {
            do { base = try ChainSyntax.parse(chain) } catch { throw APIError.invalid("chain", "\"chain\": \(error)") }
        }
        let stages = try overrides(fields, vocabulary: model.zoo.tokenizer.count).apply(to: base)
        do {
            _ = try model.zoo.manifest.samplerChain(stages, components: model.zoo.components)
        } catch {
            throw APIError.invalid(fields.chain == nil ? nil : "chain", "the sampler chain \"\(ChainSyntax.format(stages))\" is invalid: \(error)")
        }
        return stages
    }

    /// The sampling fields, range-checked, as stage overrides.
    static func overrides(_ fields: GenerationFields, vocabulary: Int) throws -> SamplerOverrides {
        var overrides = SamplerOverrides()
        if let bias = fields.logitBias, !bias.isEmpty {
            var options: [String: OptionValue] = [:]
            for key in bias.keys.sorted() {
                guard let id = Int(key), (0..<vocabulary).contains(id) else {
                    throw APIError.invalid("logit_bias", "\"logit_bias\": \"\(key)\" is not a token id of the vocabulary (0..<\(vocabulary))")
                }
                let value = bias[key]!
                guard (-100...100).contains(value) else {
                    throw APIError.invalid("logit_bias", "\"logit_bias\": the bias of \(key) must be in [-100, 100], found \(value)")
                }
                options[String(id)] = .number(value)
            }
            overrides.set("logit_bias", options: options)
        }
        if let value = try checked(fields.repetitionPenalty, "repetition_penalty", 0.01...10) { overrides.set("repetition_penalty", value) }
        if let value = try checked(fields.presencePenalty, "presence_penalty", -2...2) { overrides.set("presence_penalty", value) }
        if let value = try checked(fields.frequencyPenalty, "frequency_penalty", -2...2) { overrides.set("frequency_penalty", value) }
        if let value = try checked(fields.temperature, "temperature", 0...2) { overrides.set("temperature", value) }
        if let value = try checked(fields.topK, "top_k", -1...Int(Int32.max)) {
            if value > 0 { overrides.set("top_k", Double(value)) } else { overrides.removed.insert("top_k") }
        }
        if let value = fields.topP {
            guard value > 0, value <= 1 else { throw APIError.invalid("top_p", "\"top_p\" must be in (0, 1], found \(value)") }
            overrides.set("top_p", value)
        }
        if let value = try checked(fields.minP, "min_p", 0...1) { overrides.set("min_p", value) }
        return overrides
    }

    private static func checkedMaxTokens(_ given: (field: String, value: Int)?) throws -> Int? {
        guard let given else { return nil }
        return try checked(given.value, given.field, 1...Int(Int32.max))
    }

    private static func checked<T: Comparable>(_ value: T?, _ field: String, _ range: ClosedRange<T>) throws -> T? {
        guard let value else { return nil }
        guard range.contains(value) else {
            throw APIError.invalid(field, "\"\(field)\" must be in [\(range.lowerBound), \(range.upperBound)], found \(value)")
        }
        return value
    }
}
