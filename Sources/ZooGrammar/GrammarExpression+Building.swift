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

extension GrammarExpression {
    /// How many branch levels ``anyText(of:)`` nests before listing the rest flat (bounded
    /// recursion, whatever the texts).
    static let maxTextTrieDepth = 32

    /// Exactly one of `texts`, as a trie of their characters: texts that share a prefix share its
    /// parse, so a list of thousands (a `choice`, a JSON Schema `enum`) opens a few parses a byte
    /// instead of one per text, well inside what the automaton lets one byte open.
    static func anyText(of texts: [String]) -> GrammarExpression {
        let words = Set(texts.map { $0.unicodeScalars.map(\.value) }).sorted { $0.lexicographicallyPrecedes($1) }
        return textTrie(words[...], depth: 0)
    }

    /// `words` sorted and distinct.
    private static func textTrie(_ words: ArraySlice<[UInt32]>, depth: Int) -> GrammarExpression {
        guard words.count > 1, depth < maxTextTrieDepth else { return .either(words.map { .literal($0) }) }
        // Sorted, so the prefix every word shares is the one the first and last share.
        let first = words[words.startIndex], last = words[words.endIndex - 1]
        var common = 0
        while common < first.count, common < last.count, first[common] == last[common] { common += 1 }
        if common > 0 {
            let rest = words.map { Array($0.dropFirst(common)) }
            return .sequence([.literal(Array(first.prefix(common))), textTrie(rest[...], depth: depth + 1)])
        }
        var options: [GrammarExpression] = []
        var i = words.startIndex
        if words[i].isEmpty {
            options.append(.empty)
            i += 1
        }
        while i < words.endIndex {
            var j = i + 1
            while j < words.endIndex, words[j][0] == words[i][0] { j += 1 }
            options.append(textTrie(words[i..<j], depth: depth + 1))
            i = j
        }
        return .either(options)
    }
}
