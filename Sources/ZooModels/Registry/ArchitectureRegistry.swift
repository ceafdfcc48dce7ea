import Foundation
import ZooCore

/// The architectures by `config.json`'s `model_type` (and GGUF's `general.architecture`, which
/// uses the same names): the generic ``Registry`` of ``ArchitectureLoader``s.
///
/// Architectures register here, outside the model files, so that an app can add one without
/// forking QwenZoo: `ArchitectureRegistry.shared.register("my_arch") { directory in … }`.
public typealias ArchitectureRegistry = Registry<ArchitectureLoader>

/// The built-in architectures, each loader defined in its architecture's folder.
private let builtInArchitectures: ArchitectureRegistry = {
    let registry = ArchitectureRegistry()
    registry.register("qwen", .qwenV1)
    registry.register("qwen2", .qwen2)
    return registry
}()

extension Registry where Factory == ArchitectureLoader {
    /// The registry the runtime and the CLI use, with the built-in Qwen architectures.
    public static var shared: ArchitectureRegistry { builtInArchitectures }

    /// An empty architecture registry.
    public convenience init() {
        self.init(kind: "architecture")
    }

    /// Registers (or replaces) a loader of checkpoint directories for `modelType`.
    public func register(_ modelType: String, loader: @escaping @Sendable (CheckpointDirectory) throws -> any LanguageModel) {
        register(modelType, ArchitectureLoader(directory: loader))
    }

    /// The `model_type` values that can be loaded, sorted.
    public var modelTypes: [String] { names }

    /// Loads the checkpoint in `directory` with the architecture its `config.json` names, or a
    /// GGUF file with the architecture its `general.architecture` names: `gguf` true, or `nil` and a
    /// `.gguf` name (a manifest's `format: gguf` reads a file of any name).
    public func load(directory: URL, options: ModelOptions = ModelOptions(), gguf: Bool? = nil) throws -> any LanguageModel {
        // Every matrix this load reads sees the choice (WeightTensor.copiedIntoArena).
        try WeightTensor.$copiesMappedWeights.withValue(!options.mapWeights) {
            try loadModel(directory: directory, options: options, gguf: gguf ?? (directory.pathExtension.lowercased() == "gguf"))
        }
    }

    private func loadModel(directory: URL, options: ModelOptions, gguf: Bool) throws -> any LanguageModel {
        var isDirectory: ObjCBool = false
        if gguf,
           FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return try loadGGUF(directory, options: options)
        }
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ConfigError(file: nil, field: nil, message: "\(directory.path): no such checkpoint directory")
        }
        let config = try ConfigFile(directory.appendingPathComponent("config.json"))
        let modelType = try config.decode(ModelTypeField.self).model_type
        guard let loader = try? factory(modelType) else {
            throw ConfigError(
                file: config.url, field: "model_type",
                message: "\"\(modelType)\" is not a supported architecture (supported: \(modelTypes.joined(separator: ", ")))")
        }
        let generation = try GenerationConfig.load(directory: directory)
        return try loader.directory(CheckpointDirectory(url: directory, config: config, generation: generation, options: options))
    }

    /// A GGUF file, routed by its `general.architecture`.
    private func loadGGUF(_ url: URL, options: ModelOptions) throws -> any LanguageModel {
        let file = try GGUFFile(url: url)
        let architecture = file.metadata["general.architecture"]?.string ?? "(missing)"
        guard let read = (try? factory(architecture))?.gguf else {
            let readers = names.filter { (try? factory($0))?.readsGGUF == true }
            let supported = readers.isEmpty ? "none" : readers.joined(separator: ", ")
            throw GGUFError(file: url, "general.architecture \"\(architecture)\" is not supported in GGUF files (supported: \(supported))")
        }
        return try read(file, options)
    }
}

/// The one field of `config.json` that picks the architecture.
private struct ModelTypeField: Decodable {
    let model_type: String
}
