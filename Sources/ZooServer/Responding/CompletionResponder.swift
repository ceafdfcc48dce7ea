import Foundation
import Hummingbird
import QwenZoo

/// Runs one served request on its model's engine and answers it: a whole JSON response, or
/// Server-Sent Events (``SSEStream``) when the request streams. Records usage and latencies.
struct CompletionResponder: Sendable {
    let request: ServedRequest
    let formatter: ResponseFormatter
    let metrics: ServerMetrics
    /// When the request arrived (time to first token counts from here).
    let arrival: ContinuousClock.Instant

    init(_ request: ServedRequest, style: ResponseFormatter.Style, metrics: ServerMetrics, arrival: ContinuousClock.Instant) {
        self.request = request
        formatter = ResponseFormatter(style: style, model: request.model.name, tokenizer: request.model.zoo.tokenizer,
                                      logprobs: request.engine.topLogprobs != nil, tokenIDs: request.returnTokenIDs)
        self.metrics = metrics
        self.arrival = arrival
    }

    /// Submits the request (a full queue throws ``EngineOverloadError``: 429) and answers: a
    /// stream at once, a whole response when every choice has ended (so its status is the truth).
    func respond() async throws -> Response {
        let events = try request.model.engine.submit(request.engine)
        if request.stream {
            return Response(status: .ok, headers: SSEStream.headers, body: SSEStream(responder: self).body(events))
        }
        let choices = try await collect(events)
        return JSONCoding.response(formatter.full(choices, usage: usage(choices),
                                                  receipts: choices.indices.map { receipt(choices[$0], sample: $0) },
                                                  replies: choices.map { choice in request.toolReader.map { $0.read(choice.text) } }))
    }

    /// Every choice, run to its end.
    func collect(_ events: AsyncThrowingStream<EngineEvent, any Error>) async throws -> [ChoiceState] {
        var choices = Array(repeating: ChoiceState(), count: request.engine.samples)
        var timing = TokenTiming(arrival: arrival, samples: request.engine.samples)
        for try await event in events {
            switch event {
            case .token(let sample, let step):
                timing.observe(sample: sample, metrics: metrics)
                choices[sample].text += step.text
                choices[sample].steps.append(step)
            case .finished(let sample, let summary):
                choices[sample].summary = summary
                choices[sample].text = summary.text
            }
        }
        recordUsage(choices)
        return choices
    }

    /// Counts the request's tokens in the metrics (what ran, even when the client left).
    func recordUsage(_ choices: [ChoiceState]) {
        metrics.recordUsage(prompt: request.engine.prompt.count, generated: choices.reduce(0) { $0 + $1.steps.count },
                            cached: choices.first?.summary?.cachedPromptTokens ?? 0)
    }

    /// `usage`: the prompt once (the samples share its prefill), every generated id.
    func usage(_ choices: [ChoiceState]) -> Usage {
        Usage(promptTokens: request.engine.prompt.count,
              completionTokens: choices.reduce(0) { $0 + ($1.summary?.tokens.count ?? $1.steps.count) },
              cachedTokens: choices.first?.summary?.cachedPromptTokens ?? 0)
    }

    /// The receipt of sample `index` when the request asked for receipts.
    func receipt(_ choice: ChoiceState, sample index: Int) -> Receipt? {
        guard request.wantsReceipt, let summary = choice.summary else { return nil }
        let model = request.model
        return Receipt(manifest: model.reference, overrides: model.overrides, resolved: model.resolved,
                       tokenizer: model.zoo.tokenizer, seed: request.engine.seed &+ UInt64(index), chain: request.engine.sampler,
                       plan: request.plan, maxTokens: request.engine.maxTokens, outputIDs: summary.tokens)
    }
}

/// Time to first token and inter-token latency, per sample.
struct TokenTiming {
    let arrival: ContinuousClock.Instant
    var last: [ContinuousClock.Instant?]
    var sawFirst = false

    init(arrival: ContinuousClock.Instant, samples: Int) {
        self.arrival = arrival
        last = Array(repeating: nil, count: samples)
    }

    mutating func observe(sample: Int, metrics: ServerMetrics) {
        let now = ContinuousClock.now
        if !sawFirst {
            sawFirst = true
            metrics.recordFirstToken(after: Self.seconds(now - arrival))
        }
        if let previous = last[sample] { metrics.recordInterToken(Self.seconds(now - previous)) }
        last[sample] = now
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
