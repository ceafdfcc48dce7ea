import Foundation
import ZooCore
import ZooModels
import ZooSamplers

/// A manifest's components composed into something that answers requests: tokenizer, model
/// (weights shared, immutable), variant and the manifest's generation defaults.
public final class ZooModel: Sendable {
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

    /// Composes already built parts; ``load(_:components:)`` builds them from the manifest.
    public init(manifest: Manifest, model: any LanguageModel, tokenizer: any Tokenizer, variant: any Variant,
                components: ZooComponents = .shared) {
        self.manifest = manifest
        self.model = model
        self.tokenizer = tokenizer
        self.variant = variant
        self.components = components
    }

    /// Builds every component the manifest names and loads the weights.
    public static func load(_ manifest: Manifest, components: ZooComponents = .shared) throws -> ZooModel {
        let variant = try build(manifest.variant, field: "variant", from: components.variants)
        let attention = try build(manifest.attention, field: "attention", from: components.attention)
        guard let weights = manifest.weights else {
            throw ManifestError(origin: nil, field: "weights.path", message: "manifest \(manifest.name) names no weights")
        }
        try Self.checkWeightsPresent(weights, manifest: manifest)
        let tokenizerSpec = manifest.tokenizer ?? Manifest.TokenizerSpec(kind: weights.isGGUF ? "gguf" : "auto", path: weights.path)
        let tokenizer = try components.tokenizers.factory(tokenizerSpec.kind)(
            tokenizerSpec.path, ComponentOptions([:], context: "tokenizer"))
        let options = ModelOptions(
            attention: attention, contextLength: manifest.architecture.contextLength,
            ropeScaling: manifest.architecture.ropeScaling, useDynamicNTK: manifest.architecture.useDynamicNTK,
            useLogNAttention: manifest.architecture.useLogNAttention, weightPrecision: weights.precision,
            mapWeights: weights.mmap)
        let model = try components.architectures.load(directory: weights.path, options: options)
        if tokenizer.count > model.vocabularySize {
            throw ManifestError(
                origin: nil, field: "tokenizer",
                message: "the tokenizer defines \(tokenizer.count) ids but the model's embedding has only \(model.vocabularySize) rows: they do not belong together")
        }
        _ = try manifest.samplerChain(components: components)  // a bad chain fails at load, not mid-request
        return ZooModel(manifest: manifest, model: model, tokenizer: tokenizer, variant: variant, components: components)
    }

    static func checkWeightsPresent(_ weights: Manifest.Weights, manifest: Manifest) throws {
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
    /// The most ids to generate; `nil` takes the manifest's `max_tokens`, then 512.
    public var maxTokens: Int?
    /// Seeds the sampler chain's random generator; `nil` takes the manifest's `seed`, then 0.
    public var seed: UInt64?
    /// A sampler chain that replaces the manifest's (e.g. from `--chain`).
    public var sampler: [SamplerStageSpec]?
    /// Extra stop strings on top of the variant's and the manifest's.
    public var stopStrings: [String] = []
    /// Streams each generated id as a ``GenerationEvent/token(_:)`` event (sessions only).
    public var includeTokenIDs = false

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
}

extension ZooModel {
    /// The prompt and stop conditions for a request: the variant's, plus the manifest's stops.
    public func plan(_ request: VariantRequest) throws -> PromptPlan {
        var plan = try variant.prepare(request, tokenizer: tokenizer)
        plan.stopTokenIDs.formUnion(manifest.stop.ids)
        plan.stopStrings += manifest.stop.strings
        return plan
    }

    /// Runs a request: renders the prompt, generates (several samples when the variant votes),
    /// streams the text of the first sample to `onText`, and interprets the result.
    public func generate(
        _ request: VariantRequest, options: GenerationOptions = GenerationOptions(),
        onText: (String) -> Void = { _ in }
    ) throws -> Completion {
        var plan = try plan(request)
        plan.stopStrings += options.stopStrings
        var warnings: [String] = []
        let maxTokens = options.maxTokens ?? manifest.maxTokens ?? 512
        plan.tokens = try fitToContext(plan.tokens, maxTokens: maxTokens, warnings: &warnings)
        let chain = try samplerChain(for: options, warnings: &warnings)
        let seed = options.seed ?? manifest.seed ?? 0
        var samples: [GeneratedSample] = []
        for index in 0..<max(1, variant.samplesPerRequest) {
            // Each vote gets its own seed, derived from the request's, so votes differ yet replay exactly.
            samples.append(try sample(plan, chain: chain, seed: seed &+ UInt64(index), maxTokens: maxTokens,
                                      onText: index == 0 ? onText : { _ in }))
        }
        let outputs = samples.map { variant.interpret($0.text, for: request) }
        return Completion(output: variant.aggregate(outputs), samples: samples, promptTokens: plan.tokens, warnings: warnings)
    }

    /// The chain a request samples with: `options.sampler`, else the manifest's. Votes over a greedy
    /// chain would be one answer K times, so a voting variant on a greedy manifest samples as
    /// `zoo eval` does (temperature 0.7, top-p 0.95) and says so in `warnings`.
    func samplerChain(for options: GenerationOptions, warnings: inout [String]) throws -> SamplerChain {
        let votes = variant.samplesPerRequest
        if options.sampler == nil, votes > 1, manifest.sampler.allSatisfy({ $0.name == "greedy" }) {
            warnings.append("\(manifest.name) decodes greedily; its \(votes) votes sample with temperature 0.7, top_p 0.95 (give a sampler chain to choose)")
            return try manifest.samplerChain(SamplerSpecDefaults.voting, components: components)
        }
        return try manifest.samplerChain(options.sampler, components: components)
    }

    /// Generates one sample for an already rendered prompt (what ``generate(_:options:onText:)``
    /// does per vote, and what `zoo replay` repeats).
    public func sample(_ plan: PromptPlan, chain: SamplerChain, seed: UInt64, maxTokens: Int,
                       onText: (String) -> Void = { _ in }) throws -> GeneratedSample {
        var generator = Generator(
            model: model, sampler: chain, stopIDs: plan.stopTokenIDs,
            firstUnusableID: tokenizer.count < model.vocabularySize ? tokenizer.count : nil)
        var detokenizer = StreamingDetokenizer()
        var matcher = StopStringMatcher(stops: plan.stopStrings)
        var stopString: String?
        let result = try generator.generate(prompt: plan.tokens, maxTokens: maxTokens, seed: seed) { id in
            guard !plan.stopTokenIDs.contains(id) else { return true }
            let (emit, stop) = matcher.append(detokenizer.append(try tokenizer.bytes(of: [id])))
            if !emit.isEmpty { onText(emit) }
            stopString = stop
            return stop == nil
        }
        if stopString == nil {
            let (emit, _) = matcher.append(detokenizer.flush())
            let tail = emit + matcher.finish()
            if !tail.isEmpty { onText(tail) }
        }
        var finish = result.finishReason
        if let stopString { finish = .stopString(stopString) }
        return GeneratedSample(text: matcher.text, tokens: result.tokens, finishReason: finish)
    }

    /// Applies the manifest's context policy to a prompt that leaves no room to generate.
    private func fitToContext(_ tokens: [Int], maxTokens: Int, warnings: inout [String]) throws -> [Int] {
        let limit = model.contextLength
        guard tokens.count >= limit else { return tokens }
        switch manifest.contextOverflow {
        case .error:
            throw ContextOverflowError(requested: tokens.count + 1, capacity: limit)
        case .truncateLeft:
            let keep = max(1, limit - min(maxTokens, limit / 2))
            warnings.append("the prompt has \(tokens.count) tokens but the context holds \(limit): kept the last \(keep)")
            return Array(tokens.suffix(keep))
        }
    }
}
