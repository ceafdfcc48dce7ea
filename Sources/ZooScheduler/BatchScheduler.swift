import Foundation
import ZooCore
import ZooSamplers

/// Continuous batching on one model: every running sequence advances in one forward pass per step.
///
/// Requests are admitted up to ``SchedulerConfiguration/parallel`` sequences and within the KV
/// budget; each step runs the next id of every decoding sequence as one row, together with chunks
/// of new prompts, so the weights are read once for the whole batch. A request's tokens and
/// logprobs are bit-identical whether it runs alone or batched with others, at any position in
/// the batch, with any prefill chunking and with or without a prefix-cache hit.
///
/// The steps run on the scheduler's own thread, never on Swift concurrency's pool; events reach
/// each request's stream as they happen.
///
/// ```swift
/// let scheduler = BatchScheduler(model: model, tokenizer: tokenizer,
///                                makeSampler: { try SamplerChain(stages: $0) })
/// for try await event in try scheduler.submit(request) { … }
/// ```
public final class BatchScheduler: GenerationEngine {
    /// Builds one sample's sampler chain from the request's stages (errors name the stage).
    public typealias SamplerFactory = @Sendable ([SamplerStageSpec]) throws -> any TokenSampler

    /// The limits the scheduler runs with.
    public let configuration: SchedulerConfiguration
    private let model: any LanguageModel
    private let makeSampler: SamplerFactory
    /// The token text constraint stages are bound to (with each request's stop ids).
    private let vocabulary: SamplingVocabulary?
    private let budget: KVBudget
    private let queue: RequestQueue

    /// A scheduler for `model` (shared, never copied) that detokenizes with `tokenizer` (`nil`: ids only)
    /// and builds each sample's chain with `makeSampler`; its thread starts at once. Chains with
    /// constraint stages are bound to `vocabulary` (by default one over `tokenizer`) and each
    /// request's stop ids.
    public init(model: any LanguageModel, tokenizer: (any Tokenizer)?, makeSampler: @escaping SamplerFactory,
                vocabulary: SamplingVocabulary? = nil, configuration: SchedulerConfiguration = SchedulerConfiguration()) {
        self.configuration = configuration
        self.model = model
        self.makeSampler = makeSampler
        self.vocabulary = vocabulary ?? tokenizer.map { SamplingVocabulary(tokenizer: $0) }
        budget = KVBudget(limit: configuration.kvBudgetBytes, model: model)
        queue = RequestQueue(parallel: configuration.parallel, maxQueue: configuration.maxQueue,
                             kvBytesBudget: configuration.kvBudgetBytes)
        let loop = StepLoop(model: model, tokenizer: tokenizer, configuration: configuration, budget: budget, queue: queue)
        let thread = Thread { loop.run() }
        thread.name = "zoo-scheduler"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Lets the running and waiting requests finish, then stops the thread.
    deinit { queue.finishWork() }

    public func submit(_ request: EngineRequest) throws -> AsyncThrowingStream<EngineEvent, any Error> {
        try submit(request, callerCache: nil)
    }

    /// `sampler` with its constraint stages bound to the vocabulary and the request's stop ids
    /// (allowed only where the constraint is complete); a chain without them as it is.
    private func bound(_ sampler: any TokenSampler, stopIDs: Set<Int>) throws -> any TokenSampler {
        guard var chain = sampler as? SamplerChain, chain.needsVocabulary, let vocabulary else { return sampler }
        try chain.bind(to: vocabulary, stopIDs: stopIDs)
        return chain
    }

    private func submit(_ request: EngineRequest, callerCache: RequestQueue.CallerCache?) throws
        -> AsyncThrowingStream<EngineEvent, any Error>
    {
        try request.validate(for: model, budget: budget, parallel: configuration.parallel)
        let samplers = try (0..<request.samples).map { _ in try bound(makeSampler(request.sampler), stopIDs: request.stopTokenIDs) }
        let id = queue.makeID()
        let (stream, events) = AsyncThrowingStream<EngineEvent, any Error>.makeStream()
        // Cancelling the consuming task or dropping the stream ends the request within one step.
        events.onTermination = { [queue] termination in
            if case .cancelled = termination { queue.cancel(id) }
        }
        try queue.enqueue(RequestQueue.Pending(id: id, request: request, samplers: samplers, events: events,
                                               callerCache: callerCache))
        return stream
    }

    /// Queues `request` with sample 0 continuing in a caller's own cache (a session's), whose rows
    /// already hold the prompt's first `cache.count` ids (fewer than the whole prompt): only the rest
    /// is prefilled. When the sample ends the cache holds the prompt and the generated ids but the
    /// last. The scheduler borrows the cache: `release` is called exactly once, when it no longer
    /// touches it (the sample finished, failed or was cancelled, or the request was refused).
    ///
    /// The cache's memory is the caller's: it is not counted against the KV budget.
    public func submit(_ request: EngineRequest, continuing cache: any KVCache,
                       release: @escaping @Sendable () -> Void) throws -> AsyncThrowingStream<EngineEvent, any Error> {
        var refused = true
        defer { if refused { release() } }
        guard cache.count < request.prompt.count, request.prompt.count <= cache.capacity else {
            throw EngineRequestError(
                field: "prompt",
                message: "the prompt has \(request.prompt.count) tokens but the cache holds \(cache.capacity) (\(cache.count) already in it)")
        }
        let stream = try submit(request, callerCache: RequestQueue.CallerCache(cache: cache, release: release))
        refused = false
        return stream
    }

    public func status() -> EngineStatus { queue.status }

    /// Stops the scheduler now: running and waiting requests end with `CancellationError`.
    public func shutDown() { queue.shutDown() }
}
