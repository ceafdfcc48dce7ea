extension OptionValue {
    /// A JSON value as component options carry it (a manifest's `json_schema: {…}` stage, a tool's schema): numbers
    /// become doubles and objects maps, so member order is not kept.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .number(Double(i))
        case .number(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(OptionValue.init))
        case .object(let object):
            self = .map(Dictionary(uniqueKeysWithValues: object.members.map { ($0.key, OptionValue($0.value)) }))
        }
    }
}

extension JSONValue {
    /// An option value as a wire format wants it: whole numbers as integers (token ids must not read
    /// `9707.0`), a non-finite number as `null`, and map keys sorted so the same options give the same text.
    public init(wire option: OptionValue) {
        switch option {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { self = .integer(Int(n)) } else if n.isFinite { self = .number(n) } else { self = .null }
        case .string(let s): self = .string(s)
        case .list(let items): self = .array(items.map { JSONValue(wire: $0) })
        case .map(let entries): self = .object(JSONObject(entries.keys.sorted().map { ($0, JSONValue(wire: entries[$0]!)) }))
        }
    }
}
