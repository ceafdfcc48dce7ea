import Foundation
import QwenZoo
import Synchronization

/// A stand-in ``GenerationEngine`` until the batching scheduler lands: one sequence at a time on
/// one worker thread, through QwenZoo's ``DecodeLoop``.
///
/// It honours the whole contract: a full queue throws ``EngineOverloadError``; dropping or
/// cancelling a stream ends its sequence before the next forward pass; `n` samples share one
/// prefill (sample `i` seeded `seed &+ i`); log-probabilities come from the raw logits. It keeps
/// the last request's KV cache, so a request that starts where the previous one did (the next
/// turn of a chat) reuses its prefix and reports it as cached.
final class SerialEngine: GenerationEngine, @unchecked Sendable {
    // @unchecked: `state` is behind a Mutex; `retained` is touched by the worker thread only.
    private let zoo: ZooModel
    private let maxQueue: Int
    private let kvBudgetBytes: Int
    /// Bytes of keys and values one position of one sequence holds (f32 rows, an upper bound).
    private let kvBytesPerToken: Int
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    /// The last request's cache, kept for the next request's prefix.
    private var retained: PromptCache?

    private struct State {
        var queue: [Job] = []
        var running: Job?
        var runningKVBytes = 0
        var decodeSteps = 0
        var stopped = false
    }

    /// One submitted request and its stream.
    private final class Job: Sendable {
        let request: EngineRequest
        let continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation
        let cancelled = Atomic(false)
        init(_ request: EngineRequest, _ continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation) {
            self.request = request
            self.continuation = continuation
        }
    }

    init(zoo: ZooModel, maxQueue: Int, kvBudgetBytes: Int) {
        self.zoo = zoo
        self.maxQueue = max(0, maxQueue)
        self.kvBudgetBytes = max(0, kvBudgetBytes)
        let probe = zoo.model.makeCache(capacity: 1) as? any InspectableKVCache
        kvBytesPerToken = probe.map { $0.layerCount * $0.rowWidth * 2 * MemoryLayout<Float>.size } ?? 0
        // The worker holds the engine for the life of the process; ``stop()`` ends it.
        let thread = Thread { self.work() }
        thread.name = "zoo-engine-\(zoo.manifest.name)"
        thread.start()
    }

    /// Cancels everything queued or running and ends the worker.
    func stop() {
        let jobs = state.withLock { s -> [Job] in
            s.stopped = true
            defer { s.queue.removeAll() }
            return s.queue + (s.running.map { [$0] } ?? [])
        }
        for job in jobs {
            job.cancelled.store(true, ordering: .relaxed)
            job.continuation.finish(throwing: CancellationError())
        }
        wakeUp.signal()
    }

    func submit(_ request: EngineRequest) throws -> AsyncThrowingStream<EngineEvent, any Error> {
        guard !request.prompt.isEmpty else { throw EmptyPromptError() }
        guard request.prompt.count < zoo.model.contextLength else {
            throw ContextOverflowError(requested: request.prompt.count + 1, capacity: zoo.model.contextLength)
        }
        let needed = kvBytes(for: request)
        if kvBudgetBytes > 0, needed > kvBudgetBytes {
            throw APIError.invalid(
                "max_tokens", "the request needs \(needed) bytes of KV cache (prompt and max_tokens) but the server's budget is \(kvBudgetBytes) bytes: ask for fewer tokens")
        }
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: EngineEvent.self, throwing: (any Error).self)
        let job = Job(request, continuation)
        try state.withLock { s in
            guard !s.stopped else { throw CancellationError() }
            // One sequence runs and `maxQueue` wait; a request that finds the engine idle runs at once.
            let waiting = s.queue.count + (s.running == nil ? 0 : 1) - 1
            guard waiting < maxQueue else {
                throw EngineOverloadError(queued: max(0, waiting), limit: maxQueue, retryAfterSeconds: 1)
            }
            s.queue.append(job)
        }
        continuation.onTermination = { [weak self] termination in
            guard case .cancelled = termination else { return }
            job.cancelled.store(true, ordering: .relaxed)
            self?.state.withLock { s in s.queue.removeAll { $0 === job } }
        }
        wakeUp.signal()
        return stream
    }

    func status() -> EngineStatus {
        state.withLock { s in
            EngineStatus(queued: s.queue.count, running: s.running == nil ? 0 : 1, kvBytesInUse: s.runningKVBytes,
                         kvBytesBudget: kvBudgetBytes, stepsByBatchSize: s.decodeSteps > 0 ? [1: s.decodeSteps] : [:])
        }
    }

    private func kvBytes(for request: EngineRequest) -> Int {
        min(zoo.model.contextLength, request.prompt.count + request.maxTokens) * kvBytesPerToken
    }

    // MARK: - Worker

    private func work() {
        while true {
            wakeUp.wait()
            let next = state.withLock { s -> (job: Job?, stopped: Bool) in
                guard !s.stopped, !s.queue.isEmpty else { return (nil, s.stopped) }
                let job = s.queue.removeFirst()
                s.running = job
                s.runningKVBytes = kvBytes(for: job.request)
                return (job, false)
            }
            if next.stopped { return }
            guard let job = next.job else { continue }
            let failure = run(job)
            // The slot is free before the stream ends, so whoever sees the end sees it free.
            state.withLock { s in
                s.running = nil
                s.runningKVBytes = 0
            }
            if let failure { job.continuation.finish(throwing: failure) } else { job.continuation.finish() }
        }
    }

    /// Runs every sample of `job`, yielding its events; returns why it failed, if it did.
    private func run(_ job: Job) -> (any Error)? {
        let request = job.request
        let cancelled = { job.cancelled.load(ordering: .relaxed) }
        do {
            var loop = zoo.decodeLoop
            loop.includeSpecialTokens = request.includeSpecialTokens
            let plan = PromptPlan(tokens: request.prompt, stopTokenIDs: request.stopTokenIDs, stopStrings: request.stopStrings)
            // Rounded up, so the next request (the next turn of a chat) still fits in the kept cache.
            let capacity = min(zoo.model.contextLength, (request.prompt.count + request.maxTokens + 511) / 512 * 512)
            let cache = retained.flatMap { $0.storage.capacity >= capacity ? $0 : nil } ?? PromptCache(model: zoo.model, capacity: capacity)
            retained = nil
            var cachedPromptTokens = 0
            for index in 0..<max(1, request.samples) where !cancelled() {
                let chain = try zoo.manifest.samplerChain(request.sampler, components: zoo.components)
                let record = LogprobRecord()
                let sampler: any TokenSampler = request.topLogprobs.map { LogprobSampler(chain: chain, top: $0, record: record) } ?? chain
                var pending: TokenStep?
                var generated = 0
                func flush() {
                    if let step = pending { job.continuation.yield(.token(sample: index, step)) }
                    pending = nil
                }
                // A token's text is final once DecodeLoop consults shouldStop after it, unless it is
                // the last one: the held-back tail arrives after generation ends.
                func isLast(_ id: Int) -> Bool {
                    request.stopTokenIDs.contains(id) || generated == request.maxTokens || cache.isFull
                }
                let (sample, reused) = try loop.run(
                    plan, sampler: sampler, limits: DecodeLoop.Limits(maxTokens: request.maxTokens, seed: request.seed &+ UInt64(index)),
                    cache: cache, prefillChunk: 256,
                    shouldStop: {
                        if let step = pending, !isLast(step.id) { flush() }
                        return cancelled()
                    },
                    onToken: { id in
                        flush()
                        generated += 1
                        pending = TokenStep(id: id, text: "", logprob: request.topLogprobs == nil ? nil : record.logprob,
                                            topLogprobs: record.top)
                        state.withLock { $0.decodeSteps += 1 }
                    },
                    onText: { text in pending?.text += text })
                flush()
                if index == 0 { cachedPromptTokens = reused }
                if cancelled() { break }
                job.continuation.yield(.finished(sample: index, SampleSummary(
                    tokens: sample.tokens, text: sample.text, finishReason: sample.finishReason,
                    cachedPromptTokens: cachedPromptTokens)))
            }
            retained = cache
            return nil
        } catch {
            retained = nil
            return cancelled() ? CancellationError() : error
        }
    }
}

/// The log-probabilities of the last sampled id, written by ``LogprobSampler``.
private final class LogprobRecord {
    var logprob: Float?
    var top: [TokenLogprob] = []
}

/// Wraps a chain to record ln p(id) under the model's own distribution: the softmax of the raw
/// row (padding rows already masked), before any stage rescored it.
private struct LogprobSampler: TokenSampler {
    var chain: SamplerChain
    let top: Int
    let record: LogprobRecord

    mutating func reset() { chain.reset() }

    mutating func next(logits: inout [Float], context: inout SamplingContext) throws -> Int {
        let raw = logits  // the chain swaps or rescores `logits`; this keeps the model's row
        var largest = -Float.infinity
        for value in raw where value > largest { largest = value }
        var sum = 0.0
        for value in raw where value > -.infinity { sum += exp(Double(value - largest)) }
        let logNormalizer = Double(largest) + log(sum)
        var best: [(id: Int, logit: Float)] = []
        if top > 0 {
            for (id, value) in raw.enumerated() where best.count < top || value > best[best.count - 1].logit {
                let position = best.firstIndex { value > $0.logit } ?? best.count
                best.insert((id, value), at: position)
                if best.count > top { best.removeLast() }
            }
        }
        let id = try chain.next(logits: &logits, context: &context)
        record.logprob = Float(Double(raw[id]) - logNormalizer)
        record.top = best.map { TokenLogprob(id: $0.id, logprob: Float(Double($0.logit) - logNormalizer)) }
        return id
    }
}
