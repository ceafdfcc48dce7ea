import ZooCore

/// Reads one stage's options, naming the stage in every error: the scalar `value` as the stage
/// (`top_p: …`), other options as `stage.option` (`dry.base: …`).
struct SamplerStageArguments {
    let stage: String
    let options: ComponentOptions

    func key(_ k: String) -> String { k == "value" ? stage : "\(stage).\(k)" }

    func error(_ k: String, _ message: String) -> OptionError {
        OptionError(context: "", key: key(k), message: message)
    }

    func allow(_ allowed: [String]) throws {
        for k in options.values.keys.sorted() where !allowed.contains(k) {
            if k == "value" {
                let example = allowed.first.map { " (e.g. \(stage)(\($0)=…))" } ?? ""
                throw OptionError(context: "", key: stage, message: allowed.isEmpty
                    ? "takes no value" : "takes named options\(example): \(allowed.joined(separator: ", "))")
            }
            let suggestion = didYouMean(k, in: allowed)
            let known = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
            throw error(k, "unknown option\(suggestion); known options: \(known)")
        }
    }

    private func present(_ k: String) -> OptionValue? {
        switch options.values[k] {
        case nil, .null?: return nil
        case let v?: return v
        }
    }

    private func missing(_ k: String) -> OptionError {
        error(k, k == "value" ? "needs a value, e.g. \(stage)=…" : "is required")
    }

    func double(_ k: String, default fallback: Double? = nil) throws -> Double {
        guard let v = present(k) else {
            if let fallback { return fallback }
            throw missing(k)
        }
        switch v {
        case .number(let n): return n
        case .string(let s) where Double(s) != nil: return Double(s)!
        default: throw error(k, "expected a number, found \(v.typeName)")
        }
    }

    func int(_ k: String, default fallback: Int? = nil) throws -> Int {
        guard present(k) != nil else {
            if let fallback { return fallback }
            throw missing(k)
        }
        let n = try double(k)
        guard n == n.rounded(), abs(n) < 1e15 else { throw error(k, "expected an integer, found \(show(n))") }
        return Int(n)
    }

    func bool(_ k: String, default fallback: Bool) throws -> Bool {
        guard let v = present(k) else { return fallback }
        guard case .bool(let b) = v else { throw error(k, "expected true or false, found \(v.typeName)") }
        return b
    }

    private func id(_ v: OptionValue, _ k: String) throws -> Int {
        guard case .number(let n) = v, n == n.rounded(), n >= 0, n < 1e12 else {
            throw error(k, "expected token ids (non-negative integers), found \(v.typeName == "a number" ? "\(v)" : v.typeName)")
        }
        return Int(n)
    }

    /// A list of token ids (a single id is accepted as a list of one).
    func ids(_ k: String) throws -> [Int] {
        guard let v = present(k) else { throw missing(k) }
        if case .list(let items) = v { return try items.map { try id($0, k) } }
        return [try id(v, k)]
    }

    /// A list whose items are token ids (one-token sequences) or lists of token ids.
    func idSequences(_ k: String) throws -> [[Int]] {
        guard let v = present(k) else { return [] }
        guard case .list(let items) = v else { throw error(k, "expected a list of token ids or of id lists, found \(v.typeName)") }
        return try items.map { item in
            if case .list(let seq) = item { return try seq.map { try id($0, k) } }
            return [try id(item, k)]
        }
    }
}
