/// Writes rules back as GBNF text (llama.cpp's syntax), e.g. to show what a JSON Schema became
/// (`zoo grammar --json-schema FILE`) or to hand it to another GBNF tool. Parsing the text gives
/// the same grammar.
public enum GBNFPrinter {
    /// The rules as GBNF, one rule a line.
    public static func text(_ rules: [GrammarRuleDefinition]) -> String {
        rules.map { "\($0.name) ::= \(alternatives($0.body))" }.joined(separator: "\n") + "\n"
    }

    static func alternatives(_ e: GrammarExpression) -> String {
        if case .alternatives(let options) = e { return options.map(sequence).joined(separator: " | ") }
        return sequence(e)
    }

    static func sequence(_ e: GrammarExpression) -> String {
        if case .sequence(let items) = e {
            return items.isEmpty ? "\"\"" : items.map(item).joined(separator: " ")
        }
        return item(e)
    }

    static func item(_ e: GrammarExpression) -> String {
        switch e {
        case .literal(let scalars): return "\"" + scalars.map { escape($0, inClass: false) }.joined() + "\""
        case .characterClass(let ranges, let negated):
            if negated && ranges.isEmpty { return "." }
            let body = ranges.map { r in
                r.lowerBound == r.upperBound ? escape(r.lowerBound, inClass: true)
                    : escape(r.lowerBound, inClass: true) + "-" + escape(r.upperBound, inClass: true)
            }.joined()
            return "[" + (negated ? "^" : "") + body + "]"
        case .reference(let name, _): return name
        case .sequence(let items) where items.count == 1: return item(items[0])
        case .sequence, .alternatives: return "(" + alternatives(e) + ")"
        case .repetition(let inner, let low, let high):
            let base = item(inner)
            switch (low, high) {
            case (0, nil): return base + "*"
            case (1, nil): return base + "+"
            case (0, 1?): return base + "?"
            case (_, nil): return base + "{\(low),}"
            case (_, let h?) where h == low: return base + "{\(low)}"
            case (_, let h?): return base + "{\(low),\(h)}"
            }
        }
    }

    static func escape(_ v: UInt32, inClass: Bool) -> String {
        switch v {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x5C: return "\\\\"
        case 0x22 where !inClass: return "\\\""
        case 0x5D where inClass, 0x5B where inClass, 0x2D where inClass, 0x5E where inClass:
            return "\\" + String(Character(Unicode.Scalar(v)!))
        case 0..<0x20, 0x7F: return "\\x" + (v < 16 ? "0" : "") + String(v, radix: 16, uppercase: true)
        default: return String(Character(Unicode.Scalar(v)!))
        }
    }
}
