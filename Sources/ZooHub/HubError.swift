import ZooCore

/// What went wrong talking to the Hub, said so that the user knows what to do next.
public enum HubError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A gated repository and no (or an unaccepted) token.
    case gated(repo: String, hasToken: Bool, endpoint: String)
    /// No such repository, or a private one the token cannot see.
    case repositoryNotFound(repo: String, hasToken: Bool)
    /// The repository has no such branch, tag or commit.
    case revisionNotFound(repo: String, revision: String)
    /// The repository has no such file at the revision.
    case fileNotFound(repo: String, file: String, suggestion: String?)
    /// Any other refusal: the status and the Hub's own message.
    case refused(url: String, status: Int, message: String)
    /// An answer that is not what the Hub sends (a broken mirror or proxy).
    case malformed(url: String, reason: String)
    /// The bytes received do not hash to the digest the Hub published.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// The bytes received are not as many as the Hub said.
    case sizeMismatch(file: String, expected: Int64, actual: Int64)
    /// Repeated failures of one transfer; `underlying` is the last.
    case transferFailed(file: String, attempts: Int, underlying: String)

    public var description: String {
        switch self {
        case .gated(let repo, let hasToken, let endpoint):
            hasToken
                ? "\(repo) is a gated repository and the token in HF_TOKEN has no access to it: accept its conditions at \(endpoint)/\(repo) with the account the token belongs to"
                : "\(repo) is a gated repository: accept its conditions at \(endpoint)/\(repo), then set HF_TOKEN to an access token of that account (or run `huggingface-cli login`)"
        case .repositoryNotFound(let repo, let hasToken):
            "no repository \(repo) on the Hub" + (hasToken ? " that the token in HF_TOKEN can see" : " (if it is private, set HF_TOKEN)")
        case .revisionNotFound(let repo, let revision):
            "\(repo) has no revision \"\(revision)\" (a branch, tag or commit id)"
        case .fileNotFound(let repo, let file, let suggestion):
            "\(repo) has no file \(file)" + didYouMean(suggestion: suggestion)
        case .refused(let url, let status, let message):
            "\(url) answered \(status)" + (message.isEmpty ? "" : ": \(message)")
        case .malformed(let url, let reason):
            "unexpected answer from \(url): \(reason)"
        case .checksumMismatch(let file, let expected, let actual):
            "\(file) is corrupt: its sha256 is \(actual), the Hub says \(expected); the download was deleted, run zoo pull again"
        case .sizeMismatch(let file, let expected, let actual):
            "\(file) has \(actual) bytes, the Hub says \(expected); the download was deleted, run zoo pull again"
        case .transferFailed(let file, let attempts, let underlying):
            "\(file): the transfer failed \(attempts) times (last: \(underlying)); what arrived is kept, run zoo pull again to resume"
        }
    }
}
