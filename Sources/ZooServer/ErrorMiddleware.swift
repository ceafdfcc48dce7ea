import Hummingbird
import NIOCore

/// The outermost middleware: every error a route or the router throws leaves as OpenAI's error
/// object with its status (an unknown path is a 404 naming it, a body over the limit a 413), and
/// every response is counted by status for `/metrics`.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let bodyLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.apiError(for: error, request: request, bodyLimit: bodyLimit).response
        }
        metrics.recordResponse(status: response.status.code)
        return response
    }

    static func apiError(for error: any Error, request: Request, bodyLimit: Int) -> APIError {
        switch error {
        case is NIOTooManyBytesError:
            return .bodyTooLarge(limit: bodyLimit)
        case let error as HTTPError where error.status == .notFound:
            return APIError(status: 404, message: "no route \(request.method) \(request.uri.path)", code: "not_found")
        case let error as any HTTPResponseError:
            return APIError(status: error.status.code, message: "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)")
        default:
            return .from(error)
        }
    }
}
