import Foundation
import ZooCore

/// Builds a model from a GGUF file: the hyper-parameters from its metadata (`qwen2.*`), the
/// weights read in place (F32, F16, BF16, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K) or converted to QwenZoo's
/// layout (Q8_0, Q4_0).
enum GGUFModelLoader {
    static func load(_ url: URL, options: ModelOptions) throws -> any LanguageModel {
        let file = try GGUFFile(url: url)
        return try Qwen2Model(
            configuration: configuration(of: file, options: options), source: GGUFTensorSource(file),
            attention: options.attention, precision: options.weightPrecision)
    }

    /// The Qwen2 configuration that `file`'s metadata describes, validated as a config.json would be.
    static func configuration(of file: GGUFFile, options: ModelOptions) throws -> Qwen2Configuration {
        let url = file.url
        let architecture = file.metadata["general.architecture"]?.string ?? "(missing)"
        guard architecture == "qwen2" else {
            throw GGUFError(file: url, "general.architecture \"\(architecture)\" is not supported in GGUF files (supported: qwen2)")
        }
        guard let embedding = file.tensors["token_embd.weight"], embedding.dimensions.count == 2 else {
            throw GGUFError(file: url, tensor: "token_embd.weight", "missing or not a matrix")
        }
        // The same fields a config.json would hold, so the Qwen2 configuration validates them alike.
        var config: [String: Any] = [
            "model_type": "qwen2",
            "vocab_size": embedding.dimensions[1],
            "hidden_size": try file.int("qwen2.embedding_length"),
            "intermediate_size": try file.int("qwen2.feed_forward_length"),
            "num_hidden_layers": try file.int("qwen2.block_count"),
            "num_attention_heads": try file.int("qwen2.attention.head_count"),
            "num_key_value_heads": try file.int("qwen2.attention.head_count_kv"),
            "max_position_embeddings": try options.contextLength ?? file.int("qwen2.context_length"),
            "rms_norm_eps": try file.double("qwen2.attention.layer_norm_rms_epsilon"),
            "rope_theta": file.metadata["qwen2.rope.freq_base"]?.double ?? 1_000_000,
            "tie_word_embeddings": file.tensors["output.weight"] == nil,
        ]
        if let eos = file.metadata["tokenizer.ggml.eos_token_id"]?.int { config["eos_token_id"] = eos }
        if let bos = file.metadata["tokenizer.ggml.bos_token_id"]?.int { config["bos_token_id"] = bos }
        if let scaling = options.ropeScaling { config["rope_scaling"] = scaling.mapValues(\.jsonValue) }
        return try ConfigFile(url: url, data: try JSONSerialization.data(withJSONObject: config))
            .decode(Qwen2Configuration.self)
    }
}
