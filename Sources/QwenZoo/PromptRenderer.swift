import ZooCore

/// A manifest's tokenizer and variant without its weights: what renders prompts (`zoo render`), so that a
/// template can be checked against its reference without loading a model.
public struct PromptRenderer: Sendable {
    public let manifest: Manifest
    public let tokenizer: any Tokenizer
    public let variant: any Variant

    /// Builds the manifest's tokenizer and variant; the weights are neither loaded nor required.
    public static func load(_ manifest: Manifest, components: ZooComponents = .shared) throws -> PromptRenderer {
        let variant = try build(manifest.variant, field: "variant", from: components.variants)
        guard let weights = manifest.weights else {
            throw ManifestError(origin: nil, field: "weights.path", message: "manifest \(manifest.name) names no weights (nor a tokenizer folder)")
        }
        let tokenizer = try LoadedModel.tokenizer(of: manifest, weights: weights, components: components)
        return PromptRenderer(manifest: manifest, tokenizer: tokenizer, variant: variant)
    }

    /// The request's prompt and stops: the variant's, plus the manifest's stop ids and strings.
    public func plan(_ request: VariantRequest) throws -> PromptPlan {
        var plan = try variant.prepare(request, tokenizer: tokenizer)
        plan.stopTokenIDs.formUnion(manifest.stop.ids)
        plan.stopStrings += manifest.stop.strings
        return plan
    }
}
