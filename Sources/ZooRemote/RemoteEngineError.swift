/// A remote engine that failed a request, said so that the user knows which remote and what to do.
public enum RemoteEngineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Nothing answers at the URL (down, refused, unreachable).
    case unreachable(url: String, reason: String)
    /// No answer, or no next byte of the stream, within the timeout.
    case timedOut(url: String, seconds: Double)
    /// Still busy (429/503) after the retries the timeout allows.
    case busy(url: String, status: Int, attempts: Int, retryAfter: Double?)
    /// The remote does not serve the model the manifest names.
    case unknownModel(url: String, model: String, available: [String])
    /// The remote refused the request; `message` is its own.
    case refused(url: String, status: Int, message: String)
    /// An answer that is not an OpenAI completion stream.
    case malformed(url: String, reason: String)
    /// The stream ended before every sample finished.
    case truncated(url: String, sample: Int, tokens: Int)
    /// A sample with more ids than the request's `max_tokens`.
    case longerThanAsked(url: String, sample: Int, maxTokens: Int)
    /// A request field the engine cannot send (e.g. log-probabilities).
    case unsupported(field: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason):
            "the remote engine at \(url) is down or refuses connections (\(reason))"
        case .timedOut(let url, let seconds):
            "the remote engine at \(url) sent nothing for \(Self.format(seconds)) s (engine.timeout)"
        case .busy(let url, let status, let attempts, let retryAfter):
            "the remote engine at \(url) is busy: \(status) after \(attempts) attempt\(attempts == 1 ? "" : "s")"
                + (retryAfter.map { ", it asks to retry in \(Self.format($0)) s, past engine.timeout" } ?? "")
        case .unknownModel(let url, let model, let available):
            "the remote engine at \(url) has no model \"\(model)\" (engine.model)"
                + (available.isEmpty ? "" : "; it serves \(available.map { "\"\($0)\"" }.joined(separator: ", "))")
        case .refused(let url, let status, let message):
            "the remote engine at \(url) refused the request (\(status))" + (message.isEmpty ? "" : ": \(message)")
        case .malformed(let url, let reason):
            "the remote engine at \(url) sent a malformed response: \(reason)"
        case .truncated(let url, let sample, let tokens):
            "the stream from \(url) ended before sample \(sample) finished (after \(tokens) ids)"
        case .longerThanAsked(let url, let sample, let maxTokens):
            "the remote engine at \(url) sent more than max_tokens (\(maxTokens)) ids for sample \(sample)"
        case .unsupported(let field, let reason):
            "\(field) cannot be sent to a remote engine: \(reason)"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }
}
