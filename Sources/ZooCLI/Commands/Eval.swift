import ArgumentParser
import Foundation
import QwenZoo

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a manifest's model on a task: math, code, choice or perplexity.",
        discussion: """
            Tasks read JSONL (perplexity: a text file). math: {"question","answer"}, greedy accuracy and, with
            --votes K, the majority-vote accuracy over K sampled solutions. code: HumanEval's fields, each
            completion run against its tests in a sandboxed python3; pass@1 (and pass@k with --samples N).
            choice: {"question","choices","answer"}, scored by the log-likelihood of the answer letter.
            chat: {"messages"}, the share of replies that end with <|im_end|> (ChatML kept).
            The numbers depend only on the manifest, the data and --seed.
            """)

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case math, code, choice, chat, perplexity
    }

    @OptionGroup var manifestArguments: ManifestArguments

    @Option(help: "math, code, choice, chat or perplexity.")
    var task: Task

    @Option(help: "The task's data file.")
    var data: String

    @Option(help: "Self-consistency votes for math (maj@k), sampled with --chain or temperature 0.7, top-p 0.95.")
    var votes: Int = 1

    @Option(help: "Completions per code problem (1 = greedy; more are sampled, for pass@k).")
    var samples: Int = 1

    @Option(help: "The sampler chain for votes and code samples.")
    var chain: String?

    @Option(help: "Evaluate only the first N items.")
    var limit: Int?

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
    }

    func run() throws {
        try reportingErrors {
            if scoring.completions != nil { return try scoring.score(task: task.rawValue, data: data, limit: limit, json: json) }
            let resolved = try manifestArguments.resolve()!
            let chainStages = try chain.map { try SamplerSpec.parse($0) }
            let zoo = try ZooModel.load(resolved.manifest)
            let url = URL(fileURLWithPath: data)
            let bar = ProgressBar(label: task.rawValue)
            let start = Date()
            var fields: [String: Any] = [
                "task": task.rawValue, "manifest": resolved.manifest.name, "data": data, "seed": seed,
            ]
            var rows: [(String, String)] = []
            switch task {
            case .math:
                let items = try EvaluationDataReader.math(url, limit: limit)
                let result = try MathEvaluation(votes: votes, votingChain: chainStages, seed: seed, maxTokens: maxTokens)
                    .run(zoo, items: items, progress: bar.update)
                fields["problems"] = result.problems
                fields["accuracy"] = result.accuracy
                fields["answered"] = result.answered
                rows = [("problems", "\(result.problems)"), ("greedy accuracy", percent(result.accuracy)),
                        ("answers found", "\(result.answered)")]
                if let majority = result.majorityAccuracy {
                    fields["maj_at_k"] = majority
                    fields["votes"] = votes
                    rows.append(("maj@\(votes) accuracy", percent(majority)))
                }
            case .code:
                let items = try EvaluationDataReader.code(url, limit: limit)
                let result = try CodeEvaluation(samples: samples, samplingChain: chainStages, seed: seed, maxTokens: maxTokens,
                                                sandbox: scoring.sandbox())
                    .run(zoo, items: items, progress: bar.update)
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
                let items = try EvaluationDataReader.choice(url, limit: limit)
                let result = try ChoiceEvaluation().run(zoo, items: items, progress: bar.update)
                fields["questions"] = result.questions
                fields["accuracy"] = result.accuracy
                rows = [("questions", "\(result.questions)"), ("accuracy", percent(result.accuracy))]
            case .chat:
                let items = try EvaluationDataReader.chat(url, limit: limit)
                let result = try ChatEvaluation(maxTokens: maxTokens, seed: seed).run(zoo, items: items, progress: bar.update)
                fields["conversations"] = result.conversations
                fields["ends_with_im_end"] = result.endedWithImEnd
                fields["non_empty"] = result.nonEmpty
                rows = [("conversations", "\(result.conversations)"), ("replies ending with <|im_end|>", percent(result.endedWithImEnd)),
                        ("non-empty replies", percent(result.nonEmpty))]
            case .perplexity:
                guard let bytes = FileManager.default.contents(atPath: data), let text = String(validating: bytes, as: UTF8.self) else {
                    throw InputError(description: "\(data): cannot read UTF-8 text")
                }
                let result = try PerplexityEvaluation(window: window).run(zoo, text: text, progress: bar.update)
                fields["tokens"] = result.tokens
                fields["perplexity"] = result.perplexity
                fields["mean_nll"] = result.meanNegativeLogLikelihood
                rows = [("tokens scored", "\(result.tokens)"), ("perplexity", String(format: "%.4f", result.perplexity))]
            }
            bar.finish(seconds: Date().timeIntervalSince(start))
            try EvaluationReport.write(fields: fields, rows: rows, title: "\(task.rawValue) on \(resolved.manifest.name)", json: json)
        }
    }

    private func percent(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }
}

/// A one-line progress bar on stderr.
final class ProgressBar: Sendable {
    let label: String
    init(label: String) { self.label = label }

    var update: EvaluationProgress {
        { [label] done, total in
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
