import ArgumentParser
import QwenZoo

/// What `chat`, `complete` and `solve` share: a required manifest, sampling, `--max-tokens` and
/// `--threads`, checked alike and turned into a loaded model and request options.
struct VariantRunArguments: ParsableArguments {
    @OptionGroup var manifestArguments: ManifestArguments

    @OptionGroup var sampling: SamplingArguments

    @Option(help: "The most tokens per reply, completion or solution (default: the manifest's max_tokens).")
    var maxTokens: Int?

    @OptionGroup var threads: ThreadsArgument

    func validate() throws {
        guard manifestArguments.manifest != nil else { throw ValidationError("--manifest is required") }
        try Limits.checkMaxTokens(maxTokens)
    }

    /// Applies `--threads` and loads the manifest, with `overrides` after the user's `--set`s.
    func load(adding overrides: [String] = []) throws -> LoadedModel {
        threads.apply()
        var arguments = manifestArguments
        arguments.overrides += overrides
        return try LoadedModel.load(try arguments.resolve()!.manifest)
    }

    /// The request options the flags give.
    func options() throws -> GenerationOptions {
        GenerationOptions(maxTokens: maxTokens, seed: sampling.seed, sampler: try sampling.stages())
    }
}
