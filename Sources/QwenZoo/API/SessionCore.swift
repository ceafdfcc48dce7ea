import Dispatch
import Logging
import Synchronization
import ZooCore

/// Set once, from any thread, when a request's consumer goes away.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// A first-in, first-out lock for async code: one request holds a session at a time, the others
/// wait their turn (and stop waiting if their task is cancelled).
final class AsyncGate: Sendable {
    private struct State {
        var busy = false
        var nextTicket = 0
        var waiters: [(ticket: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }
    private let state = Mutex(State())

    func acquire() async throws {
        let ticket = state.withLock { s -> Int in
            s.nextTicket += 1
            return s.nextTicket
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool? = state.withLock { s in
                    if Task.isCancelled { return nil }
                    if !s.busy {
                        s.busy = true
                        return true
                    }
                    s.waiters.append((ticket, continuation))
                    return false
                }
                switch resumeNow {
                case nil: continuation.resume(throwing: CancellationError())
                case true?: continuation.resume()
                case false?: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if s.waiters.isEmpty {
                s.busy = false
                return nil
            }
            return s.waiters.removeFirst().continuation  // the gate passes straight to the next
        }
        next?.resume()
    }

    var isBusy: Bool { state.withLock { $0.busy } }
}

/// What a ``Session`` and a ``ChatSession`` share: the model, the prompt cache and the gate that
/// lets one request at a time use the cache.
///
/// `@unchecked Sendable`: the prompt cache is only touched by the request that holds `gate`, on
/// one worker thread at a time.
final class SessionCore: @unchecked Sendable {
    let model: ZooModel
    let cache: PromptCache
    let gate = AsyncGate()
    /// Prompts longer than this prefill in chunks, so that cancellation is seen between chunks.
    static let prefillChunk = 256

    init(model: ZooModel) {
        self.model = model
        cache = PromptCache(model: model.model)
    }

    /// Runs `body` with the session held, on a worker thread outside Swift's cooperative pool
    /// (a request computes for seconds without suspending).
    func withSession<T: Sendable>(_ body: @escaping @Sendable (PromptCache) throws -> T) async throws -> T {
        try await gate.acquire()
        defer { gate.release() }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body(self.cache) })
            }
        }
    }

    /// A stream of one request's events. `prepare` renders the request and its options once the session is free
    /// (a chat turn needs the previous reply) and may add warnings; `finish` records the response before `.done` is sent.
    func stream(
        prepare: @escaping @Sendable () async throws -> (VariantRequest, GenerationOptions, [String]),
        finish: @escaping @Sendable (VariantRequest, Response) async -> Void = { _, _ in }
    ) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self)
        let stop = StopFlag()
        let task = Task {
            do {
                try await gate.acquire()
                defer { gate.release() }
                try Task.checkCancellation()
                let (request, options, notes) = try await prepare()
                let response = try await withCheckedThrowingContinuation { (result: CheckedContinuation<Response, any Error>) in
                    DispatchQueue.global(qos: .userInitiated).async {
                        result.resume(with: Result {
                            try self.run(request, options: options, notes: notes, stop: stop) { continuation.yield($0) }
                        })
                    }
                }
                await finish(request, response)
                continuation.yield(.done(response))
                continuation.finish()
            } catch {
                if stop.isSet { ZooLog.logger.debug("request cancelled; the session is free") }
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination {
                stop.set()
                task.cancel()
            }
        }
        return stream
    }

    /// Generates the response to `request` in the session's cache; throws `CancellationError`
    /// as soon as `stop` is set (checked before every forward pass).
    func run(_ request: VariantRequest, options: GenerationOptions, notes: [String] = [], stop: StopFlag,
             emit: (GenerationEvent) -> Void) throws -> Response {
        let clock = ContinuousClock()
        let started = clock.now
        let zoo = model
        let prepared = try zoo.prepare(request, options: options, capacity: cache.storage.capacity)
        var loop = zoo.decodeLoop
        loop.includeSpecialTokens = options.includeSpecialTokens

        var samples: [GeneratedSample] = []
        var cachedPrompt = 0
        var firstTokenAt: ContinuousClock.Instant?
        var firstSampleEnd = started
        for index in 0..<prepared.samples {
            let streaming = index == 0
            let (sample, cached) = try loop.run(
                prepared.plan, sampler: prepared.chain, limits: prepared.limits(forSample: index), cache: cache,
                prefillChunk: Self.prefillChunk, shouldStop: { stop.isSet },
                onToken: { id in
                    if firstTokenAt == nil { firstTokenAt = clock.now }
                    if streaming, options.includeTokenIDs { emit(.token(id)) }
                },
                onText: { text in if streaming { emit(.text(text)) } })
            if stop.isSet { throw CancellationError() }
            samples.append(sample)
            if streaming {
                cachedPrompt = cached
                firstSampleEnd = clock.now
            }
        }
        let end = clock.now
        let outputs = samples.map { zoo.variant.interpret($0.text, for: request) }
        let firstAt = firstTokenAt ?? end
        let decodeSeconds = Self.seconds(firstSampleEnd - firstAt)
        let decoded = max(0, samples[0].tokens.count - 1)
        let timing = GenerationTiming(
            timeToFirstToken: firstAt - started, total: end - started,
            tokensPerSecond: decoded > 0 && decodeSeconds > 0 ? Double(decoded) / decodeSeconds : 0)
        let usage = TokenUsage(
            promptTokens: prepared.plan.tokens.count, cachedPromptTokens: cachedPrompt,
            generatedTokens: samples.reduce(0) { $0 + $1.tokens.count })
        ZooLog.logger.debug(
            "request done",
            metadata: [
                "prompt": "\(usage.promptTokens)", "cached": "\(usage.cachedPromptTokens)",
                "generated": "\(usage.generatedTokens)", "ttft": "\(timing.timeToFirstToken)",
            ])
        var response = Response(
            text: samples[0].text, output: zoo.variant.aggregate(outputs), samples: samples,
            promptTokens: prepared.plan.tokens, usage: usage, timing: timing, warnings: notes + prepared.warnings)
        response.readToolCalls(for: request, variant: zoo.variant)
        return response
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
