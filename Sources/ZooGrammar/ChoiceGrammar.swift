/// The `choice` constraint: the output is exactly one of the given strings.
public enum ChoiceGrammar {
    /// The grammar whose outputs are exactly `choices` (at least one).
    public static func grammar(_ choices: [String], source: String = "choice") throws -> Grammar {
        guard !choices.isEmpty else { throw GrammarError(source: source, location: "", reason: "needs at least one choice") }
        return try Grammar(rules: [GrammarRuleDefinition(name: "root", body: .anyText(of: choices), location: "")], source: source)
    }
}
