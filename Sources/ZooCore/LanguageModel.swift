/// A causal language model: token ids in, next-token logits out.
///
/// A model holds immutable weights and can be shared by many sessions; everything that changes
/// during generation lives in the ``KVCache`` that each session owns.
public protocol LanguageModel: AnyObject, Sendable {
    /// The width of a logits row (embedding rows, which may exceed the tokenizer's count).
    var vocabularySize: Int { get }
    /// The longest sequence the model was configured for.
    var contextLength: Int { get }
    /// Token ids that end generation by default (from `config.json` / `generation_config.json`).
    var endOfSequenceIDs: [Int] { get }

    /// A fresh cache for one sequence, holding up to `capacity` tokens (default: the context length).
    func makeCache(capacity: Int?) -> any KVCache

    /// Runs `tokens` at the positions after those already in `cache`, appends them to the cache
    /// and returns the logits of the selected positions.
    func forward(_ tokens: [Int], cache: any KVCache, logits: LogitsSelection) throws -> Logits
}

/// A token id outside the model's embedding table.
public struct TokenOutOfRangeError: Error, CustomStringConvertible, Sendable {
    public let id: Int
    public let vocabularySize: Int
    public init(id: Int, vocabularySize: Int) {
        self.id = id
        self.vocabularySize = vocabularySize
    }
    public var description: String {
        "token id \(id) is outside the model's embedding table (0..<\(vocabularySize))"
    }
}

/// A request whose prompt encodes to no tokens at all: there is nothing to continue from.
public struct EmptyPromptError: Error, CustomStringConvertible, Sendable {
    public init() {}
    public var description: String { "the prompt is empty: give at least one token of text" }
}
