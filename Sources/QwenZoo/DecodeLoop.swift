import ZooCore
import ZooSamplers
import ZooScheduler

/// The one path from a rendered prompt to a sample: prefill, sample, detokenize, stop strings and
/// limits. ``LoadedModel/generate(_:options:onText:)``, the sessions, `zoo replay` and the CLI's
/// `--model` mode all run it, so a change to how generation ends is made once.
public struct DecodeLoop {
    /// The network; shared, never copied.
    public let model: any LanguageModel
    /// Turns ids into text; `nil` generates ids only.
    public let tokenizer: (any Tokenizer)?
    /// Shows special tokens (e.g. `<|fim_suffix|>`) in the text; by default they are hidden, as
    /// transformers' `skip_special_tokens=True` drops them.
    public var includeSpecialTokens = false
    /// Never samples the embedding rows past the tokenizer's last id (padding, never trained);
    /// off, the checkpoint runs as transformers' `generate` runs it.
    public var masksPaddingRows = true
    /// The token text constraint stages (`json_schema`, `grammar`…) read; `nil` builds it from
    /// ``tokenizer`` when a chain needs it (a model keeps one, so it is built once).
    public var vocabulary: SamplingVocabulary?

    /// A loop over `model` that detokenizes with `tokenizer` (`nil`: no text).
    public init(model: any LanguageModel, tokenizer: (any Tokenizer)?) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Where one sample runs and what it may do.
    public struct Limits: Sendable, Equatable {
        /// The most ids to generate.
        public var maxTokens: Int
        /// Seeds the sampler chain's random generator.
        public var seed: UInt64
        /// A limit pair as the request resolved it.
        public init(maxTokens: Int, seed: UInt64) {
            self.maxTokens = maxTokens
            self.seed = seed
        }
    }

    /// Generates one sample after `plan.tokens`.
    ///
    /// - Parameters:
    ///   - cache: the sequence's prompt cache (a session's); `nil` uses a fresh one sized to the run.
    ///   - prefillChunk: see ``Generator/generate(prompt:cache:maxTokens:seed:prefillChunk:shouldStop:onToken:)``.
    ///   - shouldStop: consulted before every forward pass.
    ///   - onToken: each generated id, stop ids included.
    ///   - onText: the text as it becomes final (stop ids, hidden special tokens and stop strings removed).
    /// - Returns: the sample and how many prompt ids the cache supplied.
    public func run(
        _ plan: PromptPlan, sampler: any TokenSampler, limits: Limits, cache: PromptCache? = nil,
        prefillChunk: Int? = nil, shouldStop: () -> Bool = { false },
        onToken: (Int) -> Void = { _ in }, onText: (String) -> Void = { _ in }
    ) throws -> (sample: GeneratedSample, cachedPromptTokens: Int) {
        guard !plan.tokens.isEmpty else { throw EmptyPromptError() }
        guard limits.maxTokens > 0 else { return (GeneratedSample(text: "", tokens: [], finishReason: .length), 0) }
        // Without a session's cache, a throwaway one just big enough: nothing to reuse.
        let cache = cache ?? PromptCache(model: model, capacity: min(model.contextLength, plan.tokens.count + limits.maxTokens))
        let capacity = min(model.contextLength, cache.storage.capacity)
        guard plan.tokens.count <= capacity else { throw ContextOverflowError(requested: plan.tokens.count, capacity: capacity) }
        var sampler = sampler
        if var chain = sampler as? SamplerChain, chain.needsVocabulary, let tokenizer {
            // Constraint stages learn the token text and this plan's stop ids (allowed only where
            // the constraint is complete); without a tokenizer they fail at their first step.
            try chain.bind(to: self.vocabulary ?? SamplingVocabulary(tokenizer: tokenizer), stopIDs: plan.stopTokenIDs)
            sampler = chain
        }
        var stepper = SampleStepper(
            prompt: plan.tokens, sampler: sampler, seed: limits.seed, maxTokens: limits.maxTokens,
            stopTokenIDs: plan.stopTokenIDs, stopStrings: plan.stopStrings, tokenizer: tokenizer,
            includeSpecialTokens: includeSpecialTokens, firstUnusableID: firstUnusableID)
        var (logits, reused) = try cache.prefill(plan.tokens, chunkSize: prefillChunk, shouldStop: shouldStop)
        while true {
            let step = try stepper.step(logits: logits.last, roomForAnother: !cache.isFull)
            onToken(step.token.id)
            if !step.token.text.isEmpty { onText(step.token.text) }
            if step.finishReason != nil { break }
            if shouldStop() {
                let tail = stepper.stop()
                if !tail.isEmpty { onText(tail) }
                break
            }
            logits = try cache.append(step.token.id)
        }
        return (GeneratedSample(text: stepper.text, tokens: stepper.tokens, finishReason: stepper.finishReason!), reused)
    }

    /// Ids from this one up are never sampled: embedding rows past the tokenizer's last id.
    var firstUnusableID: Int? {
        let vocabulary = tokenizer?.count ?? model.vocabularySize
        return masksPaddingRows && vocabulary < model.vocabularySize ? vocabulary : nil
    }
}
