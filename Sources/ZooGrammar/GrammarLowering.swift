/// Lowers GBNF expressions to the byte-level rules of ``Grammar``: literals become bytes,
/// character classes UTF-8 byte-range sequences, groups and repetitions helper rules.
struct GrammarLowering {
    struct Rule {
        var name: String
        var alternatives: [[Grammar.Element]]
    }

    /// The most elements a grammar may expand to (`("a"{10000}){10000}` must be an error, not
    /// a hundred million elements).
    static let maxElements = 1_000_000

    let source: String
    var rules: [Rule] = []
    private var elements = 0
    var ruleIndex: [String: Int] = [:]
    var byteSets: [ByteSet] = []
    /// Each bounded repetition's rules `O(2)`, `O(3)`, … (see ``RepetitionLevels``).
    var countedRepetitions: [[Int32]] = []
    private var byteSetIndex: [ByteSet: Int32] = [:]
    private var classRules: [String: Int32] = [:]
    private var undefined: [(name: String, at: String)] = []

    init(source: String) {
        self.source = source
    }

    mutating func lower(_ definitions: [GrammarRuleDefinition]) throws {
        for d in definitions { _ = index(of: d.name) }
        for d in definitions {
            let i = ruleIndex[d.name]!
            rules[i].alternatives = try alternatives(of: d.body, in: d.name)
        }
        if let missing = undefined.first(where: { ruleIndex[$0.name].map { rules[$0].alternatives.isEmpty } ?? true }) {
            throw GrammarError(source: source, location: missing.at, reason: "rule \"\(missing.name)\" is not defined")
        }
    }

    private mutating func index(of name: String) -> Int {
        if let i = ruleIndex[name] { return i }
        rules.append(Rule(name: name, alternatives: []))
        ruleIndex[name] = rules.count - 1
        return rules.count - 1
    }

    /// Counts `n` more elements, failing once the grammar grows too large.
    private mutating func grow(_ n: Int) throws {
        elements += n
        guard elements <= Self.maxElements else {
            throw GrammarError(source: source, location: "", reason: "the grammar expands to more than \(Self.maxElements) elements (its repetitions multiply); make the counts smaller")
        }
    }

    private mutating func helper(_ base: String, _ alternatives: [[Grammar.Element]]) -> Int32 {
        rules.append(Rule(name: "\(base)-\(rules.count)", alternatives: alternatives))
        return Int32(rules.count - 1)
    }

    private mutating func set(_ s: ByteSet) -> Grammar.Element {
        if let i = byteSetIndex[s] { return .bytes(i) }
        byteSets.append(s)
        byteSetIndex[s] = Int32(byteSets.count - 1)
        return .bytes(Int32(byteSets.count - 1))
    }

    private mutating func alternatives(of e: GrammarExpression, in rule: String) throws -> [[Grammar.Element]] {
        if case .alternatives(let options) = e {
            return try options.map { try sequence($0, in: rule) }
        }
        return [try sequence(e, in: rule)]
    }

    private mutating func sequence(_ e: GrammarExpression, in rule: String) throws -> [Grammar.Element] {
        switch e {
        case .literal(let scalars):
            var out: [Grammar.Element] = []
            for v in scalars {
                for b in String(Character(Unicode.Scalar(v)!)).utf8 { out.append(set(ByteSet(byte: b))) }
            }
            return out
        case .characterClass(let ranges, let negated):
            return [characterClass(ranges, negated: negated, in: rule)]
        case .reference(let name, let at):
            if ruleIndex[name] == nil { undefined.append((name, at)) }
            return [.rule(Int32(index(of: name)))]
        case .sequence(let items):
            return try items.flatMap { try sequence($0, in: rule) }
        case .alternatives:
            return [.rule(helper(rule, try alternatives(of: e, in: rule)))]
        case .repetition(let item, let low, let high):
            var symbol = try sequence(item, in: rule)
            if symbol.count != 1 { symbol = [.rule(helper(rule, [symbol]))] }
            var out: [Grammar.Element] = []
            try grow(symbol.count * max(low, high ?? low) + 2)
            for _ in 0..<low { out += symbol }
            if let high {
                // x{0,k}: O(k) ::= x O(k-1) | ε, so a bounded repetition never grows the stack.
                guard high > low else { return out }
                var tail = helper(rule, [symbol, []])
                var levels: [Int32] = []
                for _ in 0..<(high - low - 1) {
                    tail = helper(rule, [symbol + [.rule(tail)], []])
                    levels.append(tail)
                }
                if !levels.isEmpty { countedRepetitions.append(levels) }
                out.append(.rule(tail))
            } else {
                // x*: R ::= x R | ε (right recursion in tail position: the stack stays flat).
                let r = helper(rule, [])
                rules[Int(r)].alternatives = [symbol + [.rule(r)], []]
                out.append(.rule(r))
            }
            return out
        }
    }

    private mutating func characterClass(_ ranges: [ClosedRange<UInt32>], negated: Bool, in rule: String) -> Grammar.Element {
        if !negated, ranges.allSatisfy({ $0.upperBound < 0x80 }) {
            var s = ByteSet()
            for r in ranges { s = s.union(ByteSet(UInt8(r.lowerBound), UInt8(r.upperBound))) }
            return set(s)
        }
        let scalars = negated ? UTF8Ranges.complement(ranges) : UTF8Ranges.merged(ranges)
        let key = scalars.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
        if let r = classRules[key] { return .rule(r) }
        let sequences = UTF8Ranges.sequences(scalars)
        let alternatives = sequences.map { seq in seq.map { set(ByteSet($0.lowerBound, $0.upperBound)) } }
        let r = helper("char", alternatives)
        classRules[key] = r
        return .rule(r)
    }
}

extension ByteSet {
    /// The bytes in either set.
    func union(_ other: ByteSet) -> ByteSet {
        var s = self
        s.formUnion(other)
        return s
    }
}
