/// The values a request runs with when neither it nor its manifest gives one. Every caller
/// (``LoadedModel``, the sessions, the CLI and receipts) resolves through ``LoadedModel/limits(for:)``,
/// so what a receipt records is what the run used.
public enum GenerationDefaults {
    /// The most ids a request generates without `max_tokens` or an option.
    public static let maxTokens = 512
    /// The seed of a request without `seed` or an option.
    public static let seed: UInt64 = 0
}

extension LoadedModel {
    /// The limits `options` resolve to: the option, else the manifest's value, else ``GenerationDefaults``.
    public func limits(for options: GenerationOptions) -> DecodeLoop.Limits {
        DecodeLoop.Limits(
            maxTokens: options.maxTokens ?? manifest.maxTokens ?? GenerationDefaults.maxTokens,
            seed: options.seed ?? manifest.seed ?? GenerationDefaults.seed)
    }

    /// The decode loop over this model's network and tokenizer.
    public var decodeLoop: DecodeLoop {
        var loop = DecodeLoop(model: model, tokenizer: tokenizer)
        loop.vocabulary = samplingVocabulary
        return loop
    }
}
