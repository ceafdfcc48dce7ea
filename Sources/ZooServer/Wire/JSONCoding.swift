import Foundation
import Hummingbird

/// The one JSON encoder and decoder of the server's bodies (Codable throughout).
enum JSONCoding {
    /// Compact JSON with sorted keys (the same bytes every run) and `/` unescaped, as the rest of
    /// QwenZoo writes it.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Decodes a request body; a body that is not valid JSON, or not the shape expected, becomes
    /// a 400 naming the field (``APIError/decoding(_:)``).
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
    }

    /// A JSON response with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        do {
            let data = try encoder.encode(value)
            return Response(status: status, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return APIError(status: 500, message: "internal error: cannot encode the response (\(error))",
                            type: "server_error").response
        }
    }
}
