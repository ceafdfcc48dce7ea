import Dispatch
import Hummingbird
import Logging
import NIOCore
import QwenZoo
import Synchronization

/// Where and how a ``ZooServer`` listens.
public struct ServerOptions: Sendable, Equatable {
    /// The address to bind (loopback by default).
    public var host: String
    /// The port; 0 lets the system choose (``ZooServer/run(onReady:)`` reports the real one).
    public var port: Int
    /// When set, every route but `/health` and `/metrics` needs `Authorization: Bearer KEY`.
    public var apiKey: String?
    /// The largest request body accepted; larger is a 413.
    public var bodyLimit: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil, bodyLimit: Int = 4 << 20) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.bodyLimit = bodyLimit
    }
}

/// An OpenAI-compatible HTTP server over QwenZoo models, on Hummingbird 2.
///
/// `zoo serve` runs one; an app can run one too (``run(onReady:)``), or mount the endpoints on
/// its own Hummingbird router (``addRoutes(to:at:)``):
///
/// ```swift
/// let resolved = try ManifestLoader().load("nano-chat")
/// let registry = try ModelRegistry(manifests: [.init(reference: "nano-chat", resolved: resolved)])
/// try registry.load()
/// let zoo = ZooServer(registry: registry)
/// let router = Router()
/// zoo.addRoutes(to: router, at: "llm")         // POST /llm/v1/chat/completions, …
/// try await Application(router: router).runService()
/// ```
///
/// Endpoints: `POST /v1/chat/completions`, `POST /v1/completions`, `GET /v1/models`,
/// `GET /health`, `GET /metrics` (Prometheus), `POST /tokenize`, `POST /detokenize`.
public final class ZooServer: Sendable {
    /// The served models.
    public let registry: ModelRegistry
    /// Counters and latency histograms behind `/metrics`.
    public let metrics: ServerMetrics
    public let options: ServerOptions

    public init(registry: ModelRegistry, options: ServerOptions = ServerOptions(), metrics: ServerMetrics = ServerMetrics()) {
        self.registry = registry
        self.options = options
        self.metrics = metrics
    }

    private var routes: Routes { Routes(registry: registry, metrics: metrics, bodyLimit: options.bodyLimit) }

    /// Adds the endpoints to an app's router under `path` ("" for the root), with OpenAI-shaped
    /// errors and, when ``ServerOptions/apiKey`` is set, the key check; the app's other routes
    /// are left as they are.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, at path: String = "") {
        var group = router.group(RouterPath(path)).add(middleware: ErrorMiddleware<Context>(metrics: metrics, bodyLimit: options.bodyLimit))
        if let key = options.apiKey { group = group.add(middleware: APIKeyMiddleware<Context>(key: key)) }
        routes.add(to: group)
    }

    /// A router holding only the endpoints, errors for unknown paths included: what ``run(onReady:)``
    /// serves, and what in-process tests drive.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware<BasicRequestContext>(metrics: metrics, bodyLimit: options.bodyLimit))
        if let key = options.apiKey { router.add(middleware: APIKeyMiddleware<BasicRequestContext>(key: key)) }
        routes.add(to: router)
        return router
    }

    /// Binds, loads the models (`/health` answers 503 meanwhile), calls `onReady` with the host
    /// and the bound port, and serves until SIGINT or SIGTERM; then stops accepting, lets running
    /// requests finish, cancels the engines' remaining work and returns.
    public func run(onReady: @escaping @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        let (bound, boundPort) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "zoo-serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let app = Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "QwenZoo"),
            onServerRunning: { channel in
                boundPort.yield(channel.localAddress?.port ?? 0)
                boundPort.finish()
            },
            logger: logger)
        let registry = self.registry
        let (host, port) = (options.host, options.port)
        let listening = Flag()
        defer { registry.shutdown() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await app.runService()
                } catch where !listening.isSet {
                    throw ListenError(host: host, port: port, underlying: error)
                }
            }
            group.addTask {
                var ports = bound.makeAsyncIterator()
                guard let port = await ports.next() else { return }
                listening.set()
                try await Self.loadOffThePool(registry)
                onReady(host, port)
            }
            for try await _ in group {}
        }
    }

    /// A flag two tasks share.
    private final class Flag: Sendable {
        private let value = Atomic(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        func set() { value.store(true, ordering: .releasing) }
    }

    /// The address could not be bound (in use, not an address of this host…).
    struct ListenError: Error, CustomStringConvertible {
        let host: String
        let port: Int
        let underlying: any Error
        var description: String { "cannot listen on \(host):\(port): \(underlying)" }
    }

    /// Loading reads weights for seconds: a thread of its own keeps the concurrency pool (and
    /// `/health`) answering meanwhile.
    private static func loadOffThePool(_ registry: ModelRegistry) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                do {
                    try registry.load()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
