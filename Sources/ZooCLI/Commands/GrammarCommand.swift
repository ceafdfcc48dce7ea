import ArgumentParser
import Foundation
import QwenZoo

/// `zoo grammar`: shows what a constraint compiles to, and measures its masks.
struct GrammarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grammar",
        abstract: "Print a constraint as GBNF, or time its token masks (--bench).",
        discussion: """
            zoo grammar --json-schema person.json prints the GBNF rules the schema becomes. \
            With --bench --tokenizer qwen.tiktoken it times, on one thread with the thread's CPU clock: compiling \
            the grammar (5 times), binding it to the vocabulary, then each token's grammar work (advance + mask) \
            along --sequences random outputs (each step draws one allowed token) or, with --text FILE, along that \
            text's tokens: first on the fresh matcher (cold; the first output is the grammar's first request), \
            then the same tokens again (warm). Prints one JSON object with every time (microseconds).
            """)

    @OptionGroup var constraint: ConstraintArguments

    @Flag(help: "Any JSON value (the json stage).")
    var json = false

    @Flag(help: "Time compilation and masks instead of printing.")
    var bench = false

    @Option(help: "The vocabulary for --bench: a .tiktoken file, a tokenizer directory or a .gguf file.")
    var tokenizer: String?

    @Option(help: "Outputs to generate through the grammar (--bench).")
    var sequences = 20

    @Option(help: "The most tokens per output (--bench).")
    var maxTokens = 256

    @Option(help: "Time the masks along this text's tokens instead of a random walk (--bench): a realistic output.")
    var text: String?

    @Option(help: "The random walk's seed (--bench).")
    var seed: UInt64 = 0

    func validate() throws {
        let count = (json ? 1 : 0) + (constraint.stage == nil ? 0 : 1)
        guard count == 1 else { throw ValidationError("give one of --json, --json-schema, --grammar, --regex and --choice") }
        if bench, tokenizer == nil { throw ValidationError("--bench needs --tokenizer") }
        guard sequences > 0, maxTokens > 0 else { throw ValidationError("--sequences and --max-tokens must be positive") }
    }

    func run() throws {
        try reportingErrors {
            let source = try sourceRules()
            if !bench {
                StandardIO.write(GBNFPrinter.text(source.rules))
                return
            }
            try runBench(source)
        }
    }

    /// The rules and how to compile them again (for timing).
    private func sourceRules() throws -> (rules: [GrammarRuleDefinition], compile: () throws -> Grammar) {
        if json {
            let rules = JSONGrammar.rules(prefix: "json") + [GrammarRuleDefinition(name: "root", body: .reference("json-value", at: ""), location: "")]
            return (rules, JSONGrammar.grammar)
        }
        if let path = constraint.jsonSchema {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let schema = try JSONSchemaGrammar.parse(text, source: path)
            return (try JSONSchemaGrammar.rules(for: schema, source: path), { try JSONSchemaGrammar.grammar(jsonText: text, source: path) })
        }
        if let path = constraint.grammar {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return (try GBNFParser.parse(text, source: path), { try Grammar(gbnf: text, source: path) })
        }
        if let regex = constraint.regex {
            let rules = [GrammarRuleDefinition(name: "root", body: try RegexGrammar.expression(regex), location: "")]
            return (rules, { try RegexGrammar.grammar(regex) })
        }
        let choices = constraint.choice!.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rules = [GrammarRuleDefinition(name: "root", body: .alternatives(choices.map { .literal($0.unicodeScalars.map(\.value)) }), location: "")]
        return (rules, { try ChoiceGrammar.grammar(choices) })
    }

    private func runBench(_ source: (rules: [GrammarRuleDefinition], compile: () throws -> Grammar)) throws {
        let tokenizer = try Zoo.loadTokenizer(path: URL(fileURLWithPath: self.tokenizer!))
        let forced = try text.map { [tokenizer.encode(try String(contentsOfFile: $0, encoding: .utf8))] }
        let bench = GrammarMaskBench(compile: source.compile, vocabulary: SamplingVocabulary(tokenizer: tokenizer),
                                     sequences: sequences, maxTokens: maxTokens, seed: seed, forced: forced)
        StandardIO.write(JSONOutput.line(try bench.run()))
    }
}
