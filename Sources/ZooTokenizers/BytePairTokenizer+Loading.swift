import Foundation

extension BytePairTokenizer {
    /// Qwen (v1) special tokens: `<|endoftext|>`, `<|im_start|>`, `<|im_end|>` from id 151643,
    /// then `<|extra_0|>`…`<|extra_204|>` (151646…151850).
    public static let qwenSpecialTokens: [AddedToken] = {
        let names = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + (0..<205).map { "<|extra_\($0)|>" }
        return names.enumerated().map { AddedToken(content: $1, id: 151_643 + $0, isSpecial: true) }
    }()

    /// Loads a tokenizer from a path: a `.tiktoken` ranks file, a `tokenizer.json` file, or a
    /// directory holding `tokenizer.json` (preferred) or `vocab.json` + `merges.txt`
    /// (plus `tokenizer_config.json`'s added tokens when present).
    public init(contentsOf url: URL) throws(TokenizerLoadError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerLoadError(path: url.path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            if url.pathExtension == "tiktoken" {
                self = try BytePairTokenizer(tiktokenFile: url)
            } else if url.pathExtension == "json" {
                self = try BytePairTokenizer(huggingFaceTokenizerFile: url)
            } else {
                throw TokenizerLoadError(path: url.path, reason: "unrecognized vocabulary file (expected .tiktoken or tokenizer.json)")
            }
            return
        }
        let file = { (name: String) in url.appendingPathComponent(name) }
        let exists = { (name: String) in fm.fileExists(atPath: file(name).path) }
        if exists("tokenizer.json") {
            self = try BytePairTokenizer(huggingFaceTokenizerFile: file("tokenizer.json"))
        } else if exists("vocab.json") && exists("merges.txt") {
            self = try BytePairTokenizer(
                vocabFile: file("vocab.json"), mergesFile: file("merges.txt"),
                tokenizerConfigFile: exists("tokenizer_config.json") ? file("tokenizer_config.json") : nil)
        } else {
            throw TokenizerLoadError(path: url.path, reason: "directory has neither tokenizer.json nor vocab.json + merges.txt")
        }
    }

    /// Loads a tokenizer from a path; see ``init(contentsOf:)``.
    public init(path: String) throws(TokenizerLoadError) {
        try self.init(contentsOf: URL(fileURLWithPath: path))
    }

    /// Loads a tiktoken ranks file (`base64(bytes) SP rank` lines; id = rank).
    ///
    /// Text is NFC-normalized before encoding, as Qwen's tokenizer does, and special tokens
    /// are matched after normalization.
    /// - Parameter specialTokens: defaults to Qwen's v1 set, ``qwenSpecialTokens``.
    public init(tiktokenFile url: URL, specialTokens: [AddedToken] = BytePairTokenizer.qwenSpecialTokens)
        throws(TokenizerLoadError)
    {
        let vocabulary = try TiktokenLoader.load(url)
        for token in specialTokens where vocabulary.bytes(of: token.id) != nil {
            throw TokenizerLoadError(path: url.path, reason: "special token \(token.content) id \(token.id) is also a rank in the file")
        }
        if let first = specialTokens.map(\.id).min(), first > vocabulary.count {
            throw TokenizerLoadError(
                path: url.path,
                reason: "the file has \(vocabulary.count) ranks but the special tokens start at id \(first): is the file truncated?")
        }
        self.init(
            vocabulary: vocabulary, merges: .ranks, addedTokens: specialTokens, wholePieceLookup: true,
            normalizesNFC: true, matchesAddedTokensBeforeNormalizing: false, unknownID: nil)
    }

    /// Loads a Hugging Face `tokenizer.json` (BPE model, byte-level, Qwen's pre-tokenizer).
    ///
    /// Merge priority is the order of `model.merges`; `added_tokens` become matchable tokens,
    /// special or not per their `special` flag; NFC is applied when the normalizer says so.
    public init(huggingFaceTokenizerFile url: URL) throws(TokenizerLoadError) {
        self = try HuggingFaceLoader.tokenizerJSON(url)
    }

    /// Loads Hugging Face `vocab.json` + `merges.txt` (merge priority = line order), with the
    /// added tokens of `tokenizer_config.json`'s `added_tokens_decoder` if given.
    public init(vocabFile: URL, mergesFile: URL, tokenizerConfigFile: URL? = nil) throws(TokenizerLoadError) {
        self = try HuggingFaceLoader.vocabAndMerges(vocab: vocabFile, merges: mergesFile, config: tokenizerConfigFile)
    }
}
