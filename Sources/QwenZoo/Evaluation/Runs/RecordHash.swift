import Foundation
import ZooSamplers

/// The `prompt_hash` of an ``EvaluationRecord``: what a resumed run compares, so records of a different
/// run (protocol or task, model, settings, prompt) are never mixed into it.
enum RecordHash {
    /// What besides the prompt decides an item's record: the model (manifest, weights and their precision),
    /// votes (or samples), their chain, the token limit and the seed.
    static func settings(_ zoo: LoadedModel, votes: Int, chain: [SamplerStageSpec], maxTokens: Int?, seed: UInt64) -> String {
        let chain = votes > 1 ? chain.map { "\($0)" }.joined(separator: ",") : ""
        let weights = zoo.manifest.weights.map { "\($0.path.path)|\($0.dtype)|\($0.quantize ?? "")" } ?? ""
        return "model=\(zoo.manifest.name)|\(weights);votes=\(votes);chain=\(chain);max=\(maxTokens ?? zoo.manifest.maxTokens ?? 512);seed=\(seed)"
    }

    /// The hash of a run named `run` (a protocol's or a task's name), its `settings` and the prompt's ids.
    static func of(run: String, settings: String, tokens: [Int]) -> String {
        ContentHash.of(run + ":" + settings + ":" + tokens.map(String.init).joined(separator: ","))
    }
}
