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
            let suggestion = closestMatch(to: key, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
            let known = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
            throw error(key, "unknown option\(suggestion); known options: \(known)")
        }
    }

    public func double(_ key: String) throws -> Double? {
        switch values[key] {
        case nil, .null: return nil
        case .number(let n): return n
        case let other?: throw error(key, "expected a number, found \(other.typeName)")
        }
    }

    public func int(_ key: String) throws -> Int? {
        guard let n = try double(key) else { return nil }
        guard n == n.rounded(), abs(n) < 1e15 else { throw error(key, "expected an integer, found \(n)") }
        return Int(n)
    }

    public func bool(_ key: String) throws -> Bool? {
        switch values[key] {
        case nil, .null: return nil
        case .bool(let b): return b
        case let other?: throw error(key, "expected true or false, found \(other.typeName)")
        }
    }

    public func string(_ key: String) throws -> String? {
        switch values[key] {
        case nil, .null: return nil
        case .string(let s): return s
        case let other?: throw error(key, "expected a string, found \(other.typeName)")
        }
    }

    public func list(_ key: String) throws -> [OptionValue]? {
        switch values[key] {
        case nil, .null: return nil
        case .list(let l): return l
        case let other?: throw error(key, "expected a list, found \(other.typeName)")
        }
    }

    public func map(_ key: String) throws -> [String: OptionValue]? {
        switch values[key] {
        case nil, .null: return nil
        case .map(let m): return m
        case let other?: throw error(key, "expected a map, found \(other.typeName)")
        }
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let lower = word.lowercased()
    if lower.count >= 3, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(lower) }) {
        return prefixed
    }
    let w = Array(lower)
    let scored = candidates.map { ($0, distance(w, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, w.count / 3) ? best.0 : nil
}
