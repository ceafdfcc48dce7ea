import ZooCore

extension EngineRequest {
    /// Throws ``EngineRequestError`` naming the field when the request can never run on `model`.
    func validate(for model: any LanguageModel, budget: KVBudget, parallel: Int) throws {
        guard !prompt.isEmpty else {
            throw EngineRequestError(field: "prompt", message: "the prompt is empty: give at least one token")
        }
        guard prompt.count <= model.contextLength else {
            throw EngineRequestError(
                field: "prompt",
                message: "the prompt has \(prompt.count) tokens but the model's context holds \(model.contextLength)")
        }
        if let bad = prompt.first(where: { $0 < 0 || $0 >= model.vocabularySize }) {
            throw EngineRequestError(
                field: "prompt", message: "token id \(bad) is outside the vocabulary (0..<\(model.vocabularySize))")
        }
        guard maxTokens >= 0 else { throw EngineRequestError(field: "max_tokens", message: "must be at least 0, found \(maxTokens)") }
        guard samples >= 1 else { throw EngineRequestError(field: "n", message: "must be at least 1, found \(samples)") }
        // More samples than the batch holds run when the batch is empty (a session's votes); beyond
        // this, the request is refused rather than making thousands of sequences.
        let mostSamples = max(parallel, 64)
        guard samples <= mostSamples else {
            throw EngineRequestError(field: "n", message: "must be at most \(mostSamples), found \(samples)")
        }
        if let k = topLogprobs, k < 0 {
            throw EngineRequestError(field: "top_logprobs", message: "must be at least 0, found \(k)")
        }
        let needed = budget.reservation(for: self, contextLength: model.contextLength)
        if budget.limit > 0, needed > budget.limit {
            throw EngineRequestError(
                field: "max_tokens",
                message: "\(samples) sample(s) of \(cacheCapacity(contextLength: model.contextLength)) positions need \(needed) bytes of KV cache but the budget is \(budget.limit) bytes: lower max_tokens or n")
        }
    }

    /// The positions one sample's cache needs: the prompt and every generated id but the last, within the context.
    func cacheCapacity(contextLength: Int) -> Int {
        min(contextLength, prompt.count + min(max(1, maxTokens), contextLength))
    }
}
