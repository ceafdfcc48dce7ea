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

    /// `self{min,max}`.
    func times(_ min: Int, _ max: Int?) -> GrammarExpression { .repetition(self, min: min, max: max) }

    /// Several alternatives, or the only one.
    static func either(_ options: [GrammarExpression]) -> GrammarExpression {
        options.count == 1 ? options[0] : .alternatives(options)
    }
}
