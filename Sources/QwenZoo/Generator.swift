import ZooCore
import ZooSamplers
import ZooScheduler

/// The ids a generation produced and why it ended.
public struct GenerationResult: Sendable, Equatable {
    /// The generated ids, including a final stop id, as transformers' `generate` returns them.
    public var tokens: [Int]
    /// Why generation ended.
    public var finishReason: FinishReason
    /// Prompt ids whose keys and values came from a ``PromptCache`` instead of a forward pass.
    public var cachedPromptTokens: Int = 0
}

/// The prefill → decode → sample loop over one model and one KV cache.
///
/// The model is shared; the cache and sampler are this generator's own, so several generators
/// can run on one model concurrently.
public struct Generator {
    /// The model that computes the logits; shared with other generators.
    public let model: any LanguageModel
    /// Picks each next id from the logits; reset at the start of every generation.
    public var sampler: any TokenSampler
    /// Ids that end generation; defaults to the model's end-of-sequence ids.
    public var stopIDs: Set<Int>
    /// Ids from this one up are never sampled: embedding rows past the tokenizer's last id are
    /// padding (Qwen pads 151,851 or 151,665 ids to 151,936 or 152,064 rows) and were never trained.
    public var firstUnusableID: Int?

    /// A generator over `model`, greedy unless `sampler` says otherwise; `stopIDs` `nil` means the
    /// model's end-of-sequence ids, `firstUnusableID` `nil` means every logit row is usable.
    public init(model: any LanguageModel, sampler: any TokenSampler = SamplerChain.greedy, stopIDs: Set<Int>? = nil,
                firstUnusableID: Int? = nil) {
        self.model = model
        self.sampler = sampler
        self.stopIDs = stopIDs ?? Set(model.endOfSequenceIDs)
        self.firstUnusableID = firstUnusableID
    }

    /// Generates up to `maxTokens` ids after `prompt`, calling `onToken` as each one is chosen;
    /// `onToken` returns false to stop (e.g. at a stop string). `seed` seeds this request's own
    /// random generator (greedy sampling ignores it).
    public mutating func generate(
        prompt: [Int], maxTokens: Int, seed: UInt64 = 0, onToken: (Int) throws -> Bool = { _ in true }
    ) throws -> GenerationResult {
        guard !prompt.isEmpty else { throw EmptyPromptError() }
        guard maxTokens > 0 else { return GenerationResult(tokens: [], finishReason: .length) }
        guard prompt.count <= model.contextLength else {
            throw ContextOverflowError(requested: prompt.count, capacity: model.contextLength)
        }
        // A throwaway cache just big enough: the same loop as a session's, nothing to reuse.
        let cache = PromptCache(model: model, capacity: min(model.contextLength, prompt.count + maxTokens))
        return try generate(prompt: prompt, cache: cache, maxTokens: maxTokens, seed: seed, onToken: onToken)
    }
}

extension Generator {
    /// Generates after `prompt` like ``generate(prompt:maxTokens:seed:onToken:)``, but in `cache`:
    /// the ids the cache already holds that `prompt` starts with are not computed again, and the
    /// cache keeps the sequence (prompt and generated ids) for the next request.
    ///
    /// - Parameters:
    ///   - prompt: the whole prompt, including what the cache may already hold.
    ///   - cache: the sequence's cache; on return it holds the prompt and the generated ids (the
    ///     last one excepted: it never ran through the model).
    ///   - maxTokens: the most ids to generate.
    ///   - seed: seeds this request's own random generator.
    ///   - prefillChunk: runs a long prompt in chunks of this many tokens, checking `shouldStop`
    ///     between them.
    ///   - shouldStop: consulted before every forward pass; returning true ends generation at once
    ///     (`CancellationError` during the prefill, ``FinishReason/stoppedByCaller`` after it).
    ///   - onToken: called with each chosen id; returns false to stop.
    /// - Returns: the generated ids, why generation ended, and how many prompt ids the cache supplied.
    public mutating func generate(
        prompt: [Int], cache: PromptCache, maxTokens: Int, seed: UInt64 = 0, prefillChunk: Int? = nil,
        shouldStop: () -> Bool = { false }, onToken: (Int) throws -> Bool = { _ in true }
    ) throws -> GenerationResult {
        guard !prompt.isEmpty else { throw EmptyPromptError() }
        var result = GenerationResult(tokens: [], finishReason: .length)
        guard maxTokens > 0 else { return result }
        guard prompt.count <= min(model.contextLength, cache.storage.capacity) else {
            throw ContextOverflowError(requested: prompt.count, capacity: min(model.contextLength, cache.storage.capacity))
        }
        var stepper = SampleStepper(prompt: prompt, sampler: sampler, seed: seed, maxTokens: maxTokens,
                                    stopTokenIDs: stopIDs, tokenizer: nil, firstUnusableID: firstUnusableID)
        var (logits, reused) = try cache.prefill(prompt, chunkSize: prefillChunk, shouldStop: shouldStop)
        result.cachedPromptTokens = reused
        while true {
            let step = try stepper.step(logits: logits.last, roomForAnother: !cache.isFull)
            if try !onToken(step.token.id) || (step.finishReason == nil && shouldStop()) { _ = stepper.stop() }
            if let finish = stepper.finishReason {
                result.tokens = stepper.tokens
                result.finishReason = finish
                return result
            }
            logits = try cache.append(step.token.id)
        }
    }
}
