import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The one HTTP layer of the zoo: the Hub downloads and the remote engines use it.
///
/// It wraps AsyncHTTPClient, which streams a body as it arrives (to disk or to an SSE parser) with
/// back-pressure, has connect and idle-read timeouts, and closes the connection when the task that
/// reads it is cancelled. Redirects are not followed by the client: ``send(_:followingRedirects:)``
/// follows them itself, so that the Hub's headers on the redirect itself can be read and a token
/// is never sent to another host.
public struct HTTPTransport: Sendable {
    /// Longest wait for a connection.
    public var connectTimeout: Double
    /// Longest wait for the next byte of a response, once connected.
    public var readTimeout: Double

    /// A transport that gives up after `connectTimeout` seconds without a connection and
    /// `readTimeout` seconds without a byte.
    public init(connectTimeout: Double = 10, readTimeout: Double = 60) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// Sends `request` and returns once the head has arrived; the body streams from the result.
    ///
    /// Redirects (up to `followingRedirects`) are followed: `Authorization` is dropped when the
    /// target is another origin, and a 303 turns into a `GET`. With 0, a redirect is returned as is.
    public func send(_ request: HTTPRequest, followingRedirects: Int = 5) async throws -> HTTPResponse {
        var current = request
        for _ in 0...followingRedirects {
            let response = try await sendOnce(current)
            guard response.head.isRedirect, followingRedirects > 0 else { return response }
            response.discard()
            guard let location = response.head.header("Location"), let next = current.resolving(location) else {
                throw HTTPError.badRedirect(url: current.url, reason: "no usable Location header")
            }
            if !current.isSameOrigin(as: next) {
                current.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
            }
            if response.head.status == 303 {
                current.method = "GET"
                current.body = nil
            }
            current.url = next
        }
        throw HTTPError.badRedirect(url: request.url, reason: "more than \(followingRedirects) redirects")
    }

    private func sendOnce(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let parsed = URL(string: request.url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host != nil
        else { throw HTTPError.invalidURL(request.url) }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
            outgoing.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        let client = Self.client(connect: connectTimeout, read: readTimeout)
        let response: HTTPClientResponse
        do {
            // No overall deadline: a model download or a long generation may take hours; the read
            // timeout bounds every silence instead.
            response = try await client.execute(outgoing, deadline: .distantFuture)
        } catch {
            throw translate(error, url: request.url, beforeHead: true)
        }
        let head = HTTPHead(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, url: request.url)
        return HTTPResponse(head: head, body: response.body, transport: self)
    }

    /// The client's error as one the user can act on; `beforeHead` says whether the connection was
    /// being made (a failure there is "cannot connect").
    func translate(_ error: any Error, url: String, beforeHead: Bool) -> any Error {
        if error is CancellationError { return error }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .cancelled: return CancellationError()
            case .connectTimeout: return HTTPError.timedOut(url: url, seconds: connectTimeout)
            case .readTimeout, .deadlineExceeded: return HTTPError.timedOut(url: url, seconds: readTimeout)
            case .remoteConnectionClosed:
                return beforeHead ? HTTPError.connectionClosed(url: url, reason: "no response") : HTTPError.connectionClosed(url: url, reason: "closed mid-body")
            default: break
            }
        }
        if Task.isCancelled { return CancellationError() }
        let reason = Self.describe(error)
        return beforeHead ? HTTPError.cannotConnect(url: url, reason: reason) : HTTPError.connectionClosed(url: url, reason: reason)
    }

    /// A short reason: NIO's connection errors print every address tried.
    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") { return "connection refused" }
        if text.contains("connectTimeout") { return "timed out" }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// One client per pair of timeouts, made once and kept for the life of the process (as
    /// AsyncHTTPClient's own shared client is), so that no caller has to shut one down.
    private static let clients = Mutex<[String: HTTPClient]>([:])

    private static func client(connect: Double, read: Double) -> HTTPClient {
        let key = "\(connect)/\(read)"
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .milliseconds(Int64(connect * 1000)), read: .milliseconds(Int64(read * 1000))))
            configuration.decompression = .disabled  // sizes and digests are of the bytes as stored
            // A refused connection is an answer: report it now rather than retry until the connect timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[key] = client
            return client
        }
    }
}

/// A response whose head has arrived; the body is read once, by ``chunks()`` or ``collect(limit:)``.
public struct HTTPResponse: Sendable {
    /// Status and headers.
    public let head: HTTPHead
    private let body: HTTPClientResponse.Body
    private let transport: HTTPTransport

    init(head: HTTPHead, body: HTTPClientResponse.Body, transport: HTTPTransport) {
        self.head = head
        self.body = body
        self.transport = transport
    }

    /// The body as it arrives, chunk by chunk; a transport failure mid-way is an ``HTTPError``.
    /// Cancelling the task that iterates closes the connection.
    public func chunks() -> AsyncThrowingStream<[UInt8], any Error> {
        let body = body, transport = transport, url = head.url
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await buffer in body {
                        continuation.yield(Array(buffer.readableBytesView))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: transport.translate(error, url: url, beforeHead: false))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The whole body, refused past `limit` bytes.
    public func collect(limit: Int = 16 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in chunks() {
            bytes += chunk
            if bytes.count > limit { throw HTTPError.bodyTooLarge(url: head.url, limit: limit) }
        }
        return bytes
    }

    /// Drops the body (e.g. of a redirect or an error page) without reading it.
    public func discard() {
        let body = body
        Task { for try await _ in body {} }
    }
}
