import Foundation
import ZooCore
import ZooModels
import ZooSamplers

/// A manifest's components composed into something that answers requests: tokenizer, model
/// (weights shared, immutable), variant and the manifest's generation defaults.
public final class LoadedModel: Sendable {
    /// The manifest the model was composed from; its `seed`, `max_tokens` and `stop` are the request defaults.
    public let manifest: Manifest
    /// The network with its weights, shared and immutable.
    public let model: any LanguageModel
    /// The vocabulary the manifest names (or the checkpoint's own).
    public let tokenizer: any Tokenizer
    /// Renders requests into prompts and reads the generated text (the manifest's `variant`).
    public let variant: any Variant
    /// The registries the manifest's components came from (sampler stages are built per request).
    public let components: ZooComponents
    /// The model's batching scheduler, once made (see ``scheduler``).
    let schedulerSlot = SchedulerSlot()
    /// The tokenizer's token text as constraint stages read it; shared by every request, so a
    /// grammar's token trie and masks are built once per model.
    public let samplingVocabulary: SamplingVocabulary
    /// The remote engine generation runs on (`engine: {kind: openai, …}`); `nil` runs it here.
    public let remote: RemoteEngineBinding?

    /// Composes already built parts; ``load(_:components:)`` builds them from the manifest.
    public init(manifest: Manifest, model: any LanguageModel, tokenizer: any Tokenizer, variant: any Variant,
                components: ZooComponents = .shared, remote: RemoteEngineBinding? = nil) {
        self.manifest = manifest
        self.model = model
        self.tokenizer = tokenizer
        self.variant = variant
        self.components = components
        samplingVocabulary = SamplingVocabulary(tokenizer: tokenizer)
        self.remote = remote
    }

    /// Builds every component the manifest names and loads the weights (or, for a remote engine,
    /// connects the tokenizer and variant to it and loads no weights).
    public static func load(_ manifest: Manifest, components: ZooComponents = .shared) throws -> LoadedModel {
        if case .openai(let spec) = manifest.engine { return try loadRemote(manifest, spec: spec, components: components) }
        let variant = try build(manifest.variant, field: "variant", from: components.variants)
        let attention = try build(manifest.attention, field: "attention", from: components.attention)
        guard let weights = manifest.weights else {
            throw ManifestError(origin: nil, field: "weights.path", message: "manifest \(manifest.name) names no weights")
        }
        try Self.checkWeightsPresent(weights, manifest: manifest)
        let tokenizer = try Self.tokenizer(of: manifest, weights: weights, components: components)
        let options = ModelOptions(
            attention: attention, contextLength: manifest.architecture.contextLength,
            ropeScaling: manifest.architecture.ropeScaling, useDynamicNTK: manifest.architecture.useDynamicNTK,
            useLogNAttention: manifest.architecture.useLogNAttention, weightPrecision: weights.precision,
            mapWeights: weights.mmap)
        let model = try components.architectures.load(directory: weights.path, options: options, gguf: weights.isGGUF)
        if tokenizer.count > model.vocabularySize {
            throw ManifestError(
                origin: nil, field: "tokenizer",
                message: "the tokenizer defines \(tokenizer.count) ids but the model's embedding has only \(model.vocabularySize) rows: they do not belong together")
        }
        _ = try manifest.samplerChain(components: components)  // a bad chain fails at load, not mid-request
        return LoadedModel(manifest: manifest, model: model, tokenizer: tokenizer, variant: variant, components: components)
    }

    /// The manifest's tokenizer (`tokenizer:`, else the checkpoint's own).
    static func tokenizer(of manifest: Manifest, weights: Manifest.Weights, components: ZooComponents) throws -> any Tokenizer {
        let spec = manifest.tokenizer ?? Manifest.TokenizerSpec(kind: weights.isGGUF ? "gguf" : "auto", path: weights.path)
        return try components.tokenizers.factory(spec.kind)(spec.path, ComponentOptions([:], context: "tokenizer"))
    }

    static func checkWeightsPresent(_ weights: Manifest.Weights, manifest: Manifest) throws {
        if let hub = weights.hub, weights.presence == .absent {
            throw ManifestError(
                origin: nil, field: "weights.hf",
                message: "the weights of \(manifest.name) (\(hub.repo)) are not at \(weights.path.path): run zoo pull \(manifest.name) to fetch them into the Hugging Face cache")
        }
        if weights.isGGUF {
            guard FileManager.default.fileExists(atPath: weights.path.path) else {
                throw ManifestError(
                    origin: nil, field: "weights.path",
                    message: "the GGUF file of \(manifest.name) is not at \(weights.path.path): put it there, or set QWENZOO_MODELS to the folder that holds it")
            }
            return
        }
        let config = weights.path.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: config.path) else {
            throw ManifestError(
                origin: nil, field: "weights.path",
                message: "the weights of \(manifest.name) are not at \(weights.path.path): put the Hugging Face checkpoint folder there (config.json, *.safetensors, tokenizer files), or set QWENZOO_MODELS to the folder that holds it")
        }
    }
}

// MARK: - Generation

/// Per-request generation settings; `nil` takes the manifest's value.
public struct GenerationOptions: Sendable {
    /// The most ids to generate; `nil` takes the manifest's `max_tokens`, then ``GenerationDefaults/maxTokens``.
    public var maxTokens: Int?
    /// Seeds the sampler chain's random generator; `nil` takes the manifest's `seed`, then 0.
    public var seed: UInt64?
    /// A sampler chain that replaces the manifest's (e.g. from `--chain`).
    public var sampler: [SamplerStageSpec]?
    /// Extra stop strings on top of the variant's and the manifest's.
    public var stopStrings: [String] = []
    /// Streams each generated id as a ``GenerationEvent/token(_:)`` event (sessions only).
    public var includeTokenIDs = false
    /// Keeps special tokens (e.g. `<|fim_suffix|>`) in the text; hidden by default.
    public var includeSpecialTokens = false

    /// Overrides for one request; each `nil` keeps the manifest's value.
    public init(maxTokens: Int? = nil, seed: UInt64? = nil, sampler: [SamplerStageSpec]? = nil) {
        self.maxTokens = maxTokens
        self.seed = seed
        self.sampler = sampler
    }
}

/// One generated sample.
public struct GeneratedSample: Sendable, Equatable {
    /// The output text (stop ids and stop strings removed).
    public var text: String
    /// The generated ids, a final stop id included.
    public var tokens: [Int]
    /// Why this sample ended (a stop id, a stop string, `maxTokens`, a full context…).
    public var finishReason: FinishReason
}

/// The answer to one request.
public struct Completion: Sendable {
    /// What the variant read from the samples (text, code or an extracted answer), aggregated
    /// over the samples when it votes.
    public var output: VariantOutput
    /// Every sample generated: one, or one per vote when the variant votes.
    public var samples: [GeneratedSample]
    /// The rendered prompt.
    public var promptTokens: [Int]
    /// Things the user should know (e.g. a prompt truncated to fit the context).
    public var warnings: [String]
    /// The limits the request ran with (its options, else the manifest's, else ``GenerationDefaults``).
    public var limits: DecodeLoop.Limits
}

extension LoadedModel {
    /// The prompt and stop conditions for a request: the variant's, plus the manifest's stops and
    /// (unless `stop.eos` is false) the checkpoint's end-of-sequence ids.
    public func plan(_ request: VariantRequest) throws -> PromptPlan {
        var plan = try variant.prepare(request, tokenizer: tokenizer)
        plan.stopTokenIDs.formUnion(manifest.stop.ids)
        if manifest.stop.endOfSequence { plan.stopTokenIDs.formUnion(model.endOfSequenceIDs) }
        plan.stopStrings += manifest.stop.strings
        return plan
    }

    /// Runs a request: renders the prompt, generates (several samples when the variant votes),
    /// streams the text of the first sample to `onText`, and interprets the result.
    public func generate(
        _ request: VariantRequest, options: GenerationOptions = GenerationOptions(),
        onText: (String) -> Void = { _ in }
    ) throws -> Completion {
        if let remote { return try generateRemotely(remote, request, options: options, onText: onText) }
        let prepared = try prepare(request, options: options)
        var loop = decodeLoop
        loop.includeSpecialTokens = options.includeSpecialTokens
        var samples: [GeneratedSample] = []
        for index in 0..<prepared.samples {
            samples.append(try loop.run(prepared.plan, sampler: prepared.chain, limits: prepared.limits(forSample: index),
                                        onText: index == 0 ? onText : { _ in }).sample)
        }
        let outputs = samples.map { variant.interpret($0.text, for: request) }
        return Completion(output: variant.aggregate(outputs), samples: samples, promptTokens: prepared.plan.tokens,
                          warnings: prepared.warnings, limits: prepared.limits)
    }

    /// The stages that replace the manifest's chain for a request (nil keeps it): `options.sampler`.
    /// Votes over a greedy chain would be one answer K times, so a voting variant on a greedy manifest
    /// samples as `zoo eval` does (temperature 0.7, top-p 0.95) and says so in `warnings`.
    func samplerOverride(for options: GenerationOptions, warnings: inout [String]) -> [SamplerStageSpec]? {
        let votes = variant.samplesPerRequest
        if options.sampler == nil, votes > 1, manifest.sampler.allSatisfy({ $0.name == "greedy" }) {
            warnings.append("\(manifest.name) decodes greedily; its \(votes) votes sample with temperature 0.7, top_p 0.95 (give a sampler chain to choose)")
            return SamplerSpecDefaults.voting
        }
        return options.sampler
    }

    /// Generates `count` samples for an already rendered prompt with the chain `stages`, sample `i`
    /// seeded with `seed + i` (what ``generate(_:options:onText:)`` does for a vote). On a remote
    /// engine they are one request with `n = count`; here, one decode each.
    public func samples(_ plan: PromptPlan, stages: [SamplerStageSpec], seed: UInt64, maxTokens: Int, count: Int = 1) throws
        -> [GeneratedSample]
    {
        if let remote {
            let request = EngineRequest(prompt: plan.tokens, sampler: stages, seed: seed, maxTokens: maxTokens,
                                        stopTokenIDs: plan.stopTokenIDs, stopStrings: plan.stopStrings, samples: count)
            return try runRemotely(remote, request, onText: { _ in })
        }
        let chain = try manifest.samplerChain(stages, components: components)
        return try (0..<count).map { try sample(plan, chain: chain, seed: seed &+ UInt64($0), maxTokens: maxTokens) }
    }

    /// Generates one sample for an already rendered prompt (what ``generate(_:options:onText:)``
    /// does per vote, and what `zoo replay` repeats).
    public func sample(_ plan: PromptPlan, chain: SamplerChain, seed: UInt64, maxTokens: Int,
                       onText: (String) -> Void = { _ in }) throws -> GeneratedSample {
        try decodeLoop.run(plan, sampler: chain, limits: DecodeLoop.Limits(maxTokens: maxTokens, seed: seed),
                           onText: onText).sample
    }
}

/// `LoadedModel`'s former name, kept so that existing apps still compile.
@available(*, deprecated, renamed: "LoadedModel")
public typealias ZooModel = LoadedModel
