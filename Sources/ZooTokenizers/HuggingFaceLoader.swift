import Foundation

/// Builds tokenizers from Hugging Face byte-level BPE files.
enum HuggingFaceLoader {
    /// Qwen's pre-tokenizer regex as written in `tokenizer.json`.
    static let qwenPattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// A `tokenizer.json` file.
    static func tokenizerJSON(_ url: URL) throws(TokenizerLoadError) -> BytePairTokenizer {
        let file = try JSONFile.decode(HuggingFaceFormat.TokenizerFile.self, from: url)
        func fail(_ path: String, _ reason: String) -> TokenizerLoadError {
            TokenizerLoadError(path: url.path, location: .jsonPath(path), reason: reason)
        }
        let model = file.model
        if let type = model.type, type != "BPE" { throw fail("model.type", "unsupported model type '\(type)' (only BPE)") }
        if let prefix = model.continuingSubwordPrefix, !prefix.isEmpty {
            throw fail("model.continuing_subword_prefix", "unsupported: byte-level BPE has no subword prefix")
        }
        if let suffix = model.endOfWordSuffix, !suffix.isEmpty {
            throw fail("model.end_of_word_suffix", "unsupported: byte-level BPE has no end-of-word suffix")
        }
        if model.byteFallback == true { throw fail("model.byte_fallback", "unsupported: byte fallback") }
        let normalizesNFC = try checkNormalizer(file.normalizer, "normalizer", fail)
        try checkPreTokenizer(file.preTokenizer, fail)

        let added = try (file.addedTokens ?? []).enumerated().map { (i, entry) throws(TokenizerLoadError) in
            guard entry.id >= 0 else { throw fail("added_tokens[\(i)].id", "negative id \(entry.id)") }
            return AddedToken(content: entry.content, id: entry.id, isSpecial: entry.special ?? false)
        }
        return try build(
            vocab: model.vocab, merges: model.merges, addedTokens: added,
            unknownToken: model.unkToken, ignoreMerges: model.ignoreMerges ?? false, normalizesNFC: normalizesNFC,
            vocabError: { fail("model.vocab[\(String(reflecting: $0))]", $1) },
            mergeError: { fail("model.merges[\($0)]", $1) })
    }

    /// A `vocab.json` + `merges.txt` pair, with `tokenizer_config.json`'s added tokens if given.
    /// These are Qwen2's slow-tokenizer files, which NFC-normalize and use Qwen's pattern.
    static func vocabAndMerges(vocab vocabURL: URL, merges mergesURL: URL, config configURL: URL?)
        throws(TokenizerLoadError) -> BytePairTokenizer
    {
        let vocab = try JSONFile.decode([String: Int].self, from: vocabURL)
        let text = try FileContents.text(mergesURL)
        var merges: [HuggingFaceFormat.Merge] = []
        var lineOfMerge: [Int] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || (i == 0 && line.hasPrefix("#version")) { continue }
            guard let merge = HuggingFaceFormat.Merge(line: String(line)) else {
                throw TokenizerLoadError(path: mergesURL.path, location: .line(i + 1),
                                         reason: "expected 'left right', found \(String(reflecting: String(line)))")
            }
            merges.append(merge)
            lineOfMerge.append(i + 1)
        }
        var added: [AddedToken] = []
        if let configURL {
            let config = try JSONFile.decode(HuggingFaceFormat.TokenizerConfig.self, from: configURL)
            for (key, entry) in config.addedTokensDecoder ?? [:] {
                guard let id = Int(key), id >= 0 else {
                    throw TokenizerLoadError(path: configURL.path,
                                             location: .jsonPath("added_tokens_decoder[\(String(reflecting: key))]"),
                                             reason: "key is not a token id")
                }
                added.append(AddedToken(content: entry.content, id: id, isSpecial: entry.special ?? false))
            }
            added.sort { $0.id < $1.id }
        }
        // Qwen2Tokenizer's default unk/eos/pad token is `<|endoftext|>`, so it is special even
        // when no tokenizer_config.json says so.
        if !added.contains(where: { $0.content == "<|endoftext|>" }), let id = vocab["<|endoftext|>"] {
            added.append(AddedToken(content: "<|endoftext|>", id: id, isSpecial: true))
        }
        return try build(
            vocab: vocab, merges: merges, addedTokens: added, unknownToken: nil, ignoreMerges: false,
            normalizesNFC: true,
            vocabError: { TokenizerLoadError(path: vocabURL.path, location: .jsonPath(String(reflecting: $0)), reason: $1) },
            mergeError: { TokenizerLoadError(path: mergesURL.path, location: .line(lineOfMerge[$0]), reason: $1) })
    }

    /// Whether the normalizer is NFC (or absent); anything else is unsupported.
    private static func checkNormalizer(
        _ component: HuggingFaceFormat.Component?, _ path: String,
        _ fail: (String, String) -> TokenizerLoadError
    ) throws(TokenizerLoadError) -> Bool {
        guard let component else { return false }
        switch component.type {
        case "NFC": return true
        case "Sequence":
            var nfc = false
            for (i, inner) in (component.normalizers ?? []).enumerated() {
                nfc = try checkNormalizer(inner, "\(path).normalizers[\(i)]", fail) || nfc
            }
            return nfc
        default:
            throw fail("\(path).type", "unsupported normalizer '\(component.type)' (only NFC)")
        }
    }

    /// Accepts Qwen's pipeline: Split(Qwen pattern, Isolated) then ByteLevel without its own regex.
    private static func checkPreTokenizer(
        _ component: HuggingFaceFormat.Component?, _ fail: (String, String) -> TokenizerLoadError
    ) throws(TokenizerLoadError) {
        guard let component else { throw fail("pre_tokenizer", "missing; expected Qwen's Split + ByteLevel") }
        let steps: [(String, HuggingFaceFormat.Component)] = component.type == "Sequence"
            ? (component.pretokenizers ?? []).enumerated().map { ("pre_tokenizer.pretokenizers[\($0)]", $1) }
            : [("pre_tokenizer", component)]
        var sawPattern = false
        for (path, step) in steps {
            switch step.type {
            case "Split":
                guard step.pattern?.regex == qwenPattern else {
                    throw fail("\(path).pattern", "unsupported split pattern (only Qwen's pre-tokenizer regex)")
                }
                guard step.behavior == nil || step.behavior == "Isolated", step.invert != true else {
                    throw fail("\(path).behavior", "unsupported split behavior (only Isolated, not inverted)")
                }
                sawPattern = true
            case "ByteLevel":
                guard step.useRegex == false else {
                    throw fail("\(path).use_regex", "unsupported: ByteLevel's GPT-2 regex (only Qwen's pattern)")
                }
                guard step.addPrefixSpace != true else {
                    throw fail("\(path).add_prefix_space", "unsupported: add_prefix_space")
                }
            default:
                throw fail("\(path).type", "unsupported pre-tokenizer '\(step.type)'")
            }
        }
        guard sawPattern else { throw fail("pre_tokenizer", "no Split with Qwen's pattern") }
    }

    /// Turns a byte-level spelled vocabulary and merge list into a tokenizer.
    static func build(
        vocab: [String: Int], merges: [HuggingFaceFormat.Merge], addedTokens: [AddedToken],
        unknownToken: String?, ignoreMerges: Bool, normalizesNFC: Bool,
        vocabError: (String, String) -> TokenizerLoadError, mergeError: (Int, String) -> TokenizerLoadError
    ) throws(TokenizerLoadError) -> BytePairTokenizer {
        // Tables are sized by the largest id, so a lying id could demand gigabytes from a small file;
        // real vocabularies are dense, so gaps beyond the file's own token count are refused.
        let idLimit = 2 * (vocab.count + addedTokens.count) + 1024
        var maxID = -1
        for (key, id) in vocab {
            guard id >= 0, id < Int(Int32.max) else { throw vocabError(key, "id \(id) is out of range") }
            guard id < idLimit else {
                throw vocabError(key, "id \(id) leaves more gaps than a vocabulary of \(vocab.count) tokens may (ids must be below \(idLimit))")
            }
            maxID = max(maxID, id)
        }
        var keyOfID = [String?](repeating: nil, count: maxID + 1)
        var ranges = [UInt64](repeating: 0, count: maxID + 1)
        var storage: [UInt8] = []
        for (key, id) in vocab.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            if let other = keyOfID[id] { throw vocabError(key, "id \(id) is also used by \(String(reflecting: other))") }
            guard !key.isEmpty else { throw vocabError(key, "empty token") }
            keyOfID[id] = key
            let start = storage.count
            storage.append(contentsOf: ByteLevelAlphabet.decode(key))
            ranges[id] = UInt64(start) << 32 | UInt64(storage.count - start)
        }
        let vocabulary: TokenVocabulary
        do {
            vocabulary = try TokenVocabulary(storage: storage, ranges: ranges)
        } catch {
            throw vocabError(keyOfID[error.secondID] ?? "",
                             "same bytes as \(String(reflecting: keyOfID[error.firstID] ?? ""))")
        }

        var rules: [(left: Int32, right: Int32, rank: UInt32, merged: Int32)] = []
        rules.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            guard let left = vocab[merge.left] else { throw mergeError(rank, "\(String(reflecting: merge.left)) is not in the vocabulary") }
            guard let right = vocab[merge.right] else { throw mergeError(rank, "\(String(reflecting: merge.right)) is not in the vocabulary") }
            guard let merged = vocab[merge.left + merge.right] else {
                throw mergeError(rank, "merged token \(String(reflecting: merge.left + merge.right)) is not in the vocabulary")
            }
            rules.append((Int32(left), Int32(right), UInt32(rank), Int32(merged)))
        }
        var unknownID: Int?
        if let unknownToken {
            guard let id = vocab[unknownToken] else { throw vocabError(unknownToken, "unk_token is not in the vocabulary") }
            unknownID = id
        }
        return BytePairTokenizer(
            vocabulary: vocabulary, merges: .pairs(MergeTable(rules)), addedTokens: addedTokens,
            wholePieceLookup: ignoreMerges, normalizesNFC: normalizesNFC,
            matchesAddedTokensBeforeNormalizing: true, unknownID: unknownID)
    }
}
