import Dispatch
import Foundation
import Synchronization
import ZooCore
import ZooModels
import ZooRemote
import ZooSamplers
import ZooScheduler

// The seam between the runtime and a remote engine (issue 17). A manifest with
// `engine: {kind: openai, …}` composes a LoadedModel whose tokenizer and variant are local (prompts are
// rendered and outputs read here) and whose generation runs on the remote: `LoadedModel.load` builds it
// with `loadRemote`; `LoadedModel.generate` and `sample` hand their requests to the engine here, and
// sessions submit to it (SessionCore). No checkpoint is loaded; the model slot holds `RemoteCheckpoint`,
// which refuses a forward pass with a clear error (prompt caches, `zoo logits`, letter scoring and
// `zoo bench` need the model in this process).

/// A manifest's remote engine, with the notices it gave (e.g. a fallback to text prompts), which the
/// next completion reports among its warnings.
public final class RemoteEngineBinding: Sendable {
    /// The engine requests run on.
    public let engine: OpenAIEngine
    private let notices: Notices

    init(endpoint: OpenAIEndpoint, tokenizer: any Tokenizer) {
        let notices = Notices()
        self.notices = notices
        engine = OpenAIEngine(endpoint: endpoint, tokenizer: tokenizer) { notices.add($0) }
    }

    func drainNotices() -> [String] { notices.drain() }

    /// Notices kept until a completion reports them.
    private final class Notices: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ notice: String) { list.withLock { $0.append(notice) } }
        func drain() -> [String] {
            list.withLock { list in
                defer { list.removeAll() }
                return list
            }
        }
    }
}

/// What a receipt records of a remote run: where it ran and what was sent besides the prompt.
public struct RemoteReceipt: Codable, Sendable, Equatable {
    /// The engine's base URL.
    public var url: String
    /// The remote model id.
    public var model: String
    /// The request fields sent with the prompt (sampling parameters, `n`, `seed`, `max_tokens`, stop ids), as JSON.
    public var sent: String
}

extension LoadedModel {
    /// Composes a manifest whose engine is remote: tokenizer and variant here, weights nowhere.
    static func loadRemote(_ manifest: Manifest, spec: Manifest.RemoteEngine, components: ZooComponents,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadedModel {
        let variant = try build(manifest.variant, field: "variant", from: components.variants)
        guard let tokenizerSpec = manifest.tokenizer
            ?? manifest.weights.map({ Manifest.TokenizerSpec(kind: $0.isGGUF ? "gguf" : "auto", path: $0.path) })
        else {
            throw ManifestError(origin: nil, field: "tokenizer",
                                message: "\(manifest.name) runs on a remote engine but renders its prompts here: name its tokenizer (tokenizer.path) or the weights folder that holds it")
        }
        guard FileManager.default.fileExists(atPath: tokenizerSpec.path.path) else {
            let hint = manifest.weights?.hub.map { " (zoo pull \(manifest.name) fetches \($0.repo), tokenizer included)" } ?? ""
            throw ManifestError(origin: nil, field: "tokenizer.path",
                                message: "the tokenizer of \(manifest.name) is not at \(tokenizerSpec.path.path)\(hint); a remote engine still needs it here to render prompts")
        }
        let tokenizer = try components.tokenizers.factory(tokenizerSpec.kind)(tokenizerSpec.path, ComponentOptions([:], context: "tokenizer"))
        var apiKey: String?
        if let name = spec.apiKeyEnvironmentVariable {
            guard let value = environment[name], !value.isEmpty else {
                throw ManifestError(origin: nil, field: "engine.api_key_env", message: "the environment variable \(name) is not set (it holds the remote engine's API key)")
            }
            apiKey = value
        }
        let endpoint = OpenAIEndpoint(url: spec.url, model: spec.model, apiKey: apiKey, maxConcurrency: spec.maxConcurrency,
                                      timeout: spec.timeout, prompt: OpenAIEndpoint.PromptForm(rawValue: spec.prompt) ?? .ids)
        _ = try manifest.samplerChain(components: components)  // a bad chain fails at load, not mid-request
        _ = try OpenAISampling(chain: manifest.samplerStages)   // and so does one the remote cannot run
        let checkpoint = RemoteCheckpoint(manifest: manifest, tokenizer: tokenizer, url: endpoint.base)
        return LoadedModel(manifest: manifest, model: checkpoint, tokenizer: tokenizer, variant: variant, components: components,
                        remote: RemoteEngineBinding(endpoint: endpoint, tokenizer: tokenizer))
    }

    /// ``generate(_:options:onText:)`` on the remote engine: the same prompt, stops, limits and
    /// reading of the output; the samples of a vote are one request with `n`.
    func generateRemotely(_ binding: RemoteEngineBinding, _ request: VariantRequest, options: GenerationOptions,
                          onText: (String) -> Void) throws -> Completion {
        let prepared = try prepare(request, options: options)
        var warnings = prepared.warnings
        let stages = samplerOverride(for: options, warnings: &warnings) ?? manifest.samplerStages
        let engineRequest = EngineRequest(
            prompt: prepared.plan.tokens, sampler: stages, seed: prepared.limits.seed, maxTokens: prepared.limits.maxTokens,
            stopTokenIDs: prepared.plan.stopTokenIDs, stopStrings: prepared.plan.stopStrings, samples: prepared.samples,
            includeSpecialTokens: options.includeSpecialTokens)
        let samples = try runRemotely(binding, engineRequest, onText: onText)
        let outputs = samples.map { variant.interpret($0.text, for: request) }
        return Completion(output: variant.aggregate(outputs), samples: samples, promptTokens: prepared.plan.tokens,
                          warnings: warnings + binding.drainNotices(), limits: prepared.limits)
    }

    /// Runs `request` on the remote engine, blocking this thread until every sample has ended;
    /// streams sample 0's text to `onText`.
    func runRemotely(_ binding: RemoteEngineBinding, _ request: EngineRequest, onText: (String) -> Void) throws -> [GeneratedSample] {
        let stream = try binding.engine.submit(request)
        var summaries = [SampleSummary?](repeating: nil, count: request.samples)
        // The caller is synchronous and its onText is not Sendable: the events cross over to this thread.
        let queue = BlockingQueue<Result<EngineEvent, any Error>?>()
        let consumer = Task {
            do {
                for try await event in stream { queue.push(.success(event)) }
                queue.push(nil)
            } catch {
                queue.push(.failure(error))
            }
        }
        defer { consumer.cancel() }
        while let item = queue.pop() {
            switch try item.get() {
            case .token(let sample, let step):
                if sample == 0, !step.text.isEmpty { onText(step.text) }
            case .finished(let sample, let summary):
                summaries[sample] = summary
            }
        }
        return try summaries.enumerated().map { index, summary in
            guard let summary else {
                throw RemoteEngineError.truncated(url: binding.engine.endpoint.completionsURL, sample: index, tokens: 0)
            }
            return GeneratedSample(text: summary.text, tokens: summary.tokens, finishReason: summary.finishReason)
        }
    }

    /// For a receipt: the engine, the model and the fields a request with these options sends.
    public func remoteReceipt(options: GenerationOptions = GenerationOptions(), promptTokens: [Int], stopTokenIDs: Set<Int>) throws -> RemoteReceipt? {
        guard let remote else { return nil }
        var warnings: [String] = []
        let request = EngineRequest(prompt: promptTokens, sampler: samplerOverride(for: options, warnings: &warnings) ?? manifest.samplerStages,
                                    seed: limits(for: options).seed, maxTokens: limits(for: options).maxTokens,
                                    stopTokenIDs: stopTokenIDs, samples: max(1, variant.samplesPerRequest))
        let fields = try remote.engine.requestFields(for: request)
        return RemoteReceipt(url: remote.engine.endpoint.base, model: remote.engine.endpoint.model,
                             sent: String(decoding: JSONText.encode(.map(fields)), as: UTF8.self))
    }
}

/// The model slot of a LoadedModel whose engine is remote: the vocabulary size, the context and the
/// end-of-sequence ids (from the manifest, and the checkpoint folder's generation_config.json or
/// config.json when it is here, so prompts are fitted and stopped as the local engine would), and no
/// forward pass.
final class RemoteCheckpoint: LanguageModel {
    let vocabularySize: Int
    let contextLength: Int
    let endOfSequenceIDs: [Int]
    let url: String
    let name: String

    init(manifest: Manifest, tokenizer: any Tokenizer, url: String) {
        vocabularySize = tokenizer.count
        var eos: [Int] = []
        var config: [String: Any] = [:]
        if let folder = manifest.weights?.path, manifest.weights?.isGGUF == false {
            config = Self.json(folder.appendingPathComponent("config.json")) ?? [:]
            eos = (try? GenerationConfig.load(directory: folder))??.eosTokenIDs
                ?? (config["eos_token_id"] as? Int).map { [$0] } ?? config["eos_token_id"] as? [Int] ?? []
        }
        contextLength = manifest.architecture.contextLength ?? config["max_position_embeddings"] as? Int ?? 32768
        endOfSequenceIDs = eos
        self.url = url
        name = manifest.name
    }

    private static func json(_ file: URL) -> [String: Any]? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    func makeCache(capacity: Int?) -> any KVCache { NoKVCache() }

    func forward(_ tokens: [Int], cache: any KVCache, logits: LogitsSelection) throws -> Logits {
        throw RemoteOnlyError(name: name, url: url)
    }
}

/// What a path that needs the model in this process says when the manifest's engine is remote.
public struct RemoteOnlyError: Error, CustomStringConvertible, Sendable {
    /// The manifest.
    public let name: String
    /// The remote engine's base URL.
    public let url: String
    /// What needed the model here, e.g. "a saved prompt cache".
    public let needs: String

    public init(name: String, url: String, needs: String = "a forward pass in this process (logits, perplexity, letter scoring, bench)") {
        self.name = name
        self.url = url
        self.needs = needs
    }

    public var description: String {
        "\(name) runs on the remote engine at \(url): \(needs) needs the model here; generation, sessions, zoo chat and zoo eval's generating tasks run remotely, but this does not (use a manifest with engine: local)"
    }
}

/// A cache that holds nothing: a remote model never runs a forward pass here.
final class NoKVCache: KVCache {
    var count: Int { 0 }
    var capacity: Int { 0 }
    func write(layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, tokens: Int) throws -> KVLayerView {
        throw ContextOverflowError(requested: tokens, capacity: 0)
    }
    func commit(tokens: Int) {}
    func truncate(to length: Int) {}
}

/// A queue one thread blocks on while a task fills it.
final class BlockingQueue<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    private let available = DispatchSemaphore(value: 0)

    func push(_ item: Element) {
        items.withLock { $0.append(item) }
        available.signal()
    }

    func pop() -> Element {
        available.wait()
        return items.withLock { $0.removeFirst() }
    }
}
