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
            With --bench --tokenizer qwen.tiktoken it times, on one thread: compiling the grammar (median of 5), \
            then the token mask at each step of a random walk through the grammar (each step draws one allowed \
            token) or, with --text FILE, along that text's tokens (each must be allowed), and prints one JSON \
            object (microseconds; misses are states seen for the first time).
            """)

    @OptionGroup var constraint: ConstraintArguments

    @Flag(help: "Any JSON value (the json stage).")
    var json = false

    @Flag(help: "Time compilation and masks instead of printing.")
    var bench = false

    @Option(help: "The vocabulary for --bench: a .tiktoken file, a tokenizer directory or a .gguf file.")
    var tokenizer: String?

    @Option(help: "Mask steps to time (--bench).")
    var steps = 2000

    @Option(help: "Time the masks along this text's tokens instead of a random walk (--bench): a realistic output.")
    var text: String?

    @Option(help: "The random walk's seed (--bench).")
    var seed: UInt64 = 0

    func validate() throws {
        let count = (json ? 1 : 0) + (constraint.stage == nil ? 0 : 1)
        guard count == 1 else { throw ValidationError("give one of --json, --json-schema, --grammar, --regex and --choice") }
        if bench, tokenizer == nil { throw ValidationError("--bench needs --tokenizer") }
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
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
            let schema = try OrderedJSON.parse(text, source: path)
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
        let clock = ContinuousClock()
        func micros(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
        let tokenizer = try Zoo.loadTokenizer(path: URL(fileURLWithPath: self.tokenizer!))
        let vocabulary = SamplingVocabulary(tokenizer: tokenizer)
        let forced = try text.map { tokenizer.encode(try String(contentsOfFile: $0, encoding: .utf8)) }
        // The vocabulary's token trie is built once, by the first matcher.
        let probe = try ChoiceGrammar.grammar(["x"])
        let trieMicros = micros(try clock.measure { _ = try GrammarMatcher(grammar: probe, vocabulary: vocabulary) })
        var compiles: [Double] = []
        var grammar: Grammar?
        for _ in 0..<5 {
            var g: Grammar?
            let d = try clock.measure { g = try source.compile() }
            compiles.append(micros(d) / 1000)
            grammar = g
        }
        let matcher = try GrammarMatcher(grammar: grammar!, vocabulary: vocabulary)
        var random = SeededRandom(seed: seed)
        var state = matcher.initialState
        var times: [Double] = [], missTimes: [Double] = []
        var seen = Set<GrammarMatcher.State>()
        var completions = 0, allowed = 0
        let bytes = vocabulary.tokenBytes
        for step in 0..<(forced.map { $0.count + 1 } ?? steps) {
            var mask: TokenMask?
            let d = try clock.measure { mask = try matcher.mask(state) }
            let t = micros(d)
            times.append(t)
            if seen.insert(state).inserted { missTimes.append(t) }
            allowed += mask!.count
            if let forced {
                guard step < forced.count else { break }
                guard mask!.contains(forced[step]), let next = try matcher.advance(state, bytes: bytes[forced[step]]!) else {
                    throw ConstraintError(stage: "bench", reason: "token \(step) of --text (id \(forced[step])) is not allowed by the grammar")
                }
                state = next
                continue
            }
            guard mask!.count > 0, matcher.canContinue(state) else {
                completions += 1
                state = matcher.initialState
                continue
            }
            let pick = Int(random.next() % UInt64(mask!.count))
            let id: Int
            if let ids = mask!.ids {
                id = Int(ids[pick])
            } else {
                var k = pick, found = 0
                for (w, word) in mask!.bits.enumerated() {
                    let c = word.nonzeroBitCount
                    if k < c {
                        var x = word
                        for _ in 0..<k { x &= x - 1 }
                        found = w * 64 + x.trailingZeroBitCount
                        break
                    }
                    k -= c
                }
                id = found
            }
            guard let next = try matcher.advance(state, bytes: bytes[id]!) else {
                throw ConstraintError(stage: "bench", reason: "an allowed token \(id) was rejected")
            }
            state = next
        }
        func percentile(_ xs: [Double], _ p: Double) -> Double {
            guard !xs.isEmpty else { return 0 }
            let s = xs.sorted()
            return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
        }
        StandardIO.write(JSONOutput.line([
            "steps": times.count, "rules": grammar!.ruleCount,
            "compile_ms_median": percentile(compiles, 0.5),
            "trie_build_ms": trieMicros / 1000,
            "mask_us_median": percentile(times, 0.5), "mask_us_p99": percentile(times, 0.99),
            "mask_us_mean": times.reduce(0, +) / Double(times.count),
            "miss_count": missTimes.count, "miss_us_median": percentile(missTimes, 0.5), "miss_us_p99": percentile(missTimes, 0.99),
            "completions": completions, "mean_allowed": Double(allowed) / Double(steps),
        ]))
    }
}
