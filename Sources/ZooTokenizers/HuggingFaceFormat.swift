/// The parts of Hugging Face tokenizer files that a byte-level BPE tokenizer needs.
enum HuggingFaceFormat {
    /// `tokenizer.json`.
    struct TokenizerFile: Decodable {
        let addedTokens: [AddedTokenEntry]?
        let normalizer: Component?
        let preTokenizer: Component?
        let model: Model

        enum CodingKeys: String, CodingKey {
            case addedTokens = "added_tokens", normalizer, preTokenizer = "pre_tokenizer", model
        }
    }

    /// An entry of `added_tokens`.
    struct AddedTokenEntry: Decodable {
        let id: Int
        let content: String
        let special: Bool?
    }

    /// `model`: a BPE model.
    struct Model: Decodable {
        let type: String?
        let vocab: [String: Int]
        let merges: [Merge]
        let unkToken: String?
        let ignoreMerges: Bool?
        let continuingSubwordPrefix: String?
        let endOfWordSuffix: String?
        let byteFallback: Bool?

        enum CodingKeys: String, CodingKey {
            case type, vocab, merges
            case unkToken = "unk_token", ignoreMerges = "ignore_merges"
            case continuingSubwordPrefix = "continuing_subword_prefix", endOfWordSuffix = "end_of_word_suffix"
            case byteFallback = "byte_fallback"
        }
    }

    /// A merge, written either `"a b"` (older files) or `["a", "b"]` (newer files).
    struct Merge: Decodable {
        let left: String
        let right: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let pair = try? container.decode([String].self) {
                guard pair.count == 2 else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "a merge pair must have 2 strings, not \(pair.count)")
                }
                (left, right) = (pair[0], pair[1])
            } else {
                let line = try container.decode(String.self)
                guard let merge = Merge(line: line) else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "a merge must be 'left right', not \(String(reflecting: line))")
                }
                self = merge
            }
        }

        /// Parses `left SP right` as in `merges.txt`.
        init?(line: String) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            left = String(parts[0])
            right = String(parts[1])
        }
    }

    /// A normalizer or pre-tokenizer: its type and the fields this package inspects.
    struct Component: Decodable {
        let type: String
        let normalizers: [Component]?
        let pretokenizers: [Component]?
        let pattern: Pattern?
        let behavior: String?
        let invert: Bool?
        let useRegex: Bool?
        let addPrefixSpace: Bool?

        enum CodingKeys: String, CodingKey {
            case type, normalizers, pretokenizers, pattern, behavior, invert
            case useRegex = "use_regex", addPrefixSpace = "add_prefix_space"
        }
    }

    /// A `Split` pattern: `{"Regex": ...}` or `{"String": ...}`.
    struct Pattern: Decodable {
        let regex: String?
        let string: String?

        enum CodingKeys: String, CodingKey {
            case regex = "Regex", string = "String"
        }
    }

    /// `tokenizer_config.json` (only `added_tokens_decoder`).
    struct TokenizerConfig: Decodable {
        let addedTokensDecoder: [String: AddedTokenEntryWithoutID]?

        enum CodingKeys: String, CodingKey {
            case addedTokensDecoder = "added_tokens_decoder"
        }
    }

    /// A value of `added_tokens_decoder`, keyed by the id as a string.
    struct AddedTokenEntryWithoutID: Decodable {
        let content: String
        let special: Bool?
    }
}
