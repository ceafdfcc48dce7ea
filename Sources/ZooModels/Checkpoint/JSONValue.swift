import Foundation

/// A parsed JSON value that keeps integers distinct from other numbers and from booleans,
/// so header validation can reject `1.5` or `true` where a dimension is expected.
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses UTF-8 JSON text; a failure with a reason when the bytes are not UTF-8 or not JSON.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, ParseFailure> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(ParseFailure(reason: "is not valid UTF-8"))
        }
        let data = Data(text.utf8)
        do {
            return .success(try JSONDecoder().decode(JSONValue.self, from: data))
        } catch {
            return .failure(ParseFailure(reason: "is not valid JSON (\(Self.summary(of: error, data: data)))"))
        }
    }

    struct ParseFailure: Error {
        let reason: String
    }

    /// A short type name for error messages ("a string", "an array", ...).
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a non-integer number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// JSONDecoder reports only "not valid JSON"; JSONSerialization says where, so ask it on failure.
    private static func summary(of decodingError: any Error, data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        }
        if case DecodingError.dataCorrupted(let context) = decodingError { return context.debugDescription }
        return String(describing: decodingError)
    }
}
