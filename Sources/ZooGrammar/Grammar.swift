/// A compiled grammar over bytes: rules of alternatives of byte sets and rule references.
///
/// Every front end (GBNF, JSON Schema, regular expressions, `choice`, `json`) ends here. Character
/// classes are already expanded into UTF-8 byte sequences and repetitions into helper rules, so
/// the recognizer only ever matches one byte against one ``ByteSet``.
///
/// The rules are laid out as one program: each alternative is a run of elements closed by an
/// end marker, and a position (an index into the program) says how far a rule has come.
public struct Grammar: Sendable {
    /// What one program position holds.
    enum Element: Sendable, Equatable {
        /// One byte from the set at this index of ``byteSets``.
        case bytes(Int32)
        /// A rule, by index.
        case rule(Int32)
        /// The end of an alternative.
        case end
    }

    let program: [Element]
    let byteSets: [ByteSet]
    /// The bytes no set tells apart, so the automaton steps once per class.
    let byteClasses: ByteClasses
    /// Each rule's alternatives, as the program positions they start at.
    let alternatives: [[Int32]]
    /// The program as the automaton reads it, made once here rather than per run.
    let flat: FlatProgram
    /// Each rule's name (helper rules are named after the rule they came from, e.g. `item-3`).
    public let ruleNames: [String]
    /// The rule the whole output must match.
    let root: Int32
    /// Where bounded repetitions count down, so masks can be shared across their counts.
    let repetitionLevels: RepetitionLevels

    /// Compiles GBNF text (``GBNFParser``): `root` is the start rule.
    public init(gbnf text: String, source: String = "grammar") throws {
        try self.init(rules: GBNFParser.parse(text, source: source), source: source)
    }

    /// Compiles parsed rules, checking that every referenced rule exists, that `root` does and
    /// that no rule is left-recursive (which a top-down recognizer could not run).
    public init(rules: [GrammarRuleDefinition], root rootName: String = "root", source: String = "grammar") throws {
        var lowering = GrammarLowering(source: source)
        try lowering.lower(rules)
        guard let root = lowering.ruleIndex[rootName] else {
            throw GrammarError(source: source, location: "", reason: "the grammar has no \"\(rootName)\" rule (where the output starts)")
        }
        var program: [Element] = []
        var alternatives: [[Int32]] = []
        for rule in lowering.rules {
            var starts: [Int32] = []
            for alternative in rule.alternatives {
                starts.append(Int32(program.count))
                program += alternative
                program.append(.end)
            }
            alternatives.append(starts)
        }
        self.program = program
        self.byteSets = lowering.byteSets
        self.byteClasses = ByteClasses(lowering.byteSets)
        self.alternatives = alternatives
        self.flat = FlatProgram(program: program, alternatives: alternatives)
        self.ruleNames = lowering.rules.map(\.name)
        self.root = Int32(root)
        self.repetitionLevels = RepetitionLevels(
            chains: lowering.countedRepetitions, program: program, alternatives: alternatives)
        try LeftRecursionCheck(self).run(source: source)
    }

    /// The number of rules, helper rules included.
    public var ruleCount: Int { alternatives.count }
}
