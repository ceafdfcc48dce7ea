import Foundation

/// One HTTP request: what ``HTTPTransport/send(_:)`` sends.
public struct HTTPRequest: Sendable {
    /// The absolute URL, e.g. `https://huggingface.co/api/models/Qwen/Qwen2.5-0.5B`.
    public var url: String
    /// `GET`, `HEAD` or `POST`.
    public var method: String
    /// Header fields in order; a name may repeat.
    public var headers: [(name: String, value: String)]
    /// The body, for `POST`.
    public var body: [UInt8]?

    /// A request for `url` with `method` (default `GET`).
    public init(url: String, method: String = "GET", headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// The status line and headers of a response.
public struct HTTPHead: Sendable {
    /// The status code, e.g. 200, 206 or 302.
    public var status: Int
    /// Header fields in the order received.
    public var headers: [(name: String, value: String)]
    /// The URL that answered (after any redirects ``HTTPTransport`` followed).
    public var url: String

    /// A head with `status` and `headers`, from `url`.
    public init(status: Int, headers: [(name: String, value: String)], url: String) {
        self.status = status
        self.headers = headers
        self.url = url
    }

    /// The first value of header `name`, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Whether the status is a redirect that names a `Location`.
    public var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) && header("Location") != nil }
}

/// A transport failure, named for the user: where, and what went wrong.
public enum HTTPError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Nothing accepted the connection (refused, unreachable or no such host).
    case cannotConnect(url: String, reason: String)
    /// No byte arrived for the read timeout, or the deadline passed.
    case timedOut(url: String, seconds: Double)
    /// The connection closed before the response was complete.
    case connectionClosed(url: String, reason: String)
    /// A body bigger than the caller allows (a guard against a runaway server).
    case bodyTooLarge(url: String, limit: Int)
    /// More redirects than allowed, or a redirect without a usable `Location`.
    case badRedirect(url: String, reason: String)
    /// A URL that cannot be requested (no scheme or host).
    case invalidURL(String)

    public var description: String {
        switch self {
        case .cannotConnect(let url, let reason): "cannot connect to \(url): \(reason)"
        case .timedOut(let url, let seconds): "no answer from \(url) within \(Self.format(seconds)) s"
        case .connectionClosed(let url, let reason): "the connection to \(url) closed before the response was complete (\(reason))"
        case .bodyTooLarge(let url, let limit): "the response of \(url) is larger than \(limit) bytes"
        case .badRedirect(let url, let reason): "bad redirect from \(url): \(reason)"
        case .invalidURL(let url): "\"\(url)\" is not an http(s) URL"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }
}

extension HTTPRequest {
    /// The URL `location` (absolute, or relative to this request's URL) names.
    public func resolving(_ location: String) -> String? {
        guard let base = URL(string: url), let target = URL(string: location, relativeTo: base) else { return nil }
        return target.absoluteString
    }

    /// Whether `other` has the same scheme, host and port (credentials go only there).
    public func isSameOrigin(as other: String) -> Bool {
        guard let a = URL(string: url), let b = URL(string: other) else { return false }
        return a.scheme == b.scheme && a.host == b.host && a.port == b.port
    }
}
