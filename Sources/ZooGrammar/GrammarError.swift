/// A grammar, regular expression or schema that cannot be used, with where and why.
///
/// `location` is `line:column` for GBNF text, `column N` for a regular expression, or a JSON
/// path (`$.properties.age.minimum`) for a schema.
public struct GrammarError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being read: `grammar`, `regex`, `json_schema`, a file path…
    public var source: String
    /// Where in it: `3:14`, `column 5`, `$.items.format`.
    public var location: String
    /// Why, e.g. `unterminated string`.
    public var reason: String

    public init(source: String, location: String, reason: String) {
        self.source = source
        self.location = location
        self.reason = reason
    }

    public var description: String {
        location.isEmpty ? "\(source): \(reason)" : "\(source) at \(location): \(reason)"
    }
}

/// Why a constrained sequence cannot go on.
public struct ConstraintError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The stage, e.g. `json_schema`.
    public var stage: String
    /// Why the sequence cannot go on.
    public var reason: String

    public init(stage: String, reason: String) {
        self.stage = stage
        self.reason = reason
    }

    public var description: String { "\(stage): \(reason)" }
}
