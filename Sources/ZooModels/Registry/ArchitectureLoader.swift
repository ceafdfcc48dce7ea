import Foundation
import ZooCore

/// What an architecture needs to build a model from a checkpoint directory.
public struct CheckpointDirectory: Sendable {
    public let url: URL
    /// `config.json`, read but not yet decoded: each architecture decodes its own fields.
    public let config: ConfigFile
    /// `generation_config.json`, when present.
    public let generation: GenerationConfig?
    /// What the manifest chose beyond the config (attention kind, overrides).
    public let options: ModelOptions
}

/// Builds models of one architecture (the factory of an ``ArchitectureRegistry``): from a Hugging
/// Face checkpoint directory, whose `config.json` `model_type` names it, and, for architectures that
/// read them, from a GGUF file, whose `general.architecture` names it.
///
/// Each architecture defines its loader in its own folder (`Qwen2/Qwen2Loader.swift`); the article
/// "Adding an architecture" in the QwenZoo documentation walks through one.
public struct ArchitectureLoader: Sendable {
    /// Builds the model of a checkpoint directory.
    public let directory: @Sendable (CheckpointDirectory) throws -> any LanguageModel
    /// Builds the model of a GGUF file, if this architecture reads GGUF files.
    let gguf: (@Sendable (GGUFFile, ModelOptions) throws -> any LanguageModel)?

    /// A loader for checkpoint directories.
    public init(directory: @escaping @Sendable (CheckpointDirectory) throws -> any LanguageModel) {
        self.directory = directory
        gguf = nil
    }

    /// A loader for checkpoint directories and GGUF files.
    init(directory: @escaping @Sendable (CheckpointDirectory) throws -> any LanguageModel,
         gguf: @escaping @Sendable (GGUFFile, ModelOptions) throws -> any LanguageModel) {
        self.directory = directory
        self.gguf = gguf
    }

    /// Whether this architecture reads GGUF files.
    public var readsGGUF: Bool { gguf != nil }
}

extension OptionValue {
    /// The value as `JSONSerialization` takes it.
    var jsonValue: Any {
        switch self {
        case .null: NSNull()
        case .bool(let b): b
        case .number(let n): n
        case .string(let s): s
        case .list(let l): l.map(\.jsonValue)
        case .map(let m): m.mapValues(\.jsonValue)
        }
    }
}
