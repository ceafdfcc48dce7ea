import Foundation

/// One event of a `/v1/completions` stream: for each choice, its text, the ids it carries (if the
/// server sends them) and its finish reason.
struct CompletionChunk {
    struct Choice {
        var index: Int
        var text: String
        /// vLLM's `token_ids`, llama-server's `tokens`, or ids in `logprobs.tokens` as `token_id:N`.
        var tokenIDs: [Int]?
        var finishReason: String?
    }

    var choices: [Choice]

    /// Parses an event's data; `samples` bounds the choice indices.
    init(json: String, url: String, samples: Int) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
            throw RemoteEngineError.malformed(url: url, reason: "an event that is not a JSON object: \(json.prefix(120))")
        }
        if let error = object["error"] {
            let message = (error as? [String: Any])?["message"] as? String ?? "\(error)"
            throw RemoteEngineError.refused(url: url, status: 200, message: message)
        }
        guard let list = object["choices"] as? [[String: Any]] else {
            throw RemoteEngineError.malformed(url: url, reason: "an event without \"choices\": \(json.prefix(120))")
        }
        choices = try list.map { choice in
            let index = (choice["index"] as? NSNumber)?.intValue ?? 0
            guard (0..<samples).contains(index) else {
                throw RemoteEngineError.malformed(url: url, reason: "choice index \(index), but \(samples) sample\(samples == 1 ? " was" : "s were") asked for")
            }
            let ids = try Self.ids(choice["token_ids"] ?? choice["tokens"] ?? (list.count == 1 ? object["tokens"] : nil), url: url)
                ?? Self.logprobIDs(choice["logprobs"])
            return Choice(index: index, text: choice["text"] as? String ?? "", tokenIDs: ids,
                          finishReason: choice["finish_reason"] as? String)
        }
    }

    private static func ids(_ value: Any?, url: String) throws -> [Int]? {
        guard let value, !(value is NSNull) else { return nil }
        guard let list = value as? [Any] else {
            throw RemoteEngineError.malformed(url: url, reason: "token ids that are not a list")
        }
        return try list.map { item in
            guard let number = item as? NSNumber, number.doubleValue == number.doubleValue.rounded(), number.intValue >= 0 else {
                throw RemoteEngineError.malformed(url: url, reason: "a token id that is not a non-negative integer: \(item)")
            }
            return number.intValue
        }
    }

    /// vLLM with `return_tokens_as_token_ids` writes each token as `token_id:123`.
    private static func logprobIDs(_ value: Any?) -> [Int]? {
        guard let logprobs = value as? [String: Any], let tokens = logprobs["tokens"] as? [String] else { return nil }
        let ids = tokens.compactMap { $0.hasPrefix("token_id:") ? Int($0.dropFirst(9)) : nil }
        return ids.count == tokens.count ? ids : nil
    }
}
