import ZooCore

extension ArchitectureLoader {
    /// `model_type: qwen` (Qwen 1.8B/7B/14B/72B and their Chat variants) from a checkpoint directory.
    public static let qwenV1 = ArchitectureLoader(directory: QwenV1Model.load)
}

extension QwenV1Model {
    /// Loads a checkpoint directory whose `model_type` is `qwen`.
    @Sendable public static func load(_ directory: CheckpointDirectory) throws -> any LanguageModel {
        var configuration = try directory.config.decode(QwenV1Configuration.self)
        let overrides = directory.options
        // The usable context; `seq_length` stays the NTK/LogN threshold the model was trained with.
        if let contextLength = overrides.contextLength { configuration.maxPositionEmbeddings = contextLength }
        if overrides.ropeScaling != nil {
            throw ConfigError(file: directory.config.url, field: "rope_scaling",
                              message: "Qwen v1 takes use_dynamic_ntk, not rope_scaling")
        }
        let checkpoint = try Checkpoint(directory: directory.url)
        return try QwenV1Model(
            configuration: configuration, checkpoint: checkpoint, generation: directory.generation,
            options: Options(configuration, useDynamicNTK: overrides.useDynamicNTK, useLogNAttention: overrides.useLogNAttention),
            attention: overrides.attention, precision: overrides.weightPrecision)
    }
}
