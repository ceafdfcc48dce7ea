/// A configuration value as a manifest or a command line gives it to a component.
///
/// Components receive their options as these untyped values and read them through
/// ``ComponentOptions``, which turns a wrong type or an unknown key into an error that names the
/// manifest file and field.
public enum OptionValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([OptionValue])
    case map([String: OptionValue])

    /// A short description of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .list: "a list"
        case .map: "a map"
        }
    }
}

/// A component option that is missing, of the wrong type or out of range.
public struct OptionError: Error, CustomStringConvertible, Sendable {
    /// Where the options came from, e.g. `zoo/qwen2.5-7b.yaml: sampler[2]`.
    public let context: String
    /// The option's key (dotted for nested values).
    public let key: String
    public let message: String

    public init(context: String, key: String, message: String) {
        self.context = context
        self.key = key
        self.message = message
    }

    public var description: String {
        context.isEmpty ? "\(key): \(message)" : "\(context): \(key): \(message)"
    }
}

/// The options of one component (a sampler stage, an attention kind, a variant…), read with
/// typed accessors that report precise errors.
public struct ComponentOptions: Sendable, Equatable {
    public let values: [String: OptionValue]
    /// Where the options came from, used as the prefix of every error.
    public let context: String

    public init(_ values: [String: OptionValue] = [:], context: String = "") {
        self.values = values
        self.context = context
    }

    public func error(_ key: String, _ message: String) -> OptionError {
        OptionError(context: context, key: key, message: message)
    }

    /// Rejects keys the component does not know, suggesting the closest known one.
    public func rejectUnknownKeys(allowed: [String]) throws {
        for key in values.keys.sorted() where !allowed.contains(key) {
            let suggestion = didYouMean(key, in: allowed)
            let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
            throw error(key, "unknown option\(suggestion); known options: \(known)")
        }
    }

    public func double(_ key: String) throws -> Double? {
        try typed(key, "a number") { if case .number(let n) = $0 { n } else { nil } }
    }

    public func int(_ key: String) throws -> Int? {
        guard let n = try double(key) else { return nil }
        guard n == n.rounded(), abs(n) < 1e15 else { throw error(key, "expected an integer, found \(n)") }
        return Int(n)
    }

    public func bool(_ key: String) throws -> Bool? {
        try typed(key, "true or false") { if case .bool(let b) = $0 { b } else { nil } }
    }

    public func string(_ key: String) throws -> String? {
        try typed(key, "a string") { if case .string(let s) = $0 { s } else { nil } }
    }

    public func list(_ key: String) throws -> [OptionValue]? {
        try typed(key, "a list") { if case .list(let l) = $0 { l } else { nil } }
    }

    public func map(_ key: String) throws -> [String: OptionValue]? {
        try typed(key, "a map") { if case .map(let m) = $0 { m } else { nil } }
    }

    /// The option `key` as the one of `choices` that `name` calls so, nil when absent; any other
    /// name is an error listing the known ones (`unknown stop rule "x" (did you mean …?); known: …`).
    public func choice<T>(_ key: String, what: String, among choices: [T], name: (T) -> String) throws -> T? {
        guard let given = try string(key) else { return nil }
        guard let chosen = choices.first(where: { name($0) == given }) else {
            throw error(key, unknownNameMessage(given, what: what, known: choices.map(name)))
        }
        return chosen
    }

    /// The option `key` as a case of a string-backed enum, by raw value (see ``choice(_:what:among:name:)``).
    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, what: String) throws -> T?
    where T.RawValue == String {
        try choice(key, what: what, among: Array(T.allCases), name: \.rawValue)
    }

    /// The value at `key` as `extract` reads it; nil when absent or null, an error naming the
    /// `expected` type when `extract` refuses it.
    private func typed<T>(_ key: String, _ expected: String, _ extract: (OptionValue) -> T?) throws -> T? {
        guard let value = values[key], value != .null else { return nil }
        guard let typed = extract(value) else { throw error(key, "expected \(expected), found \(value.typeName)") }
        return typed
    }
}
