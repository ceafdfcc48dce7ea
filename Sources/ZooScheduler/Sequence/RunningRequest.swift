import ZooAttention
import ZooCore

/// One sample of a running request: its own cache, sampler and text state.
final class RunningSample {
    /// Where the sample is: prefilling its prompt, waiting for the shared prefill, or decoding.
    enum Phase {
        /// `done` prompt tokens are in the cache.
        case prefilling(done: Int)
        /// Waits for sample 0's prefill, whose rows it copies.
        case waitingForSharedPrefill
        /// `next` was sampled and runs in the next step.
        case decoding(next: Int)
        case finished
    }

    let index: Int
    /// `nil` once the sample has finished (its memory is freed).
    var cache: (any KVCache)?
    var stepper: SampleStepper
    var phase: Phase
    /// The bytes of KV budget this sample holds (none for a caller's cache).
    let reservedBytes: Int
    /// Gives a caller's cache back; `nil` for the scheduler's own.
    var giveBack: (@Sendable () -> Void)?

    init(index: Int, cache: any KVCache, stepper: SampleStepper, phase: Phase, reservedBytes: Int) {
        self.index = index
        self.cache = cache
        self.stepper = stepper
        self.phase = phase
        self.reservedBytes = reservedBytes
    }
}

/// A request in the running batch: its samples and the stream their events go to.
final class RunningRequest {
    let id: Int
    let request: EngineRequest
    let events: AsyncThrowingStream<EngineEvent, any Error>.Continuation
    var samples: [RunningSample] = []
    /// Prompt ids whose rows came from the prefix cache.
    var cachedPromptTokens = 0

    init(id: Int, request: EngineRequest, events: AsyncThrowingStream<EngineEvent, any Error>.Continuation) {
        self.id = id
        self.request = request
        self.events = events
    }

    var isFinished: Bool { samples.allSatisfy { if case .finished = $0.phase { true } else { false } } }

    /// Bytes of KV budget its unfinished samples hold.
    var reservedBytes: Int {
        samples.reduce(0) { total, s in if case .finished = s.phase { total } else { total + s.reservedBytes } }
    }
}
