import Foundation
import QwenZoo
import Synchronization
import ZooTestSupport

/// Shared helpers of the API tests.
enum APITest {
    static let zooFolder = Fixtures.repositoryRoot.appendingPathComponent("zoo")

    /// A bundled tiny manifest, loaded through the public API.
    static func model(_ name: String, _ overrides: [String] = []) async throws -> LoadedModel {
        try await Zoo.model(named: name, overrides: overrides, searchPaths: [zooFolder])
    }

    /// A sampling chain (so that seeds matter).
    static let sampling: [SamplerStageSpec] = [
        SamplerStageSpec("temperature", value: 1.2), SamplerStageSpec("top_k", value: 50),
    ]

    /// Collects a stream's text chunks, token ids and final response.
    static func drain(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws
        -> (chunks: [String], tokens: [Int], response: Response?)
    {
        var chunks: [String] = []
        var tokens: [Int] = []
        var response: Response?
        for try await event in stream {
            switch event {
            case .text(let t): chunks.append(t)
            case .token(let id): tokens.append(id)
            case .done(let r): response = r
            }
        }
        return (chunks, tokens, response)
    }
}

/// A model that counts its forward passes (and can be slowed down), around a real one.
final class CountingModel: LanguageModel {
    let inner: any LanguageModel
    let delay: Duration
    private let forwards = Atomic<Int>(0)
    private let multiTokenCalls = Mutex<[Int]>([])  // forward-call indices that ran more than one token

    init(_ inner: any LanguageModel, delay: Duration = .zero) {
        self.inner = inner
        self.delay = delay
    }

    var vocabularySize: Int { inner.vocabularySize }
    var contextLength: Int { inner.contextLength }
    var endOfSequenceIDs: [Int] { inner.endOfSequenceIDs }
    func makeCache(capacity: Int?) -> any KVCache { inner.makeCache(capacity: capacity) }

    func forward(_ tokens: [Int], cache: any KVCache, logits: LogitsSelection) throws -> Logits {
        let index = forwards.add(1, ordering: .sequentiallyConsistent).newValue
        if tokens.count > 1 { multiTokenCalls.withLock { $0.append(index) } }
        if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) * 1e-18 + Double(delay.components.seconds)) }
        return try inner.forward(tokens, cache: cache, logits: logits)
    }

    var forwardCount: Int { forwards.load(ordering: .sequentiallyConsistent) }
    /// The index (1-based) of the first multi-token forward call after call `index`.
    func firstPrefill(after index: Int) -> Int? { multiTokenCalls.withLock { $0.first { $0 > index } } }
}

extension LoadedModel {
    /// The same manifest, tokenizer and variant around another model object.
    func replacingModel(_ model: any LanguageModel) -> LoadedModel {
        LoadedModel(manifest: manifest, model: model, tokenizer: tokenizer, variant: variant, components: components)
    }
}
