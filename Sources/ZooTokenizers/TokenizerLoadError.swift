/// A vocabulary file that could not be loaded, with the file and the place inside it.
///
/// Loaders never trap on bad input: every problem becomes one of these, and its
/// ``description`` reads like a compiler diagnostic, e.g. `qwen.tiktoken:12: bad base64`.
public struct TokenizerLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where in the file the problem is.
    public enum Location: Sendable, Equatable {
        /// A 1-based line number in a text file.
        case line(Int)
        /// A JSON path such as `model.merges[12]`.
        case jsonPath(String)
    }

    /// The file (or directory) that failed to load.
    public let path: String
    /// The line or JSON path, when the problem is inside the file.
    public let location: Location?
    /// What is wrong.
    public let reason: String

    /// Creates an error for `path`, optionally pointing at a location inside it.
    public init(path: String, location: Location? = nil, reason: String) {
        self.path = path
        self.location = location
        self.reason = reason
    }

    public var description: String {
        switch location {
        case nil: return "\(path): \(reason)"
        case .line(let n): return "\(path):\(n): \(reason)"
        case .jsonPath(let p): return "\(path): at \(p.isEmpty ? "top level" : p): \(reason)"
        }
    }
}
