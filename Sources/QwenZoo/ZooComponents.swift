import ZooAttention
import ZooCore
import ZooGrammar
import ZooModels
import ZooSamplers
import ZooTokenizers

/// Every kind of component a manifest can name, by the names manifests use.
///
/// The built-in kinds are registered by their own targets (`TokenizerKinds`, `AttentionKinds`,
/// the variant plugins…); an app registers its own the same way:
///
/// ```swift
/// ZooComponents.shared.variants.register("pirate") { options in PirateVariant(options) }
/// ```
public final class ZooComponents: Sendable {
    /// The registries the runtime and the CLI use, with the built-in components.
    public static let shared = ZooComponents(builtins: true)

    /// Tokenizer kinds by the name `tokenizer.kind` gives (`auto`, `tiktoken`, `hf`).
    public let tokenizers = Registry<TokenizerFactory>(kind: "tokenizer kind")
    /// Attention kinds by the name `attention.kind` gives (`causal`).
    public let attention = Registry<AttentionFactory>(kind: "attention kind")
    /// Variants by the name `variant` gives (`base`, `chat`, `code`, `math`).
    public let variants = Registry<VariantFactory>(kind: "variant")
    /// Sampler stages by the name a `sampler` list item or `--chain` gives (`top_k`, `temperature`…).
    public let samplerStages = Registry<SamplerStageFactory>(kind: "sampler stage")
    /// Architectures by `config.json` `model_type`.
    public let architectures: ArchitectureRegistry

    /// Empty registries (`builtins: false`) or ones holding QwenZoo's own components.
    public init(builtins: Bool) {
        architectures = builtins ? .shared : ArchitectureRegistry()
        guard builtins else { return }
        TokenizerKinds.register(into: tokenizers)
        GGUFTokenizerKind.register(into: tokenizers)
        AttentionKinds.register(into: attention)
        BuiltinSamplerStages.registerBuiltins(into: samplerStages)
        ConstraintStages.register(into: samplerStages)
        BuiltinVariants.register(into: variants)
    }
}
