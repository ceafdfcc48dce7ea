/// A model repository on the Hub, `Org/Name` (or a bare legacy `name`).
public struct HubRepoID: Sendable, Hashable, CustomStringConvertible {
    /// The id as written, e.g. `Qwen/Qwen2.5-0.5B-Instruct`.
    public let id: String

    /// Checks the id as the Hub does; the error says what is wrong with it.
    public init(_ text: String) throws(HubRepoIDError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { throw HubRepoIDError(id: text, reason: "expected Org/Name") }
        for part in parts {
            guard !part.isEmpty, part.count <= 96 else { throw HubRepoIDError(id: text, reason: "expected Org/Name with non-empty parts") }
            guard part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw HubRepoIDError(id: text, reason: "only letters, digits, '-', '_' and '.' may appear in Org and Name")
            }
            guard !part.hasPrefix("-"), !part.hasPrefix("."), !part.contains("--"), !part.contains("..") else {
                throw HubRepoIDError(id: text, reason: "'--' and '..' may not appear, nor '-' or '.' first")
            }
        }
        id = text
    }

    /// The cache folder's name, as `huggingface_hub` forms it: `models--Org--Name`.
    public var cacheFolderName: String { (["models"] + id.split(separator: "/").map(String.init)).joined(separator: "--") }

    public var description: String { id }
}

/// A repository id the Hub would not accept.
public struct HubRepoIDError: Error, CustomStringConvertible, Sendable {
    /// The id as written.
    public let id: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "\"\(id)\" is not a Hugging Face repository id: \(reason)" }
}
