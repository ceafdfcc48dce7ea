/// A request the engine cannot run, naming the field (OpenAI's `param`) and why: a prompt longer
/// than the context, an id outside the vocabulary, a count out of range, more KV memory than the budget.
public struct EngineRequestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The request field at fault (`prompt`, `max_tokens`, `n`, `top_logprobs`).
    public let field: String
    /// What is wrong, with the limit that applies.
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
