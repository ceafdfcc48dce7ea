import ZooAttention
import ZooCore

/// The scheduler's own thread: admits waiting requests, then runs steps until the batch is empty.
///
/// Each step is one forward pass over every running sequence: the next id of each decoding sample
/// (one row each) and chunks of the prompts being prefilled, at most `prefillChunk` prompt ids per
/// step beside decoding streams (so a long prompt never stalls them for long), `idlePrefillChunk` when
/// none is decoding. Everything here is touched by
/// this thread only; the ``RequestQueue`` is the one thing it shares.
final class StepLoop: @unchecked Sendable {
    private let model: any LanguageModel
    private let tokenizer: (any Tokenizer)?
    private let configuration: SchedulerConfiguration
    private let budget: KVBudget
    private let queue: RequestQueue
    private var running: [RunningRequest] = []
    private var prefixCache: PrefixCache
    private var metrics = SchedulerMetrics()
    /// Requests whose last sample ended this step: their streams end once the status shows it.
    private var completed: [RunningRequest] = []
    private let firstUnusableID: Int?

    init(model: any LanguageModel, tokenizer: (any Tokenizer)?, configuration: SchedulerConfiguration,
         budget: KVBudget, queue: RequestQueue) {
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        self.budget = budget
        self.queue = queue
        prefixCache = PrefixCache(maxEntries: configuration.prefixCacheEntries)
        let vocabulary = tokenizer?.count ?? model.vocabularySize
        firstUnusableID = configuration.masksPaddingRows && vocabulary < model.vocabularySize ? vocabulary : nil
    }

    /// Runs until the scheduler shuts down, then ends every stream it still holds.
    func run() {
        while let cancelled = queue.waitForWork(hasRunning: !running.isEmpty) {
            drop(cancelled)
            queue.admit(start)
            publish()
            if !running.isEmpty { step() }
            running.removeAll { $0.isFinished }
            publish()
            for r in completed { r.events.finish() }
            completed = []
        }
        for r in running { fail(r, CancellationError()) }
        for p in queue.drain() {
            p.callerCache?.release()
            p.events.finish(throwing: CancellationError())
        }
        running = []
    }

    private var runningSamples: Int {
        running.reduce(0) { total, r in total + r.samples.filter { if case .finished = $0.phase { false } else { true } }.count }
    }

    private var reservedBytes: Int { running.reduce(0) { $0 + $1.reservedBytes } }

    private func publish() {
        queue.publish(running: runningSamples, kvBytesInUse: reservedBytes + prefixCache.bytes,
                      stepsByBatchSize: metrics.stepsByBatchSize)
    }

    // MARK: Admission

    /// Starts `pending` if the batch has room for its samples and the budget for their caches
    /// (evicting prefix-cache entries as needed); an empty batch takes any request.
    private func start(_ pending: RequestQueue.Pending) -> Bool {
        let request = pending.request
        let need = budget.reservation(for: request, contextLength: model.contextLength)
            - (pending.callerCache == nil ? 0 : request.cacheCapacity(contextLength: model.contextLength) * budget.bytesPerToken)
        guard running.isEmpty || runningSamples + request.samples <= configuration.parallel else { return false }
        while !budget.fits(need, inUse: reservedBytes + prefixCache.bytes), prefixCache.evictLeastRecentlyUsed() {}
        guard running.isEmpty || budget.fits(need, inUse: reservedBytes + prefixCache.bytes) else { return false }

        let r = RunningRequest(id: pending.id, request: request, events: pending.events)
        let capacity = request.cacheCapacity(contextLength: model.contextLength)
        for (i, sampler) in pending.samplers.enumerated() {
            let cache = model.makeCache(capacity: capacity)
            let stepper = SampleStepper(
                prompt: request.prompt, sampler: sampler, seed: request.seed &+ UInt64(i), maxTokens: request.maxTokens,
                stopTokenIDs: request.stopTokenIDs, stopStrings: request.stopStrings, topLogprobs: request.topLogprobs,
                tokenizer: tokenizer, includeSpecialTokens: request.includeSpecialTokens, firstUnusableID: firstUnusableID)
            // Samples after the first copy its prompt rows when the cache allows, else prefill their own.
            let phase: RunningSample.Phase = i > 0 && cache is DenseKVCache ? .waitingForSharedPrefill : .prefilling(done: 0)
            r.samples.append(RunningSample(index: i, cache: cache, stepper: stepper, phase: phase,
                                           reservedBytes: capacity * budget.bytesPerToken))
        }
        if let caller = pending.callerCache, let leader = r.samples.first {
            // Sample 0 continues in the caller's cache, after the prompt ids it already holds.
            r.samples[0] = RunningSample(index: 0, cache: caller.cache, stepper: leader.stepper,
                                         phase: .prefilling(done: caller.cache.count), reservedBytes: 0)
            r.samples[0].giveBack = caller.release
            r.cachedPromptTokens = caller.cache.count
        } else if let leader = r.samples.first, let dense = leader.cache as? DenseKVCache {
            r.cachedPromptTokens = prefixCache.restore(request.prompt, into: dense)
            leader.phase = .prefilling(done: r.cachedPromptTokens)
        }
        if request.maxTokens == 0 {
            for s in r.samples { finish(r, s, reason: .length) }
            completed.append(r)
            return true
        }
        running.append(r)
        return true
    }

    /// Ends the requests whose consumers went away: their samples leave the batch, their memory is freed.
    private func drop(_ cancelled: Set<Int>) {
        guard !cancelled.isEmpty else { return }
        for r in running where cancelled.contains(r.id) {
            for s in r.samples { release(s) }
            r.events.finish()
        }
        running.removeAll { $0.isFinished }
    }

    // MARK: One step

    private enum Work {
        case decode
        case prefill(end: Int)
    }

    private func step() {
        var entries: [BatchEntry] = []
        var owners: [(request: RunningRequest, sample: RunningSample, work: Work)] = []
        for r in running {
            for s in r.samples {
                guard case .decoding(let next) = s.phase, let cache = s.cache else { continue }
                entries.append(BatchEntry(tokens: [next], cache: cache, logits: .last))
                owners.append((r, s, .decode))
            }
        }
        // Prompt tokens stall every stream decoding in this step; with none decoding, nothing waits.
        let stepBudget = entries.isEmpty ? configuration.idlePrefillChunk : configuration.prefillChunk
        var prefillBudget = stepBudget
        for r in running {
            let prompt = r.request.prompt
            for s in r.samples where prefillBudget > 0 {
                guard case .prefilling(let done) = s.phase, let cache = s.cache else { continue }
                // Qwen v1's dynamic NTK fixes its RoPE from the first call's length: its prompt runs whole.
                let chunked = cache is DenseKVCache
                if !chunked, prefillBudget < stepBudget { continue }
                let end = chunked ? min(prompt.count, done + prefillBudget) : prompt.count
                entries.append(BatchEntry(tokens: Array(prompt[done..<end]), cache: cache,
                                          logits: end == prompt.count ? .last : nil))
                owners.append((r, s, .prefill(end: end)))
                prefillBudget -= end - done
            }
        }
        guard !entries.isEmpty else { return }
        metrics.recordStep(sequences: entries.count)

        let results: [Logits?]
        do {
            results = try forward(entries)
        } catch {
            var failed: [RunningRequest] = []
            for o in owners where !failed.contains(where: { $0 === o.request }) { failed.append(o.request) }
            for r in failed { fail(r, error) }
            return
        }
        for (i, owner) in owners.enumerated() {
            let (r, s) = (owner.request, owner.sample)
            guard s.cache != nil else { continue }  // its request failed earlier in this loop
            switch owner.work {
            case .decode:
                advance(r, s, logits: results[i]!)
            case .prefill(let end) where end < r.request.prompt.count:
                s.phase = .prefilling(done: end)
            case .prefill:
                let logits = results[i]!
                let followers = s.index == 0 ? r.samples.filter { if case .waitingForSharedPrefill = $0.phase { true } else { false } } : []
                if let leader = s.cache as? DenseKVCache {
                    for f in followers { (f.cache as? DenseKVCache)?.copyPrefix(of: leader, length: r.request.prompt.count) }
                }
                for sample in [s] + followers where sample.cache != nil { advance(r, sample, logits: logits) }
            }
        }
    }

    /// The batch as one forward pass, or one call per sequence for a model that cannot batch.
    private func forward(_ entries: [BatchEntry]) throws -> [Logits?] {
        if let batched = model as? any BatchedLanguageModel { return try batched.forward(batch: entries) }
        return try entries.map { e in
            let logits = try model.forward(e.tokens, cache: e.cache, logits: e.logits ?? .last)
            return e.logits == nil ? nil : logits
        }
    }

    /// Samples `s`'s next id from `logits` and streams it; the sample ends when the stepper says so.
    private func advance(_ r: RunningRequest, _ s: RunningSample, logits: Logits) {
        guard let cache = s.cache else { return }
        do {
            let step = try s.stepper.step(logits: logits.last, roomForAnother: cache.count < cache.capacity)
            r.events.yield(.token(sample: s.index, step.token))
            if let reason = step.finishReason {
                finish(r, s, reason: reason)
                if r.isFinished { completed.append(r) }
            } else {
                s.phase = .decoding(next: step.token.id)
            }
        } catch {
            fail(r, error)
        }
    }

    // MARK: Ending samples

    /// Reports `s`'s end, keeps its rows for later prompts (sample 0's) and frees its cache.
    private func finish(_ r: RunningRequest, _ s: RunningSample, reason: FinishReason) {
        let stepper = s.stepper
        r.events.yield(.finished(sample: s.index, SampleSummary(
            tokens: stepper.tokens, text: stepper.text, finishReason: reason, cachedPromptTokens: r.cachedPromptTokens)))
        let leaderCache = s.index == 0 ? s.cache as? DenseKVCache : nil
        release(s)
        if let leaderCache, leaderCache.count > 0 {
            let sequence = Array((r.request.prompt + stepper.tokens).prefix(leaderCache.count))
            prefixCache.insert(tokens: sequence, from: leaderCache, makeCache: { self.model.makeCache(capacity: $0) })
            while !budget.fits(0, inUse: reservedBytes + prefixCache.bytes), prefixCache.evictLeastRecentlyUsed() {}
        }
    }

    private func release(_ s: RunningSample) {
        s.cache = nil
        s.phase = .finished
        s.giveBack?()
        s.giveBack = nil
    }

    /// Ends every sample of `r` with `error`.
    private func fail(_ r: RunningRequest, _ error: any Error) {
        for s in r.samples { release(s) }
        r.events.finish(throwing: error)
    }
}
