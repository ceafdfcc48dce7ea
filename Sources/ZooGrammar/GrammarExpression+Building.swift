// Short constructors for the converters (JSON Schema, regular expressions, choice) that build
// rules in Swift rather than as GBNF text.
extension GrammarExpression {
    /// The characters of `text`.
    static func text(_ text: String) -> GrammarExpression { .literal(text.unicodeScalars.map(\.value)) }

    /// A rule reference made by a converter (no source position).
    static func rule(_ name: String) -> GrammarExpression { .reference(name, at: "") }

    /// The class of the ASCII characters `lower...upper`.
    static func range(_ lower: Character, _ upper: Character) -> GrammarExpression {
        .characterClass(ranges: [lower.unicodeScalars.first!.value...upper.unicodeScalars.first!.value], negated: false)
    }

    /// One of the characters of `chars`.
    static func oneOf(_ chars: String) -> GrammarExpression {
        .characterClass(ranges: chars.unicodeScalars.map { $0.value...$0.value }, negated: false)
    }

    /// `self?`.
    var optional: GrammarExpression { .repetition(self, min: 0, max: 1) }

    /// `self{min,max}`, merged with the repetition `self` already is when the two read as one
    /// (`x*+` is `x*`, `(x+){2,}` is `x{2,}`, `(x?){0,3}` is `x{0,3}`, `(x{1,4})?` is `x{0,4}`):
    /// stacked operators then neither nest helper rules nor multiply a configuration's parses.
    func times(_ min: Int, _ max: Int?) -> GrammarExpression {
        guard case .repetition(let x, let a, let b) = self else { return .repetition(self, min: min, max: max) }
        if max == 0 { return .empty }
        if min == 1 && max == 1 { return self }
        switch (a, b) {
        case (0, nil): return self                                  // (x*){m,n}, n ≥ 1: any count
        case (1, nil): return .repetition(x, min: min, max: nil)    // (x+){m,n}: m or more
        case (0, 1?): return .repetition(x, min: 0, max: max)       // (x?){m,n}: 0 to n
        case (_, let b) where a <= 1 && min == 0 && max == 1:        // (x{a,b})?, a ≤ 1: 0 to b
            return .repetition(x, min: 0, max: b)
        default: return .repetition(self, min: min, max: max)
        }
    }

    /// How many repetitions are stacked directly on each other at the top of `self`.
    var repetitionNesting: Int {
        var n = 0
        var e = self
        while case .repetition(let inner, _, _) = e { n += 1; e = inner }
        return n
    }

    /// Several alternatives, or the only one.
    static func either(_ options: [GrammarExpression]) -> GrammarExpression {
        options.count == 1 ? options[0] : .alternatives(options)
    }
}
