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
