import ArgumentParser
import Foundation
import QwenZoo

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate from a prompt (text or ids) and stream the result.",
        discussion: """
            With --model DIR the checkpoint runs as is (greedy, stopping at its end-of-sequence ids). \
            With --manifest the manifest's variant renders the prompt (a chat variant wraps it as one \
            user turn, a math variant as a problem) and decides when to stop.
            """)

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors) or a .gguf file.")
    var model: String?

    @OptionGroup var manifestArguments: ManifestArguments

    @OptionGroup var sampling: SamplingArguments

    @OptionGroup var constraint: ConstraintArguments

    @Option(help: "Write a receipt of this generation (--manifest only), for zoo replay.")
    var receipt: String?

    @Option(help: "Prompt text (needs a tokenizer: --tokenizer, or tokenizer files in the model directory).")
    var prompt: String?

    @Option(help: "Prompt as comma-separated token ids, e.g. 1,2,3 (sent to the model as they are).")
    var ids: String?

    @Option(help: "A .tiktoken file or tokenizer directory (--model only; default: the model directory).")
    var tokenizer: String?

    @Option(help: "The most tokens to generate (default: the manifest's max_tokens, or 512).")
    var maxTokens: Int?

    @Flag(help: "Print only the generated ids, as one JSON array.")
    var printIds = false

    @Flag(help: "Print one JSON object: text, ids, finish_reason and the limits used.")
    var json = false

    @Flag(help: "Match special-token strings in --prompt as their ids (--model only).")
    var allowSpecial = false

    @OptionGroup var threads: ThreadsArgument

    func validate() throws {
        guard (model == nil) != (manifestArguments.manifest == nil) else {
            throw ValidationError("give exactly one of --model and --manifest")
        }
        guard (prompt == nil) != (ids == nil) else {
            throw ValidationError("give exactly one of --prompt and --ids")
        }
        try Limits.checkMaxTokens(maxTokens)
        if receipt != nil, manifestArguments.manifest == nil { throw ValidationError("--receipt needs --manifest") }
        if manifestArguments.manifest != nil {
            if tokenizer != nil { throw ValidationError("--tokenizer works with --model; a manifest names its tokenizer (tokenizer.path)") }
            if allowSpecial { throw ValidationError("--allow-special works with --model; a manifest's variant renders special tokens itself") }
        }
        if json, printIds { throw ValidationError("give at most one of --json and --print-ids") }
    }

    func run() throws {
        try reportingErrors {
            threads.apply()
            if let receipt { try ReceiptFile.checkWritable(receipt) }
            if let resolved = try manifestArguments.resolve() {
                try runManifest(try LoadedModel.load(resolved.manifest), resolved: resolved)
            } else {
                try runCheckpoint(URL(fileURLWithPath: model!))
            }
        }
    }

    private var streamsText: Bool { !printIds && !json }

    private func runManifest(_ zoo: LoadedModel, resolved: ResolvedManifest) throws {
        let stages = constraint.applied(to: try sampling.stages(), fallback: zoo.manifest.samplerStages)
        let options = GenerationOptions(maxTokens: maxTokens, seed: sampling.seed, sampler: stages)
        let sample: GeneratedSample
        let plan: PromptPlan
        let limits: DecodeLoop.Limits
        if let ids {
            // Raw ids: the model's own end-of-sequence ids and the manifest's stops, no variant.
            plan = zoo.plan(promptIDs: try StandardIO.parseIDs(ids, option: "--ids"))
            limits = zoo.limits(for: options)
            let chain = try zoo.manifest.samplerChain(stages, components: zoo.components)
            sample = try zoo.decodeLoop.run(plan, sampler: chain, limits: limits,
                                            onText: { if streamsText { StandardIO.write($0) } }).sample
        } else {
            let request = zoo.variant.request(forPrompt: prompt!)
            let completion = try zoo.generate(request, options: options) { if streamsText { StandardIO.write($0) } }
            for warning in completion.warnings { StandardIO.writeError("zoo: warning: \(warning)\n") }
            // The stops come from the plan; the prompt is the one that ran (after any truncation).
            var rendered = try zoo.plan(request)
            rendered.tokens = completion.promptTokens
            plan = rendered
            limits = completion.limits
            sample = completion.samples[0]
        }
        if let receipt {
            var record = Receipt(
                manifest: manifestArguments.manifest!, overrides: manifestArguments.overrides, resolved: resolved,
                tokenizer: zoo.tokenizer, seed: limits.seed, chain: stages ?? zoo.manifest.samplerStages, plan: plan,
                maxTokens: limits.maxTokens, outputIDs: sample.tokens)
            record.remote = try zoo.remoteReceipt(options: options, promptTokens: plan.tokens, stopTokenIDs: plan.stopTokenIDs)
            try ReceiptFile.write(record, to: receipt)
        }
        finish(sample, limits: limits)
    }

    private func runCheckpoint(_ modelURL: URL) throws {
        let stages = constraint.applied(to: try sampling.stages(), fallback: []) ?? []
        let chain = try SamplerChain(stages: stages, registry: ZooComponents.shared.samplerStages, context: "--chain")
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
        let limits = DecodeLoop.Limits(maxTokens: maxTokens ?? GenerationDefaults.maxTokens, seed: sampling.seed ?? GenerationDefaults.seed)
        let plan = PromptPlan(tokens: promptIDs, stopTokenIDs: Set(model.endOfSequenceIDs))
        var loop = DecodeLoop(model: model, tokenizer: tokenizer)
        loop.masksPaddingRows = false  // --model runs the checkpoint as is
        let sample = try loop.run(plan, sampler: chain, limits: limits, onText: { if streamsText { StandardIO.write($0) } }).sample
        finish(sample, limits: limits)
    }

    /// Ends the output and says why generation stopped when it was a limit, not the model.
    private func finish(_ sample: GeneratedSample, limits: DecodeLoop.Limits) {
        if json {
            StandardIO.write(JSONOutput.line([
                "text": sample.text, "ids": sample.tokens, "finish_reason": sample.finishReason.summary,
                "max_tokens": limits.maxTokens, "seed": limits.seed,
            ]))
        } else {
            StandardIO.write(printIds ? StandardIO.json(sample.tokens) + "\n" : "\n")
        }
        FinishNote.report(sample.finishReason)
    }
}
