/// The grammar of JSON itself (RFC 8259), as the rules every JSON-producing constraint shares:
/// `json` (any value) and the building blocks of ``JSONSchemaGrammar``.
///
/// Output is compact-ish: one optional space after `{`, `[`, `,` and `:`, none elsewhere, no
/// whitespace before or after the value. Numbers have at most 16 integer and 16 fraction digits
/// (as llama.cpp's), so a constrained number always ends.
public enum JSONGrammar {
    /// The `json` constraint: any JSON value.
    public static func grammar() throws -> Grammar {
        try Grammar(rules: rules(prefix: "json") + [GrammarRuleDefinition(name: "root", body: .rule("json-value"), location: "")],
                    source: "json")
    }

    /// The shared rules, named `<prefix>-value`, `-object`, `-array`, `-string`, `-char`,
    /// `-number`, `-integer`, `-boolean`, `-null`, `-space`.
    public static func rules(prefix p: String) -> [GrammarRuleDefinition] {
        func rule(_ name: String, _ body: GrammarExpression) -> GrammarRuleDefinition {
            GrammarRuleDefinition(name: "\(p)-\(name)", body: body, location: "")
        }
        let space = GrammarExpression.rule("\(p)-space")
        let hex = GrammarExpression.characterClass(ranges: [48...57, 65...70, 97...102], negated: false)
        // \uXXXX without surrogates: a lone surrogate is not a character a validator can count.
        let nonSurrogate = GrammarExpression.either([
            .sequence([.characterClass(ranges: [48...57, 65...67, 69...70, 97...99, 101...102], negated: false), hex, hex, hex]),
            .sequence([.oneOf("dD"), .range("0", "7"), hex, hex]),
        ])
        let digit = GrammarExpression.range("0", "9")
        let integral = GrammarExpression.either([.text("0"), .sequence([.range("1", "9"), digit.times(0, 15)])])
        let kv = GrammarExpression.sequence([.rule("\(p)-string"), .text(":"), space, .rule("\(p)-value")])
        return [
            rule("space", GrammarExpression.text(" ").optional),
            rule("char", .either([
                .characterClass(ranges: [0...0x1F, 0x22...0x22, 0x5C...0x5C], negated: true),
                .sequence([.text("\\"), .either([.oneOf("\"\\/bfnrt"), .sequence([.text("u"), nonSurrogate])])]),
            ])),
            rule("string", .sequence([.text("\""), GrammarExpression.rule("\(p)-char").times(0, nil), .text("\"")])),
            rule("integer", .sequence([GrammarExpression.text("-").optional, integral])),
            rule("number", .sequence([
                GrammarExpression.text("-").optional, integral,
                GrammarExpression.sequence([.text("."), digit.times(1, 16)]).optional,
                GrammarExpression.sequence([.oneOf("eE"), GrammarExpression.oneOf("+-").optional, digit.times(1, 3)]).optional,
            ])),
            rule("boolean", .either([.text("true"), .text("false")])),
            rule("null", .text("null")),
            rule("object", .sequence([
                .text("{"), space,
                GrammarExpression.sequence([kv, GrammarExpression.sequence([.text(","), space, kv]).times(0, nil)]).optional,
                .text("}"),
            ])),
            rule("array", .sequence([
                .text("["), space,
                GrammarExpression.sequence([
                    .rule("\(p)-value"), GrammarExpression.sequence([.text(","), space, .rule("\(p)-value")]).times(0, nil),
                ]).optional,
                .text("]"),
            ])),
            rule("value", .either(["object", "array", "string", "number", "boolean", "null"].map { .rule("\(p)-\($0)") })),
        ]
    }
}
