/// Tokenizers stored in a GGUF file's metadata (`tokenizer.ggml.*`, model `gpt2` with the `qwen2`
/// pre-tokenizer), as llama.cpp's converter writes Qwen's.
extension BytePairTokenizer {
    /// llama.cpp's token types.
    public enum GGUFTokenType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Builds the tokenizer from `tokenizer.ggml.tokens` (byte-level spelled, by id),
    /// `tokenizer.ggml.token_type` and `tokenizer.ggml.merges` (`"left right"`, by rank).
    ///
    /// Control tokens become special added tokens, user-defined ones (FIM, tool tags) added tokens
    /// that are not special, and unused ones (the padding rows) are left out.
    public init(ggufTokens tokens: [String], types: [Int]?, merges: [String], source: String) throws(TokenizerLoadError) {
        var vocab: [String: Int] = [:]
        var added: [AddedToken] = []
        for (id, token) in tokens.enumerated() {
            let type = types.flatMap { id < $0.count ? GGUFTokenType(rawValue: $0[id]) : nil } ?? .normal
            switch type {
            case .control: added.append(AddedToken(content: token, id: id, isSpecial: true))
            case .userDefined: added.append(AddedToken(content: token, id: id, isSpecial: false))
            case .unused: continue
            default: vocab[token] = id
            }
        }
        var pairs: [HuggingFaceFormat.Merge] = []
        for (rank, line) in merges.enumerated() {
            guard let merge = HuggingFaceFormat.Merge(line: line) else {
                throw TokenizerLoadError(path: source, location: .jsonPath("tokenizer.ggml.merges[\(rank)]"),
                                         reason: "expected 'left right', found \(String(reflecting: line))")
            }
            pairs.append(merge)
        }
        self = try HuggingFaceLoader.build(
            vocab: vocab, merges: pairs, addedTokens: added, unknownToken: nil, ignoreMerges: false, normalizesNFC: true,
            vocabError: { TokenizerLoadError(path: source, location: .jsonPath("tokenizer.ggml.tokens[\(vocab[$0] ?? -1)]"), reason: $1) },
            mergeError: { TokenizerLoadError(path: source, location: .jsonPath("tokenizer.ggml.merges[\($0)]"), reason: $1) })
    }
}
