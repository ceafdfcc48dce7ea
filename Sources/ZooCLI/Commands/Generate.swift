import ArgumentParser
import Foundation
import QwenZoo

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate from a prompt (text or ids) and stream the result.",
        discussion: """
            With --model DIR the checkpoint runs as is (greedy, stopping at its end-of-sequence ids).
            With --manifest the manifest's variant renders the prompt (a chat variant wraps it as one
            user turn, a math variant as a problem) and decides when to stop.
            """)

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors).")
    var model: String?

    @OptionGroup var manifestArguments: ManifestArguments

    @OptionGroup var sampling: SamplingArguments

    @Option(help: "Write a receipt of this generation (--manifest only), for zoo replay.")
    var receipt: String?

    @Option(help: "Prompt text (needs a tokenizer: --tokenizer, or tokenizer files in the model directory).")
    var prompt: String?

    @Option(help: "Prompt as comma-separated token ids, e.g. 1,2,3 (sent to the model as they are).")
    var ids: String?

    @Option(help: "A .tiktoken file or tokenizer directory (default: the model directory).")
    var tokenizer: String?

    @Option(help: "The most tokens to generate (default: the manifest's max_tokens, or 64).")
    var maxTokens: Int?

    @Flag(help: "Print only the generated ids, as one JSON array.")
    var printIds = false

    @Flag(help: "Match special-token strings in --prompt as their ids (--model only).")
    var allowSpecial = false

    @Option(help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard (model == nil) != (manifestArguments.manifest == nil) else {
            throw ValidationError("give exactly one of --model and --manifest")
        }
        guard (prompt == nil) != (ids == nil) else {
            throw ValidationError("give exactly one of --prompt and --ids")
        }
        if let maxTokens, maxTokens < 0 { throw ValidationError("--max-tokens must not be negative") }
        if receipt != nil, manifestArguments.manifest == nil { throw ValidationError("--receipt needs --manifest") }
    }

    func run() throws {
        try reportingErrors {
            if let threads { Runtime.threadCount = threads }
            if let resolved = try manifestArguments.resolve() {
                try runManifest(try ZooModel.load(resolved.manifest), resolved: resolved)
            } else {
                try runCheckpoint(URL(fileURLWithPath: model!))
            }
        }
    }

    private func runManifest(_ zoo: ZooModel, resolved: ResolvedManifest) throws {
        let stages = try sampling.stages()
        let seed = sampling.seed ?? zoo.manifest.seed ?? 0
        let limit = maxTokens ?? zoo.manifest.maxTokens ?? 64
        let chain = try zoo.manifest.samplerChain(stages, components: zoo.components)
        if let ids {
            // Raw ids: the model's own end-of-sequence ids and the manifest's stops, no variant.
            let plan = PromptPlan(
                tokens: try StandardIO.parseIDs(ids, option: "--ids"),
                stopTokenIDs: Set(zoo.manifest.stop.ids + zoo.model.endOfSequenceIDs), stopStrings: zoo.manifest.stop.strings)
            let sample = try zoo.sample(plan, chain: chain, seed: seed, maxTokens: limit) { text in
                if !printIds { StandardIO.write(text) }
            }
            StandardIO.write(printIds ? StandardIO.json(sample.tokens) + "\n" : "\n")
            try writeReceipt(resolved, zoo, seed: seed, stages: stages, plan: plan, maxTokens: limit, output: sample.tokens)
            return
        }
        let request = PromptRequests.request(for: prompt!, variant: zoo.manifest.variant.name)
        let options = GenerationOptions(maxTokens: maxTokens, seed: sampling.seed, sampler: stages)
        let completion = try zoo.generate(request, options: options) { text in
            if !printIds { StandardIO.write(text) }
        }
        if receipt != nil {
            // The stops come from the plan; the prompt is the one that ran (after any truncation).
            var plan = try zoo.plan(request)
            plan.tokens = completion.promptTokens
            try writeReceipt(resolved, zoo, seed: seed, stages: stages, plan: plan, maxTokens: limit, output: completion.samples[0].tokens)
        }
        for warning in completion.warnings { FileHandle.standardError.write(Data("zoo: warning: \(warning)\n".utf8)) }
        if printIds {
            StandardIO.write(StandardIO.json(completion.samples[0].tokens) + "\n")
        } else {
            StandardIO.write("\n")
        }
    }

    private func writeReceipt(_ resolved: ResolvedManifest, _ zoo: ZooModel, seed: UInt64, stages: [SamplerStageSpec]?,
                              plan: PromptPlan, maxTokens: Int, output: [Int]) throws {
        guard let receipt else { return }
        let record = Receipt(
            manifest: manifestArguments.manifest!, overrides: manifestArguments.overrides, resolved: resolved,
            tokenizer: zoo.tokenizer, seed: seed, chain: stages ?? zoo.manifest.samplerStages, plan: plan,
            maxTokens: maxTokens, outputIDs: output)
        try record.write(to: URL(fileURLWithPath: receipt))
    }

    private func runCheckpoint(_ modelURL: URL) throws {
        let chain = try SamplerChain(stages: try sampling.stages() ?? [], context: "--chain")
        let model = try Zoo.loadModel(directory: modelURL)
        let tokenizer = try (prompt != nil || !printIds)
            ? Zoo.loadTokenizer(path: self.tokenizer.map(URL.init(fileURLWithPath:)) ?? modelURL) : nil
        let promptIDs: [Int]
        if let prompt {
            promptIDs = tokenizer!.encode(prompt, specialTokens: allowSpecial ? .allowed : .asText)
            guard !promptIDs.isEmpty else { throw InputError(description: "--prompt: the prompt is empty") }
        } else {
            promptIDs = try StandardIO.parseIDs(ids!, option: "--ids")
        }
        var generator = Generator(model: model, sampler: chain)
        var detokenizer = StreamingDetokenizer()
        let stopIDs = generator.stopIDs
        let result = try generator.generate(prompt: promptIDs, maxTokens: maxTokens ?? 64, seed: sampling.seed ?? 0) { id in
            guard !printIds, let tokenizer, !stopIDs.contains(id) else { return true }
            StandardIO.write(detokenizer.append(try tokenizer.bytes(of: [id])))
            return true
        }
        if printIds {
            StandardIO.write(StandardIO.json(result.tokens) + "\n")
        } else {
            StandardIO.write(detokenizer.flush() + "\n")
        }
    }
}

/// How a plain `--prompt` becomes a request for each kind of variant.
enum PromptRequests {
    static func request(for prompt: String, variant: String) -> VariantRequest {
        switch variant {
        case "chat": .chat([ChatMessage(.user, prompt)])
        case "math": .problem(prompt)
        default: .completion(prompt)
        }
    }
}
