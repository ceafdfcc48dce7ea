import ZooSamplers

/// A request rendered and resolved against the manifest, ready for ``DecodeLoop``: what
/// ``LoadedModel/generate(_:options:onText:)`` and a session's turn share.
struct PreparedRequest {
    var plan: PromptPlan
    var chain: SamplerChain
    /// The stages `chain` was built from (a scheduler builds one chain per sample).
    var stages: [SamplerStageSpec]
    var limits: DecodeLoop.Limits
    var warnings: [String]
    /// Samples to draw (one per vote).
    var samples: Int

    /// Sample `index`'s limits: each vote gets its own seed, derived from the request's, so votes
    /// differ yet replay exactly.
    func limits(forSample index: Int) -> DecodeLoop.Limits {
        DecodeLoop.Limits(maxTokens: limits.maxTokens, seed: limits.seed &+ UInt64(index))
    }
}

extension LoadedModel {
    /// Renders `request`, adds the manifest's and the options' stops, fits the prompt into
    /// `capacity` tokens (the model's context by default) by the manifest's policy, and
    /// resolves the chain and the limits.
    func prepare(_ request: VariantRequest, options: GenerationOptions, capacity: Int? = nil) throws -> PreparedRequest {
        var plan = try plan(request)
        plan.stopStrings += options.stopStrings
        var warnings: [String] = []
        let limits = limits(for: options)
        plan.tokens = try fitToContext(plan.tokens, capacity: min(model.contextLength, capacity ?? .max),
                                       maxTokens: limits.maxTokens, warnings: &warnings)
        let override = samplerOverride(for: options, warnings: &warnings)
        let chain = try manifest.samplerChain(override, components: components)
        return PreparedRequest(plan: plan, chain: chain, stages: override ?? manifest.samplerStages, limits: limits, warnings: warnings,
                               samples: max(1, variant.samplesPerRequest))
    }

    /// Applies the manifest's context policy to a prompt that leaves no room to generate.
    private func fitToContext(_ tokens: [Int], capacity limit: Int, maxTokens: Int, warnings: inout [String]) throws -> [Int] {
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
