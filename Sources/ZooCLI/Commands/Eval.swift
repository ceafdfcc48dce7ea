import ArgumentParser
import Foundation
import QwenZoo

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a manifest's model: a task, a benchmark under a named Qwen protocol, or the report's suite.",
        discussion: """
            --task math|code|choice reads the harness's JSONL or a published format (GSM8K, MATH, HumanEval, MBPP, \
            MMLU jsonl or CSV, C-Eval, CMMLU; --format, or detected). math: greedy accuracy and, with --votes K, maj@K. \
            code: each completion runs against its tests in a sandboxed python3; pass@1, and with --samples N every \
            pass@k of --k. choice: the log-likelihood of the answer letter. chat: the share of replies ending with \
            <|im_end|>. perplexity: a text file.

            --protocol NAME runs a benchmark as one of Qwen's published eval scripts does, with per-subject and \
            per-level tables.

            --out results.jsonl (protocols and the math, code and chat tasks) writes one record per item as it \
            finishes; --resume (or --resume FILE without --out) continues that run after a kill: items already \
            there are not asked again.

            --suite report --data-dir DIR runs every benchmark found in DIR (see the README).

            The numbers depend only on the manifest, the data and --seed.
            """)

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case math, code, choice, chat, perplexity
    }

    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case report
    }

    @OptionGroup var manifestArguments: ManifestArguments

    @Option(help: "math, code, choice, chat or perplexity.")
    var task: Task?

    @Option(help: "The data file (or a folder of .jsonl/.csv files, e.g. MMLU's test/).")
    var data: String?

    @Option(help: "The data's format: zoo, gsm8k, math, humaneval, mbpp, mmlu, mmlu-csv, ceval, cmmlu (default: detected).")
    var format: BenchmarkFormat?

    @Option(name: .customLong("protocol"), help: "A named protocol reproducing one of Qwen's eval scripts (see above).")
    var evaluationProtocol: EvaluationProtocol?

    @Option(help: "The dev split (a file or folder) for the 5-shot protocols qwen-mmlu, qwen-ceval and qwen-cmmlu.")
    var fewshot: String?

    @Option(help: "Write one JSON line per item (id, prompt hash, output, extracted answer, gold, correct, votes); protocols and the math, code and chat tasks.")
    var out: String?

    /// `--resume` alone continues `--out`; `--resume FILE` continues FILE (and writes it, as `--out FILE` would).
    @Option(name: .customLong("resume"), defaultAsFlag: "",
            help: ArgumentHelp("Continue the run recorded in FILE (or in --out): items already there are not asked again.",
                               valueName: "file"))
    var resumeFrom: String?

    /// Whether the run continues a results file.
    var resume: Bool { resumeFrom != nil }

    /// The results file, named by `--out` or `--resume FILE`.
    var resultsPath: String? { out ?? resumeFrom.flatMap { $0.isEmpty ? nil : $0 } }

    @Option(help: "report: every benchmark found in --data-dir, as the Qwen report lays them out.")
    var suite: Suite?

    @Option(help: "The folder --suite reads (gsm8k/test.jsonl, math/test.jsonl, HumanEval.jsonl, mmlu/, ceval/, cmmlu/).")
    var dataDir: String?

    @Option(help: "Self-consistency votes for math (maj@k), sampled with --chain or temperature 0.7, top-p 0.95.")
    var votes: Int = 1

    @Option(help: "Completions per code problem (1 = greedy; more are sampled, for pass@k).")
    var samples: Int = 1

    @Option(name: .customLong("k"), help: "The pass@k to report for code, e.g. 1,2,4 (each at most --samples; default 1, 10 and 100 where at most N, and N).")
    var passKs: String?

    @Option(help: "The sampler chain for votes and code samples.")
    var chain: String?

    @Option(help: "Evaluate only the first N items.")
    var limit: Int?

    @Option(help: "Requests in flight at once on a remote engine (engine: openai), to keep it busy; results and --out stay in item order.")
    var concurrency: Int = 1

    @Option(help: "The base seed; item i uses seed + 1000·i (+ the sample's index).")
    var seed: UInt64 = 0

    @Option(help: "The most tokens per answer (default: the manifest's max_tokens).")
    var maxTokens: Int?

    @Option(help: "Perplexity window in tokens.")
    var window: Int = 512

    @Flag(help: "Print one JSON object instead of a Markdown table.")
    var json = false

    @OptionGroup var scoring: CodeScoringOptions

    func validate() throws {
        guard manifestArguments.manifest != nil || scoring.completions != nil else { throw ValidationError("--manifest is required") }
        guard votes >= 1, samples >= 1 else { throw ValidationError("--votes and --samples must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be in 1...256, found \(concurrency)") }
        try validateMode()
        if let ks = try parsedKs(), let bad = ks.first(where: { $0 < 1 || $0 > samples }) {
            throw ValidationError("--k \(bad): each k must be between 1 and --samples (\(samples))")
        }
    }

    /// `--k 1,2,4` as numbers; nil when not given.
    private func parsedKs() throws -> [Int]? {
        guard let passKs else { return nil }
        let parts = passKs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let ks = parts.compactMap { Int($0) }
        guard !ks.isEmpty, ks.count == parts.count else {
            throw ValidationError("--k: expected numbers separated by commas, found \"\(passKs)\"")
        }
        return Array(Set(ks)).sorted()
    }

    /// What must hold before the model is loaded: a math variant for `--task math`, a working
    /// python3 for `--task code`.
    private func checkPrerequisites(_ manifest: Manifest, task: Task) throws {
        if task == .math, manifest.variant.name != "math" {
            throw InputError(description: "--task math needs a math variant (variant: math) to prompt and extract answers; \(manifest.name) has variant \(manifest.variant.name)")
        }
        if task == .code { try CodeSandbox().preflight() }
    }

    /// Exactly one of --task, --protocol and --suite, with the inputs it needs.
    private func validateMode() throws {
        let modes = [task != nil, evaluationProtocol != nil, suite != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give one of --task, --protocol or --suite") }
        if suite != nil {
            guard dataDir != nil else { throw ValidationError("--suite report needs --data-dir DIR") }
            guard out == nil, !resume else { throw ValidationError("--out and --resume go with --protocol or --task, not --suite") }
        } else {
            guard data != nil else { throw ValidationError("--data is required") }
        }
        if task != nil, fewshot != nil { throw ValidationError("--fewshot goes with --protocol") }
        if let task, out != nil || resume, ![.math, .code, .chat].contains(task) || scoring.completions != nil {
            throw ValidationError("--out and --resume go with --protocol and the math, code and chat tasks run on a model")
        }
        if resume, resultsPath == nil { throw ValidationError("--resume needs the run to continue: --resume FILE, or --out FILE --resume") }
        if let out, let resumeFrom, !resumeFrom.isEmpty, resumeFrom != out {
            throw ValidationError("--resume \(resumeFrom) and --out \(out) name two files; a resumed run continues and writes one")
        }
        if let task, format != nil, task == .chat || task == .perplexity {
            throw ValidationError("--format applies to the math, code and choice tasks")
        }
    }

    func run() throws {
        if evaluationProtocol != nil { return try runProtocol() }
        if suite != nil { return try runSuite() }
        guard let task, let data else { return }
        try reportingErrors {
            if scoring.completions != nil { return try scoring.score(task: task.rawValue, data: data, limit: limit, json: json) }
            let resolved = try manifestArguments.resolve()!
            let chainStages = try chain.map { try ChainSyntax.parse($0) }
            try checkPrerequisites(resolved.manifest, task: task)
            let results = try resultsFile()
            let zoo = try LoadedModel.load(resolved.manifest)
            let concurrency = inFlight(zoo)
            let url = URL(fileURLWithPath: data)
            let bar = ProgressBar(label: task.rawValue)
            let start = Date()
            var fields: [String: Any] = [
                "task": task.rawValue, "manifest": resolved.manifest.name, "data": data, "seed": seed,
            ]
            var rows: [(String, String)] = []
            switch task {
            case .math:
                let items = try EvaluationDataReader.math(url, format: format, limit: limit)
                let result = try MathEvaluation(votes: votes, votingChain: chainStages, seed: seed, maxTokens: maxTokens,
                                                concurrency: concurrency)
                    .run(zoo, items: items, results: results, progress: bar.update)
                fields["problems"] = result.problems
                fields["accuracy"] = result.accuracy
                fields["answered"] = result.answered
                rows = [("problems", "\(result.problems)"), ("greedy accuracy", percent(result.accuracy)),
                        ("answers found", "\(result.answered)")]
                if let majority = result.majorityAccuracy {
                    fields["maj_at_k"] = majority
                    fields["votes"] = votes
                    rows.append(("maj@\(votes) accuracy", percent(majority)))
                    fields["agreement"] = result.agreement ?? 0
                    rows.append(("agreement with the majority", percent(result.agreement ?? 0)))
                }
            case .code:
                let items = try EvaluationDataReader.code(url, format: format, limit: limit)
                let result = try CodeEvaluation(
                    samples: samples, samplingChain: chainStages, seed: seed, maxTokens: maxTokens,
                    sandbox: scoring.sandbox(), ks: try parsedKs(), concurrency: concurrency)
                    .run(zoo, items: items, results: results, progress: bar.update)
                fields["problems"] = result.problems
                fields["samples"] = samples
                fields["timed_out"] = result.timedOut
                rows = [("problems", "\(result.problems)"), ("samples per problem", "\(samples)"),
                        ("timed out", "\(result.timedOut)")]
                for (k, value) in result.passAtK.sorted(by: { $0.key < $1.key }) {
                    fields["pass_at_\(k)"] = value
                    rows.append(("pass@\(k)", percent(value)))
                }
            case .choice:
                let items = try EvaluationDataReader.choice(url, format: format, limit: limit)
                let result = try ChoiceEvaluation().run(zoo, items: items, progress: bar.update)
                fields["questions"] = result.questions
                fields["accuracy"] = result.accuracy
                rows = [("questions", "\(result.questions)"), ("accuracy", percent(result.accuracy))]
            case .chat:
                let items = try EvaluationDataReader.chat(url, limit: limit)
                let result = try ChatEvaluation(maxTokens: maxTokens, seed: seed, concurrency: concurrency)
                    .run(zoo, items: items, results: results, progress: bar.update)
                fields["conversations"] = result.conversations
                fields["ends_with_im_end"] = result.endedWithImEnd
                fields["non_empty"] = result.nonEmpty
                rows = [("conversations", "\(result.conversations)"), ("replies ending with <|im_end|>", percent(result.endedWithImEnd)),
                        ("non-empty replies", percent(result.nonEmpty))]
            case .perplexity:
                guard let bytes = FileManager.default.contents(atPath: data), let text = String(validating: bytes, as: UTF8.self) else {
                    throw InputError(description: "\(data): cannot read UTF-8 text")
                }
                let result = try PerplexityEvaluation(window: window, limit: limit).run(zoo, text: text, progress: bar.update)
                fields["tokens"] = result.tokens
                fields["perplexity"] = result.perplexity
                fields["mean_nll"] = result.meanNegativeLogLikelihood
                rows = [("tokens scored", "\(result.tokens)"), ("perplexity", String(format: "%.4f", result.perplexity))]
            }
            bar.finish(seconds: Date().timeIntervalSince(start))
            try printResult(fields, title: "\(task.rawValue) on \(resolved.manifest.name)", rows: rows)
        }
    }

    /// The `--out` file, opened to continue with `--resume` (nil without one); before the model loads, so a
    /// bad file fails first.
    func resultsFile() throws -> EvaluationResultsFile? {
        try resultsPath.map { try EvaluationResultsFile(URL(fileURLWithPath: $0), resume: resume) }
    }

    /// `--concurrency` for `zoo`: as given on a remote engine; the local engine runs one item at a
    /// time (its forward passes already use every core), with a note when more were asked for.
    func inFlight(_ zoo: LoadedModel) -> Int {
        guard concurrency > 1, zoo.remote == nil else { return concurrency }
        StandardIO.writeError("zoo: note: --concurrency applies to a remote engine (engine: openai); \(zoo.manifest.name) runs here, one item at a time\n")
        return 1
    }

    /// The result through ``EvaluationReport`` (one JSON object with `--json`, else Markdown tables).
    func printResult(_ fields: [String: Any], title: String, rows: [(String, String)], tables: [String] = []) throws {
        EvaluationReport.write(fields: fields, rows: rows, title: title, tables: tables, json: json)
    }

    func percent(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }
}

extension BenchmarkFormat: ExpressibleByArgument {}
extension EvaluationProtocol: ExpressibleByArgument {}

/// A one-line progress bar on stderr, redrawn with `\r` on a terminal; into a file or pipe, where a
/// redrawn line is garbage, one line when the run is done.
final class ProgressBar: Sendable {
    let label: String
    let interactive: Bool
    init(label: String, interactive: Bool = isatty(2) == 1) {
        self.label = label
        self.interactive = interactive
    }

    var update: EvaluationProgress {
        { [label, interactive] done, total in
            guard interactive else {
                if done == total { FileHandle.standardError.write(Data("\(label): \(done)/\(total)".utf8)) }
                return
            }
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
        }
    }

    func finish(seconds: Double) {
        FileHandle.standardError.write(Data(String(format: "  %.1f s\n", seconds).utf8))
    }
}
