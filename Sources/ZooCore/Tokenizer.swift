/// How an encoder treats special-token strings such as `<|im_start|>` found inside text.
///
/// Qwen's own chat code encodes user text with special tokens disallowed, so a user typing
/// `<|im_end|>` cannot end a turn; only code that builds prompts should allow them.
public enum SpecialTokenHandling: Sendable, Equatable {
    /// Special-token strings are ordinary text and are split by BPE like any other characters.
    case asText
    /// Every special or added token's surface form is matched atomically and becomes its id.
    case allowed
}

/// Turns text into token ids and back.
///
/// A tokenizer is an immutable value shared across sessions. Decoding works on raw bytes because
/// a Qwen token can hold part of a UTF-8 character; ``StreamingDetokenizer`` turns those bytes
/// into text without ever splitting a character.
public protocol Tokenizer: Sendable {
    /// The number of ids this tokenizer can produce (BPE ranks plus special and added tokens).
    var count: Int { get }

    /// Encodes text into token ids.
    func encode(_ text: String, specialTokens: SpecialTokenHandling) -> [Int]

    /// The bytes of one token, or `nil` when the id is not part of the vocabulary.
    func bytes(of id: Int) -> [UInt8]?

    /// The id of a special or added token given its surface form, e.g. `<|im_end|>`.
    func specialTokenID(_ surface: String) -> Int?

    /// Whether the id is a special token (one that `skip_special_tokens` would drop).
    func isSpecial(_ id: Int) -> Bool
}

/// A token id that a tokenizer does not define.
public struct UnknownTokenError: Error, CustomStringConvertible, Sendable {
    public let id: Int
    public let vocabularyCount: Int
    public init(id: Int, vocabularyCount: Int) {
        self.id = id
        self.vocabularyCount = vocabularyCount
    }
    public var description: String {
        "token id \(id) is not in the vocabulary (valid ids are 0..<\(vocabularyCount))"
    }
}

extension Tokenizer {
    /// Encodes text with special-token strings treated as plain text (the injection-safe default).
    public func encode(_ text: String) -> [Int] { encode(text, specialTokens: .asText) }

    /// The concatenated bytes of a sequence of tokens.
    public func bytes(of ids: some Sequence<Int>) throws -> [UInt8] {
        var out: [UInt8] = []
        for id in ids {
            guard let b = bytes(of: id) else { throw UnknownTokenError(id: id, vocabularyCount: count) }
            out.append(contentsOf: b)
        }
        return out
    }

    /// Decodes ids into text; invalid UTF-8 becomes U+FFFD, as Python's `errors="replace"` does.
    public func decode(_ ids: some Sequence<Int>) throws -> String {
        String(decoding: try bytes(of: ids), as: UTF8.self)
    }
}
