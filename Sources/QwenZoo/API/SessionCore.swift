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

/// Said once, from the scheduler's thread, when it lets go of a session's cache.
final class CacheReturn: Sendable {
    private let state = Mutex<(returned: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.returned = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Returns once ``signal()`` has been called.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.returned { return true }
                s.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
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
    let model: LoadedModel
    let cache: PromptCache
    let gate = AsyncGate()

    init(model: LoadedModel) {
        self.model = model
        cache = PromptCache(model: model.model)
    }

    /// Throws ``RemoteOnlyError`` when the model runs on a remote engine, whose keys and values are
    /// not here to save or restore.
    func requireLocalCache() throws {
        if let remote = model.remote {
            throw RemoteOnlyError(name: model.manifest.name, url: remote.engine.endpoint.base, needs: "a saved prompt cache")
        }
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
                let response = try await self.run(request, options: options, notes: notes) { continuation.yield($0) }
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

    /// Generates the response to `request` in the session's cache, through the model's scheduler
    /// (batched with every other request on the model), or on the manifest's remote engine; throws
    /// `CancellationError` when the task is cancelled, once the scheduler has let go of the cache
    /// (a remote engine's HTTP stream is closed then).
    func run(_ request: VariantRequest, options: GenerationOptions, notes: [String] = [],
             emit: (GenerationEvent) -> Void) async throws -> Response {
        let clock = ContinuousClock()
        let started = clock.now
        let zoo = model
        let prepared = try zoo.prepare(request, options: options, capacity: zoo.remote == nil ? cache.storage.capacity : nil)
        let plan = prepared.plan
        guard !plan.tokens.isEmpty else { throw EmptyPromptError() }
        let engineRequest = EngineRequest(
            prompt: plan.tokens, sampler: prepared.stages, seed: prepared.limits.seed,
            maxTokens: prepared.limits.maxTokens, stopTokenIDs: plan.stopTokenIDs, stopStrings: plan.stopStrings,
            samples: prepared.samples, includeSpecialTokens: options.includeSpecialTokens)
        let returned = CacheReturn()
        let reused: Int
        let events: AsyncThrowingStream<EngineEvent, any Error>
        if let remote = zoo.remote {
            // The remote keeps its own prefix cache; nothing here holds keys and values.
            reused = 0
            events = try remote.engine.submit(engineRequest)
            returned.signal()
        } else {
            reused = cache.keepReusablePrefix(of: plan.tokens)
            events = try zoo.scheduler.submit(engineRequest, continuing: cache.storage, release: { returned.signal() })
        }

        var summaries = [SampleSummary?](repeating: nil, count: prepared.samples)
        var firstTokenAt: ContinuousClock.Instant?
        var firstSampleEnd = started
        do {
            for try await event in events {
                switch event {
                case .token(let sample, let step):
                    if firstTokenAt == nil { firstTokenAt = clock.now }
                    guard sample == 0 else { continue }
                    if options.includeTokenIDs { emit(.token(step.id)) }
                    if !step.text.isEmpty { emit(.text(step.text)) }
                case .finished(let sample, let summary):
                    summaries[sample] = summary
                    if sample == 0 { firstSampleEnd = clock.now }
                }
            }
        } catch {
            await returned.wait()
            cache.adopt(plan.tokens)
            throw error
        }
        await returned.wait()
        // The cache holds sample 0's sequence (less its last id), or, cancelled, at most the prompt.
        guard let first = summaries[0], summaries.allSatisfy({ $0 != nil }) else {
            cache.adopt(plan.tokens)
            throw CancellationError()
        }
        cache.adopt(plan.tokens + first.tokens)
        let samples = summaries.compactMap { $0 }.map {
            GeneratedSample(text: $0.text, tokens: $0.tokens, finishReason: $0.finishReason)
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
            promptTokens: plan.tokens.count, cachedPromptTokens: reused,
            generatedTokens: samples.reduce(0) { $0 + $1.tokens.count })
        ZooLog.logger.debug(
            "request done",
            metadata: [
                "prompt": "\(usage.promptTokens)", "cached": "\(usage.cachedPromptTokens)",
                "generated": "\(usage.generatedTokens)", "ttft": "\(timing.timeToFirstToken)",
            ])
        var response = Response(
            text: samples[0].text, output: zoo.variant.aggregate(outputs), samples: samples,
            promptTokens: plan.tokens, usage: usage, timing: timing,
            warnings: notes + prepared.warnings + (zoo.remote?.drainNotices() ?? []))
        response.readToolCalls(for: request, variant: zoo.variant)
        return response
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
