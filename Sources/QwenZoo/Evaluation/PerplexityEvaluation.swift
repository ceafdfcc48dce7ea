import Foundation

/// Perplexity of a text: exp of the mean negative log-likelihood of every token but the first,
/// in windows of at most `window` tokens that overlap by one (each token is predicted once). A text
/// of `<|endoftext|>`-separated documents is scored one document at a time.
public struct PerplexityEvaluation: Sendable {
    /// The score of a run.
    public struct Result: Sendable, Equatable {
        /// How many tokens were predicted (all but the first).
        public var tokens: Int
        /// The exponential of ``meanNegativeLogLikelihood``; lower is better, 1 is perfect.
        public var perplexity: Double
        /// The mean negative log-likelihood per predicted token, in nats.
        public var meanNegativeLogLikelihood: Double
    }

    /// The most tokens per forward pass (default 512), capped at the model's context.
    public var window: Int
    /// Score only the first `limit` documents (`<|endoftext|>`-separated); `nil` scores them all.
    public var limit: Int?

    /// An evaluation in windows of `window` tokens, of the first `limit` documents if given.
    public init(window: Int = 512, limit: Int? = nil) {
        self.window = window
        self.limit = limit
    }

    /// Tokenizes `text` with the model's tokenizer and scores it; `progress` gets (documents done,
    /// documents). Throws ``EvaluationError`` if the text has fewer than 2 tokens.
    public func run(_ zoo: LoadedModel, text: String, progress: EvaluationProgress = { _, _ in }) throws -> Result {
        // A text of several documents separated by <|endoftext|> is scored document by document,
        // each from its own start and including its separator, as training saw them.
        let separator = "<|endoftext|>"
        var documents: [[Int]] = []
        if zoo.tokenizer.specialTokenID(separator) != nil, text.contains(separator) {
            for piece in text.components(separatedBy: separator) where !piece.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                documents.append(zoo.tokenizer.encode(piece + separator, specialTokens: .allowed))
            }
        } else {
            documents = [zoo.tokenizer.encode(text, specialTokens: .allowed)]
        }
        if let limit { documents = Array(documents.prefix(limit)) }
        var total = 0.0
        var count = 0
        for (index, ids) in documents.enumerated() where ids.count >= 2 {
            let result = try run(zoo.model, ids: ids)
            total += result.meanNegativeLogLikelihood * Double(result.tokens)
            count += result.tokens
            progress(index + 1, documents.count)
        }
        guard count > 0 else { throw EvaluationError("the text has fewer than 2 tokens") }
        let mean = total / Double(count)
        return Result(tokens: count, perplexity: exp(mean), meanNegativeLogLikelihood: mean)
    }

    /// The perplexity of one token sequence under `model`, in windows of at most ``window`` tokens.
    public func run(_ model: any LanguageModel, ids: [Int], progress: EvaluationProgress = { _, _ in }) throws -> Result {
        let width = max(2, min(window, model.contextLength))
        var total = 0.0
        var count = 0
        var start = 0
        let windows = max(1, (ids.count - 2) / (width - 1) + 1)
        var done = 0
        while start < ids.count - 1 {
            let chunk = Array(ids[start..<min(ids.count, start + width)])
            let logits = try model.forward(chunk, cache: model.makeCache(capacity: chunk.count), logits: .all)
            for t in 0..<(chunk.count - 1) {
                let row = logits[t]
                let maxValue = Double(row.max()!)
                var sum = 0.0
                for v in row { sum += exp(Double(v) - maxValue) }
                total -= Double(row[row.startIndex + chunk[t + 1]]) - maxValue - log(sum)
                count += 1
            }
            start += width - 1
            done += 1
            progress(min(done, windows), windows)
        }
        let mean = total / Double(count)
        return Result(tokens: count, perplexity: exp(mean), meanNegativeLogLikelihood: mean)
    }
}
