import ZooCore
import ZooSamplers

/// Something that turns rendered prompts into generated tokens: the in-process batching
/// scheduler, or (later) a remote OpenAI-compatible server.
///
/// Variants, the server and the sessions render prompts and read outputs; an engine only runs
/// sequences. Every engine honours the same request and reports the same events, so a front end
/// never knows which one it drives.
///
/// Cancelling the task that iterates a stream, or dropping the stream, ends its sequences: they
/// leave the batch before the next step and their memory is freed.
public protocol GenerationEngine: AnyObject, Sendable {
    /// Queues `request` and streams its samples' events.
    ///
    /// - Throws: ``EngineOverloadError`` when the queue is full (nothing was queued), or an error
    ///   naming the field when the request cannot run (e.g. a prompt longer than the context).
    func submit(_ request: EngineRequest) throws -> AsyncThrowingStream<EngineEvent, any Error>

    /// What the engine is doing now, for `/metrics` and admission decisions.
    func status() -> EngineStatus
}

/// One request, already rendered to ids and resolved against the manifest.
public struct EngineRequest: Sendable, Equatable {
    /// The whole prompt.
    public var prompt: [Int]
    /// The sampler chain, stage by stage; the engine builds one chain per sample.
    public var sampler: [SamplerStageSpec]
    /// Seeds sample 0; sample `i` uses `seed &+ i`, as self-consistency votes do.
    public var seed: UInt64
    /// The most ids each sample may generate.
    public var maxTokens: Int
    /// Ids that end a sample (the id is part of its tokens, not of its text).
    public var stopTokenIDs: Set<Int>
    /// Strings that end a sample; the text is cut before the stop string.
    public var stopStrings: [String]
    /// Samples to draw after one shared prefill (OpenAI's `n`).
    public var samples: Int
    /// `nil`: no log-probabilities; `0`: the chosen id's only; `k`: also the `k` most likely ids.
    public var topLogprobs: Int?
    /// Shows special tokens in the text instead of hiding them.
    public var includeSpecialTokens: Bool

    /// A request for `samples` samples of at most `maxTokens` ids after `prompt`.
    public init(prompt: [Int], sampler: [SamplerStageSpec], seed: UInt64, maxTokens: Int,
                stopTokenIDs: Set<Int>, stopStrings: [String] = [], samples: Int = 1,
                topLogprobs: Int? = nil, includeSpecialTokens: Bool = false) {
        self.prompt = prompt
        self.sampler = sampler
        self.seed = seed
        self.maxTokens = maxTokens
        self.stopTokenIDs = stopTokenIDs
        self.stopStrings = stopStrings
        self.samples = samples
        self.topLogprobs = topLogprobs
        self.includeSpecialTokens = includeSpecialTokens
    }
}

/// One event of a request's stream. Each sample's ``token(sample:_:)`` events come in order,
/// then exactly one ``finished(sample:_:)``; the stream ends after every sample has finished.
public enum EngineEvent: Sendable, Equatable {
    /// Sample `sample` generated one id.
    case token(sample: Int, TokenStep)
    /// Sample `sample` ended.
    case finished(sample: Int, SampleSummary)
}

/// One generated id and the text it released.
public struct TokenStep: Sendable, Equatable {
    /// The id, stop ids included.
    public var id: Int
    /// Text that became final with this id: empty while a UTF-8 character is incomplete or while
    /// the text could still become a stop string; never part of a stop string or a stop id.
    public var text: String
    /// ln p(id) under the model's distribution (softmax of the raw logits), when asked for.
    public var logprob: Float?
    /// The most likely ids and their log-probabilities, most likely first, when asked for.
    public var topLogprobs: [TokenLogprob]

    /// A step as an engine reports it.
    public init(id: Int, text: String, logprob: Float? = nil, topLogprobs: [TokenLogprob] = []) {
        self.id = id
        self.text = text
        self.logprob = logprob
        self.topLogprobs = topLogprobs
    }
}

/// A token id with its log-probability.
public struct TokenLogprob: Sendable, Equatable {
    public var id: Int
    public var logprob: Float
    public init(id: Int, logprob: Float) {
        self.id = id
        self.logprob = logprob
    }
}

/// How one sample ended.
public struct SampleSummary: Sendable, Equatable {
    /// Every generated id, a final stop id included.
    public var tokens: [Int]
    /// The whole text (stop ids and stop strings removed).
    public var text: String
    /// Why the sample ended.
    public var finishReason: FinishReason
    /// Prompt ids whose keys and values came from a cache instead of a forward pass.
    public var cachedPromptTokens: Int

    public init(tokens: [Int], text: String, finishReason: FinishReason, cachedPromptTokens: Int) {
        self.tokens = tokens
        self.text = text
        self.finishReason = finishReason
        self.cachedPromptTokens = cachedPromptTokens
    }
}

/// A snapshot of an engine's load.
public struct EngineStatus: Sendable, Equatable {
    /// Requests waiting for admission.
    public var queued: Int
    /// Sequences in the running batch.
    public var running: Int
    /// Bytes of KV cache held by running sequences and the prefix cache.
    public var kvBytesInUse: Int
    /// The KV memory budget (0: unbounded).
    public var kvBytesBudget: Int
    /// How many decode steps ran with each batch size, since the engine started.
    public var stepsByBatchSize: [Int: Int]

    public init(queued: Int = 0, running: Int = 0, kvBytesInUse: Int = 0, kvBytesBudget: Int = 0,
                stepsByBatchSize: [Int: Int] = [:]) {
        self.queued = queued
        self.running = running
        self.kvBytesInUse = kvBytesInUse
        self.kvBytesBudget = kvBytesBudget
        self.stepsByBatchSize = stepsByBatchSize
    }
}

/// The queue is full; the caller should retry later (HTTP 429/503 with `Retry-After`).
public struct EngineOverloadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Requests already waiting.
    public let queued: Int
    /// The most that may wait.
    public let limit: Int
    /// A suggested wait before retrying, in seconds.
    public let retryAfterSeconds: Int

    public init(queued: Int, limit: Int, retryAfterSeconds: Int) {
        self.queued = queued
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        "the server is busy: \(queued) requests are waiting (the limit is \(limit)); retry in \(retryAfterSeconds) s"
    }
}
