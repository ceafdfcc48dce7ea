/// Why generation ended.
public enum FinishReason: Sendable, Equatable {
    /// The model produced one of the stop ids (it is the last generated id).
    case stopToken(Int)
    /// `maxTokens` ids were generated.
    case length
    /// The sequence filled the model's context.
    case contextFull
    /// The output reached one of the stop strings (the text is cut before it).
    case stopString(String)
    /// The caller asked to stop (`onToken` returned false).
    case stoppedByCaller

    /// OpenAI's `finish_reason` words, with the limit that ended a `length` finish:
    /// `stop`, `length (max_tokens)`, `length (context)` or `cancelled`.
    public var summary: String {
        switch self {
        case .stopToken, .stopString: "stop"
        case .length: "length (max_tokens)"
        case .contextFull: "length (context)"
        case .stoppedByCaller: "cancelled"
        }
    }
}
