import ZooCore
import ZooSamplers

/// The one path from a rendered prompt to a sample: prefill, sample, detokenize, stop strings and
/// limits. ``ZooModel/generate(_:options:onText:)``, the sessions, `zoo replay` and the CLI's
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
        var sampler = sampler
        if var chain = sampler as? SamplerChain, chain.needsVocabulary, let tokenizer {
            // Constraint stages learn the token text and this plan's stop ids (allowed only where
            // the constraint is complete); without a tokenizer they fail at their first step.
            try chain.bind(to: self.vocabulary ?? SamplingVocabulary(tokenizer: tokenizer), stopIDs: plan.stopTokenIDs)
            sampler = chain
        }
        let vocabulary = tokenizer?.count ?? model.vocabularySize
        var generator = Generator(
            model: model, sampler: sampler, stopIDs: plan.stopTokenIDs,
            firstUnusableID: masksPaddingRows && vocabulary < model.vocabularySize ? vocabulary : nil)
        var detokenizer = StreamingDetokenizer()
        var matcher = StopStringMatcher(stops: plan.stopStrings)
        var stopString: String?
        let body: (Int) throws -> Bool = { id in
            onToken(id)
            guard let tokenizer, !plan.stopTokenIDs.contains(id),
                  includeSpecialTokens || !tokenizer.isSpecial(id) else { return true }
            let (emit, stop) = matcher.append(detokenizer.append(try tokenizer.bytes(of: [id])))
            if !emit.isEmpty { onText(emit) }
            stopString = stop
            return stop == nil
        }
        let result: GenerationResult
        if let cache {
            result = try generator.generate(
                prompt: plan.tokens, cache: cache, maxTokens: limits.maxTokens, seed: limits.seed,
                prefillChunk: prefillChunk, shouldStop: shouldStop, onToken: body)
        } else {
            result = try generator.generate(prompt: plan.tokens, maxTokens: limits.maxTokens, seed: limits.seed, onToken: body)
        }
        if stopString == nil, tokenizer != nil {
            let (emit, _) = matcher.append(detokenizer.flush())
            let tail = emit + matcher.finish()
            if !tail.isEmpty { onText(tail) }
        }
        var finish = result.finishReason
        if let stopString { finish = .stopString(stopString) }
        return (GeneratedSample(text: matcher.text, tokens: result.tokens, finishReason: finish), result.cachedPromptTokens)
    }
}
