import Foundation
import Synchronization
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

/// Builds a model of one architecture from a checkpoint directory.
public typealias ArchitectureLoader = @Sendable (CheckpointDirectory) throws -> any LanguageModel

/// Maps `config.json`'s `model_type` to the code that loads that architecture.
///
/// Architectures register here, outside the model files, so that an app can add one without
/// forking QwenZoo: `ArchitectureRegistry.shared.register("my_arch") { … }`.
public final class ArchitectureRegistry: Sendable {
    /// The registry the runtime and the CLI use, with the built-in Qwen architectures.
    public static let shared: ArchitectureRegistry = {
        let registry = ArchitectureRegistry()
        registry.register("qwen", loader: QwenV1Model.load)
        registry.register("qwen2", loader: Qwen2Model.load)
        return registry
    }()

    private let loaders = Mutex<[String: ArchitectureLoader]>([:])

    public init() {}

    /// Registers (or replaces) the loader for `modelType`.
    public func register(_ modelType: String, loader: @escaping ArchitectureLoader) {
        loaders.withLock { $0[modelType] = loader }
    }

    /// The `model_type` values that can be loaded, sorted.
    public var modelTypes: [String] { loaders.withLock { $0.keys.sorted() } }

    /// Loads the checkpoint in `directory` with the architecture its `config.json` names, or a
    /// `.gguf` file (Qwen2 architecture).
    public func load(directory: URL, options: ModelOptions = ModelOptions()) throws -> any LanguageModel {
        // Every matrix this load reads sees the choice (WeightTensor.copiedIntoArena).
        try WeightTensor.$copiesMappedWeights.withValue(!options.mapWeights) {
            try loadModel(directory: directory, options: options)
        }
    }

    private func loadModel(directory: URL, options: ModelOptions) throws -> any LanguageModel {
        var isDirectory: ObjCBool = false
        if directory.pathExtension.lowercased() == "gguf",
           FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return try GGUFModelLoader.load(directory, options: options)
        }
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ConfigError(file: nil, field: nil, message: "\(directory.path): no such checkpoint directory")
        }
        let config = try ConfigFile(directory.appendingPathComponent("config.json"))
        struct ModelType: Decodable {
            let model_type: String
        }
        let modelType = try config.decode(ModelType.self).model_type
        guard let loader = loaders.withLock({ $0[modelType] }) else {
            throw ConfigError(
                file: config.url, field: "model_type",
                message: "\"\(modelType)\" is not a supported architecture (supported: \(modelTypes.joined(separator: ", ")))")
        }
        let generation = try GenerationConfig.load(directory: directory)
        return try loader(CheckpointDirectory(url: directory, config: config, generation: generation, options: options))
    }
}

extension Qwen2Model {
    /// The registry entry for `model_type: qwen2`.
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
