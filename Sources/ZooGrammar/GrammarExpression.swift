/// A GBNF rule body as written: what the GBNF parser produces and the compiler lowers to bytes.
/// Only ``repetition(_:min:max:)`` is `indirect`: a wholly indirect enum keeps its payload boxes behind tagged
/// pointers, which LeakSanitizer cannot follow, so an expression still alive at exit was reported as leaked.
public enum GrammarExpression: Sendable, Hashable {
    /// Characters in order (a quoted string), as Unicode scalar values.
    case literal([UInt32])
    /// A character class: `[a-z_]`, `[^"\\]`; `.` is the negated empty class.
    case characterClass(ranges: [ClosedRange<UInt32>], negated: Bool)
    /// A reference to a rule by name, with its `line:column` for errors.
    case reference(String, at: String)
    /// Items one after the other.
    case sequence([GrammarExpression])
    /// One of several alternatives.
    case alternatives([GrammarExpression])
    /// `item{min,max}` (`max` `nil`: unbounded); `*`, `+` and `?` are its short forms.
    indirect case repetition(GrammarExpression, min: Int, max: Int?)

    /// The empty sequence (matches nothing, successfully).
    public static var empty: GrammarExpression { .sequence([]) }
}

/// One `name ::= body` definition.
public struct GrammarRuleDefinition: Sendable, Equatable {
    /// The rule name (letters, digits, dashes).
    public var name: String
    /// What the rule matches.
    public var body: GrammarExpression
    /// Where the name was written (`line:column`; empty for rules a program made).
    public var location: String

    /// A rule definition; `location` is where it was written, if anywhere.
    public init(name: String, body: GrammarExpression, location: String = "") {
        self.name = name
        self.body = body
        self.location = location
    }
}
