import Foundation

/// Decoding JSON vocabulary files with load errors that name the file and the JSON path.
enum JSONFile {
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws(TokenizerLoadError) -> T {
        let data = try FileContents.bytes(url)
        guard String(validating: data, as: UTF8.self) != nil else {
            throw TokenizerLoadError(path: url.path, location: FileContents.firstInvalidUTF8Line(data).map { .line($0) },
                                     reason: "not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(data))
        } catch let error as DecodingError {
            if let problem = JSONSyntaxCheck.firstProblem(in: data) {
                throw TokenizerLoadError(path: url.path, location: .line(problem.line),
                                         reason: "invalid JSON: \(problem.message) (column \(problem.column))")
            }
            throw describe(error, url)
        } catch {
            throw TokenizerLoadError(path: url.path, reason: "invalid JSON: \(error)")
        }
    }

    /// `model.merges[3]`-style text for a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else if key.stringValue.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            } else {
                text += "[\(String(reflecting: key.stringValue))]"
            }
        }
        return text
    }

    private static func describe(_ error: DecodingError, _ url: URL) -> TokenizerLoadError {
        func make(_ context: DecodingError.Context, _ reason: String) -> TokenizerLoadError {
            var reason = reason
            if let underlying = context.underlyingError {
                reason += " (\(underlying))"
            }
            return TokenizerLoadError(path: url.path, location: .jsonPath(path(context.codingPath)), reason: reason)
        }
        switch error {
        case .typeMismatch(let type, let context):
            return make(context, "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return make(context, "missing \(type) value: \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            let c = DecodingError.Context(codingPath: context.codingPath, debugDescription: context.debugDescription)
            return make(c, "missing key '\(key.stringValue)'")
        case .dataCorrupted(let context):
            return make(context, "invalid JSON: \(context.debugDescription)")
        @unknown default:
            return TokenizerLoadError(path: url.path, reason: "invalid JSON: \(error)")
        }
    }
}
