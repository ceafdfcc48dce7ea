import Foundation
import Hummingbird
import QwenZoo

/// An error as the OpenAI API reports it: an HTTP status and
/// `{"error": {"message", "type", "param", "code"}}`, the message naming the field.
///
/// Every failure a request can meet becomes one of these (`APIError.from(_:)`), so no user input
/// ever produces a 500: a 500 means a bug of the server, and says so.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// What went wrong, naming the field.
    public var message: String
    /// OpenAI's `type`, e.g. `invalid_request_error`.
    public var type: String
    /// The request field at fault, if any (`messages[0].role`, `max_tokens`).
    public var param: String?
    /// OpenAI's `code`, e.g. `model_not_found`, `invalid_api_key`.
    public var code: String?
    /// Seconds a client should wait before retrying (429, 503).
    public var retryAfter: Int?

    public init(status: Int, message: String, type: String = "invalid_request_error", param: String? = nil,
                code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status): \(message)" }

    /// 400 for a field that is missing, of the wrong type or out of range.
    static func invalid(_ param: String?, _ message: String) -> APIError {
        APIError(status: 400, message: message, param: param)
    }

    /// 400 for a field another part of the server will serve.
    static func notSupportedYet(_ param: String) -> APIError {
        APIError(status: 400, message: "\"\(param)\" is not supported yet by this server", param: param,
                 code: "unsupported_parameter")
    }

    /// 404 for a model the server does not serve, listing those it does.
    static func unknownModel(_ name: String, served: [String]) -> APIError {
        APIError(status: 404, message: "the model \"\(name)\" is not served here; served: \(served.joined(separator: ", "))",
                 param: "model", code: "model_not_found")
    }

    /// 413 for a body over the limit.
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, message: "the request body is larger than the limit of \(limit) bytes",
                 code: "request_too_large")
    }

    /// 401 for a missing or wrong API key.
    static let unauthorized = APIError(
        status: 401, message: "a valid API key is required: send it as \"Authorization: Bearer KEY\"",
        code: "invalid_api_key")

    /// The error a failure becomes: its own when it is one, a 400 for a request the model cannot
    /// serve, a 429 for a full queue, and a 500 only for what no request should cause.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as EngineOverloadError:
            return APIError(status: 429, message: error.description, type: "rate_limit_exceeded",
                            code: "queue_full", retryAfter: max(1, error.retryAfterSeconds))
        case let error as DecodingError:
            return decoding(error)
        case let error as ContextOverflowError:
            return invalid("messages", "the prompt is too long: \(error)")
        case is UnsupportedRequestError, is SamplerChainError, is ChainSyntaxError, is OptionError,
             is UnknownTokenError, is TokenOutOfRangeError, is EmptyPromptError:
            return invalid(nil, "\(error)")
        case is CancellationError:
            return APIError(status: 503, message: "the request was cancelled: the server is stopping", type: "server_error",
                            retryAfter: 1)
        default:
            return APIError(status: 500, message: "internal error: \(error)", type: "server_error")
        }
    }

    /// Names the field a `JSONDecoder` failed on (`messages[1].content`).
    static func decoding(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text
        }
        switch error {
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            let expected = context.debugDescription.hasPrefix("expected") ? context.debugDescription : "expected \(describe(type))"
            return invalid(field.isEmpty ? nil : field, "\(field.isEmpty ? "the body" : "\"\(field)\""): \(expected)")
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return invalid(field, "\"\(field)\": expected \(describe(type)), found null")
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return invalid(field, "missing required field \"\(field)\"")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                return invalid(nil, "the body is not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))")
            }
            return invalid(field, "\"\(field)\": \(context.debugDescription)")
        @unknown default:
            return invalid(nil, "the body could not be read: \(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}

extension APIError {
    private struct Body: Encodable {
        struct Inner: Encodable {
            var message: String
            var type: String
            var param: NullEncoded<String>
            var code: NullEncoded<String>
        }
        var error: Inner
    }

    /// The JSON body, `{"error": {…}}`.
    var jsonBody: ByteBuffer {
        let body = Body(error: .init(message: message, type: type, param: NullEncoded(param), code: NullEncoded(code)))
        return ByteBuffer(bytes: (try? JSONCoding.encoder.encode(body)) ?? Data(#"{"error":{"message":"internal error"}}"#.utf8))
    }

    /// The HTTP response: the status, `Retry-After` when set, and the JSON body.
    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: jsonBody))
    }
}
