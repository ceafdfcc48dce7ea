import ArgumentParser
import QwenZoo

/// `--chain SPEC` and `--seed N`, for every command that samples.
struct SamplingArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A sampler chain replacing the manifest's, applied in the given order.",
        discussion: "e.g. \"repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7\"; empty is greedy."))
    var chain: String?

    @Option(help: "The seed of this request's random generator (default: the manifest's seed, or 0).")
    var seed: UInt64?

    /// The parsed `--chain`, if given.
    func stages() throws -> [SamplerStageSpec]? {
        guard let chain else { return nil }
        return try ChainSyntax.parse(chain)
    }
}
