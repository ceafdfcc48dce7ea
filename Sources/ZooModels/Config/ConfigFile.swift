import Foundation

/// A JSON configuration file of a checkpoint (`config.json`, `generation_config.json`).
///
/// Decoding failures become ``ConfigError`` values that name the file and the field, so a user
/// with a hand-edited config sees `config.json: num_hidden_layers: expected a number`.
public struct ConfigFile: Sendable {
    public let url: URL
    public let data: Data

    /// Reads the file; a missing or unreadable file is a ``ConfigError``.
    public init(_ url: URL) throws {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ConfigError(file: url, field: nil, message: "file not found")
        }
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigError(file: url, field: nil, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// The file with some top-level fields replaced (a manifest's overrides), decoded as if written so.
    public func replacing(_ fields: [String: Any]) throws -> ConfigFile {
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConfigError(file: url, field: nil, message: "not a JSON object")
        }
        for (key, value) in fields { object[key] = value }
        return ConfigFile(url: url, data: try JSONSerialization.data(withJSONObject: object))
    }

    init(url: URL, data: Data) {
        self.url = url
        self.data = data
    }

    /// Decodes the whole file as `T`, translating decoding errors into ``ConfigError``.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError(file: url, decodingError: error)
        } catch let error as ConfigError {
            throw ConfigError(file: url, field: error.field, message: error.message)
        }
    }
}

/// A configuration file that is missing, malformed or inconsistent.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The file, when known (errors thrown while decoding get it filled in by ``ConfigFile``).
    public let file: URL?
    /// The dotted path of the offending field, if any.
    public let field: String?
    public let message: String

    public init(file: URL?, field: String?, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    init(file: URL, decodingError: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String? {
            let parts = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? nil : parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(file: file, field: path(context.codingPath), message: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: path(context.codingPath), message: "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(file: file, field: path(context.codingPath + [key]), message: "required field is missing")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
            self.init(file: file, field: nil, message: "not valid JSON\(detail)")
        case .dataCorrupted(let context):
            self.init(file: file, field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            self.init(file: file, field: nil, message: "\(decodingError)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }

    public var description: String {
        let where_ = [file?.path, field].compactMap { $0 }.joined(separator: ": ")
        return where_.isEmpty ? message : "\(where_): \(message)"
    }
}

/// A JSON value that is either one integer or a list of them (`eos_token_id` comes in both forms).
public struct OneOrManyInts: Decodable, Sendable, Equatable {
    public let values: [Int]
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(Int.self) {
            values = [one]
        } else {
            values = try container.decode([Int].self)
        }
    }
}
