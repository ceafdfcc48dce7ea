import QwenZoo

/// The constraint front ends (GBNF, JSON Schema, regular expressions): any text compiles or is
/// rejected with a GrammarError, and a compiled grammar runs over bytes without crashing.
enum GrammarTargets {
    /// Runs the compiled grammar over the input's own first bytes: a match, a prefix or a rejection.
    private static func exercise(_ grammar: Grammar, _ input: [UInt8]) throws {
        if case .rejected(let offset) = try grammar.match(input.prefix(256)), offset < 0 || offset >= 256 {
            violated("a rejection outside the input")
        }
    }

    static let gbnf: FuzzTarget = { input in
        let grammar = try Grammar(gbnf: String(decoding: input, as: UTF8.self))
        try exercise(grammar, input)
    }

    static let jsonSchema: FuzzTarget = { input in
        let grammar = try JSONSchemaGrammar.grammar(jsonText: String(decoding: input, as: UTF8.self))
        try exercise(grammar, input)
    }

    static let regex: FuzzTarget = { input in
        let grammar = try RegexGrammar.grammar(String(decoding: input, as: UTF8.self))
        try exercise(grammar, input)
    }
}
