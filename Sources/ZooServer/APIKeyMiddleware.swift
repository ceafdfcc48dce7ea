import Hummingbird

/// Requires `Authorization: Bearer KEY` on every route but `/health` (and `/metrics`, which a
/// scraper reads without the key, as vLLM's does). The key is compared in constant time, so the
/// time an answer takes says nothing about how much of a guess was right.
public struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let key: [UInt8]
    /// Paths answered without a key.
    private let publicPaths: Set<String>

    public init(key: String, publicPaths: Set<String> = ["/health", "/metrics"]) {
        self.key = Array(key.utf8)
        self.publicPaths = publicPaths
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), key) else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }

    /// Equal lengths and bytes, reading every byte of `given` whatever it holds.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: given.count ^ expected.count)
        for i in given.indices {
            difference |= given[i] ^ (expected.isEmpty ? 0 : expected[i % expected.count])
        }
        return difference == 0 && !expected.isEmpty
    }
}
