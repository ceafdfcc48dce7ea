import ArgumentParser
import QwenZoo

/// `--json-schema FILE`, `--grammar FILE`, `--regex R`, `--choice a,b`: a constraint stage put
/// first in the chain (before the manifest's or `--chain`'s stages).
struct ConstraintArguments: ParsableArguments {
    @Option(name: .customLong("json-schema"), help: "Constrain the output to JSON that this JSON Schema file accepts.")
    var jsonSchema: String?

    @Option(help: "Constrain the output by a GBNF grammar file (llama.cpp's syntax; the rule root).")
    var grammar: String?

    @Option(help: "Constrain the output to match this regular expression as a whole.")
    var regex: String?

    @Option(help: "Constrain the output to one of these comma-separated strings.")
    var choice: String?

    func validate() throws {
        let given = [jsonSchema, grammar, regex, choice].compactMap { $0 }
        guard given.count <= 1 else { throw ValidationError("give at most one of --json-schema, --grammar, --regex and --choice") }
    }

    /// The constraint stage, if one was asked for.
    var stage: SamplerStageSpec? {
        if let jsonSchema { return SamplerStageSpec("json_schema_file", ["value": .string(jsonSchema)]) }
        if let grammar { return SamplerStageSpec("grammar_file", ["value": .string(grammar)]) }
        if let regex { return .regex(regex) }
        if let choice { return .choice(choice.split(separator: ",", omittingEmptySubsequences: false).map(String.init)) }
        return nil
    }

    /// `chain` with the constraint first (`nil` chain: the manifest's `fallback`).
    func applied(to chain: [SamplerStageSpec]?, fallback: [SamplerStageSpec]) -> [SamplerStageSpec]? {
        guard let stage else { return chain }
        return [stage] + (chain ?? fallback)
    }
}
