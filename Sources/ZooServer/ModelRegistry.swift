import Foundation
import QwenZoo
import Synchronization

/// How each model's engine runs: the server's `--parallel`, `--max-queue` and `--kv-memory`.
public struct EngineOptions: Sendable, Equatable {
    /// The most sequences running at once.
    public var parallel: Int
    /// The most requests waiting; more are refused with 429 and `Retry-After`.
    public var maxQueue: Int
    /// Bytes of KV cache the engine may hold (0: unbounded).
    public var kvBudgetBytes: Int
    /// The most prompt tokens one step prefills beside running streams (see ``SchedulerConfiguration/prefillChunk``).
    public var prefillChunk: Int

    public init(parallel: Int = 4, maxQueue: Int = 256, kvBudgetBytes: Int = 0,
                prefillChunk: Int = SchedulerConfiguration.defaultPrefillChunk) {
        self.parallel = parallel
        self.maxQueue = maxQueue
        self.kvBudgetBytes = kvBudgetBytes
        self.prefillChunk = prefillChunk
    }
}

/// One manifest the server serves: the composed model, the engine that runs it, and what a
/// receipt needs to name it again.
public struct ServedModel: Sendable {
    /// The name requests give as `model`: the manifest's name.
    public var name: String
    /// The manifest as resolved at start (its content hash goes into receipts).
    public var resolved: ResolvedManifest
    /// The manifest reference as given on the command line, and its `--set` overrides.
    public var reference: String
    public var overrides: [String]
    /// The tokenizer, model and variant.
    public var zoo: LoadedModel
    /// Runs the model's sequences.
    public var engine: any GenerationEngine

    public init(name: String, resolved: ResolvedManifest, reference: String, overrides: [String], zoo: LoadedModel,
                engine: any GenerationEngine) {
        self.name = name
        self.resolved = resolved
        self.reference = reference
        self.overrides = overrides
        self.zoo = zoo
        self.engine = engine
    }
}

/// The models a server serves, by manifest name, and the one place engines are made.
///
/// The server answers `/health` with 503 until ``load()`` has composed every model; requests for a
/// model before then get 503 with `Retry-After`.
public final class ModelRegistry: Sendable {
    /// A manifest to serve, resolved but not loaded yet.
    public struct Pending: Sendable {
        public var reference: String
        public var overrides: [String]
        public var resolved: ResolvedManifest
        public init(reference: String, overrides: [String] = [], resolved: ResolvedManifest) {
            self.reference = reference
            self.overrides = overrides
            self.resolved = resolved
        }
    }

    /// The served names, in the order given.
    public let names: [String]
    private let pending: [Pending]
    private let options: EngineOptions
    private let loaded = Mutex<[String: ServedModel]?>(nil)
    /// When the server started, for `/v1/models`' `created`.
    let created = Int(Date().timeIntervalSince1970)

    /// A registry that loads `manifests` when ``load()`` is called. Names must be distinct.
    public init(manifests: [Pending], options: EngineOptions = EngineOptions()) throws {
        var seen = Set<String>()
        for manifest in manifests where !seen.insert(manifest.resolved.manifest.name).inserted {
            throw APIError(status: 400, message: "manifest \(manifest.resolved.manifest.name) is given twice")
        }
        names = manifests.map(\.resolved.manifest.name)
        pending = manifests
        self.options = options
    }

    /// A registry of models already composed (e.g. by an app that loaded them itself).
    public init(models: [ServedModel]) {
        names = models.map(\.name)
        pending = []
        options = EngineOptions()
        loaded.withLock { $0 = Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) }) }
    }

    /// Loads every pending manifest's weights and makes its engine. Blocks while loading.
    public func load() throws {
        var models: [String: ServedModel] = [:]
        for manifest in pending {
            let zoo = try LoadedModel.load(manifest.resolved.manifest)
            models[zoo.manifest.name] = ServedModel(
                name: zoo.manifest.name, resolved: manifest.resolved, reference: manifest.reference,
                overrides: manifest.overrides, zoo: zoo, engine: Self.makeEngine(for: zoo, options: options))
        }
        loaded.withLock { $0 = models }
    }

    /// Whether every model is loaded.
    public var isReady: Bool { loaded.withLock { $0 != nil } }

    /// The served models, in order (empty while loading).
    public var models: [ServedModel] {
        loaded.withLock { models in names.compactMap { models?[$0] } }
    }

    /// The answer to a request that needs a model before they are loaded.
    static let stillLoading = APIError(status: 503, message: "the server is still loading its models", type: "server_error",
                                       code: "loading", retryAfter: 1)

    /// The model a request names; `nil` is accepted when exactly one model is served.
    func model(named name: String?) throws -> ServedModel {
        guard let models = loaded.withLock({ $0 }) else { throw Self.stillLoading }
        guard let name else {
            if names.count == 1, let only = models[names[0]] { return only }
            throw APIError.invalid("model", "missing required field \"model\" (served: \(names.joined(separator: ", ")))")
        }
        guard let model = models[name] else { throw APIError.unknownModel(name, served: names) }
        return model
    }

    /// Cancels what every engine still runs or queues (the server is stopping).
    public func shutdown() {
        for model in models { (model.engine as? BatchScheduler)?.shutDown() }
    }

    /// The engine for one model: its continuous-batching scheduler, which the model's Swift
    /// sessions share (``LoadedModel/makeScheduler(_:)`` installs it as the model's scheduler).
    public static func makeEngine(for zoo: LoadedModel, options: EngineOptions) -> any GenerationEngine {
        zoo.makeScheduler(SchedulerConfiguration(
            parallel: options.parallel, maxQueue: options.maxQueue, kvBudgetBytes: options.kvBudgetBytes,
            prefillChunk: options.prefillChunk))
    }
}
