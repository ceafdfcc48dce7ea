import Foundation
import ZooCore

extension ArchitectureLoader {
    /// `model_type: qwen2` (Qwen1.5, Qwen2, Qwen2.5) from a checkpoint directory or a GGUF file.
    public static let qwen2 = ArchitectureLoader(directory: Qwen2Model.load, gguf: Qwen2Model.load)
}

extension Qwen2Model {
    /// Loads a checkpoint directory whose `model_type` is `qwen2`.
    @Sendable public static func load(_ directory: CheckpointDirectory) throws -> any LanguageModel {
        var config = directory.config
        if let scaling = directory.options.ropeScaling {
            // The manifest's rope_scaling replaces the config's and is validated the same way.
            config = try config.replacing(["rope_scaling": scaling.mapValues(\.jsonValue)])
        }
        var configuration = try config.decode(Qwen2Configuration.self)
        if let contextLength = directory.options.contextLength { configuration.maxPositionEmbeddings = contextLength }
        let checkpoint = try Checkpoint(directory: directory.url)
        return try Qwen2Model(
            configuration: configuration, checkpoint: checkpoint, generation: directory.generation,
            attention: directory.options.attention, precision: directory.options.weightPrecision)
    }

    /// Loads a GGUF file whose `general.architecture` is `qwen2`: the hyper-parameters from its
    /// metadata (`qwen2.*`), the weights read in place or converted to QwenZoo's layout (``GGUFTensorSource``).
    @Sendable static func load(_ file: GGUFFile, options: ModelOptions) throws -> any LanguageModel {
        try Qwen2Model(
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
