import Foundation
import Hummingbird
import QwenZoo

/// A streamed answer as Server-Sent Events in OpenAI's chunk format: `data: {chunk}\n\n` per
/// chunk, `data: [DONE]\n\n` last.
///
/// - Text comes as the engine releases it, which is never part of a UTF-8 character and never
///   text that could still become a stop string.
/// - A chat choice's first chunk carries `role: assistant`; its last carries `finish_reason` (and
///   the receipt, when asked for).
/// - With `stream_options.include_usage` every chunk has `usage: null` and a last chunk with no
///   choices carries the usage.
/// - A failure after the stream started is sent as a `data: {"error": …}` event.
/// - When the client goes away, the next write fails, and the engine's stream is cancelled so
///   the sequence leaves at once.
struct SSEStream: Sendable {
    let responder: CompletionResponder

    static let headers: HTTPFields = [
        .contentType: "text/event-stream; charset=utf-8",
        .cacheControl: "no-cache",
    ]

    func body(_ events: AsyncThrowingStream<EngineEvent, any Error>) -> ResponseBody {
        ResponseBody { writer in
            let request = responder.request
            let formatter = responder.formatter
            let includeUsage = request.includeUsage
            var choices = Array(repeating: ChoiceState(), count: request.engine.samples)
            var started = Array(repeating: false, count: request.engine.samples)
            var timing = TokenTiming(arrival: responder.arrival, samples: request.engine.samples)
            // A tool chat's choices hold back call blocks (``ToolCallStream``); their steps wait for the next chunk.
            var toolStreams = Array(repeating: request.toolReader.map(ToolCallStream.init), count: request.engine.samples)
            var heldSteps = Array(repeating: [TokenStep](), count: request.engine.samples)
            var iterator = events.makeAsyncIterator()
            do {
                while let event = try await iterator.next() {
                    switch event {
                    case .token(let sample, let step):
                        timing.observe(sample: sample, metrics: responder.metrics)
                        let offset = choices[sample].text.count
                        choices[sample].text += step.text
                        choices[sample].steps.append(step)
                        if toolStreams[sample] != nil {
                            heldSteps[sample].append(step)
                            let pieces = toolStreams[sample]!.feed(step.text)
                            for chunk in Self.chunks(pieces, sample: sample, stream: toolStreams[sample]!, started: &started[sample],
                                                     steps: &heldSteps[sample], formatter: formatter, includeUsage: includeUsage) {
                                try await Self.send(&writer, Self.event(chunk))
                            }
                            continue
                        }
                        // Nothing new to say: no text yet and no log-probability or id asked for.
                        guard !step.text.isEmpty || formatter.logprobs || formatter.tokenIDs else { continue }
                        let first = !started[sample]
                        started[sample] = true
                        try await Self.send(&writer, Self.event(formatter.chunk(
                            index: sample, text: step.text, first: first, steps: [step], textOffset: offset,
                            includeUsage: includeUsage)))
                    case .finished(let sample, let summary):
                        choices[sample].summary = summary
                        var calledTools = false
                        var warnings: [String]?
                        if toolStreams[sample] != nil {
                            let pieces = toolStreams[sample]!.finish()
                            for chunk in Self.chunks(pieces, sample: sample, stream: toolStreams[sample]!, started: &started[sample],
                                                     steps: &heldSteps[sample], formatter: formatter, includeUsage: includeUsage) {
                                try await Self.send(&writer, Self.event(chunk))
                            }
                            calledTools = !toolStreams[sample]!.calls.isEmpty
                            warnings = toolStreams[sample]!.warnings.isEmpty ? nil : toolStreams[sample]!.warnings
                        }
                        let first = !started[sample]
                        started[sample] = true
                        try await Self.send(&writer, Self.event(formatter.chunk(
                            index: sample, text: formatter.style == .chat && !first ? nil : "", first: first, steps: heldSteps[sample],
                            finish: ResponseFormatter.finishReason(summary.finishReason, calledTools: calledTools),
                            receipt: responder.receipt(choices[sample], sample: sample), warnings: warnings,
                            includeUsage: includeUsage)))
                        heldSteps[sample] = []
                    }
                }
            } catch is ClientGone {
                // The client left: cancel the engine's stream so its sequence leaves before the next step.
                withUnsafeCurrentTask { $0?.cancel() }
                _ = try? await iterator.next()
                responder.metrics.recordCancelled()
                responder.recordUsage(choices)
                return
            } catch {
                try await writer.write(Self.event(error: APIError.from(error)))
            }
            responder.recordUsage(choices)
            if includeUsage { try await writer.write(Self.event(formatter.usageChunk(responder.usage(choices)))) }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
    }

    /// The chunks of a tool chat's pieces: content as text deltas, each call as its head and arguments deltas
    /// (``ToolCallWire/deltas(_:index:id:)``, indexed in the order the choice called them). The steps held since the
    /// last chunk go with the first.
    private static func chunks(_ pieces: [ToolCallStream.Piece], sample: Int, stream: ToolCallStream, started: inout Bool,
                               steps: inout [TokenStep], formatter: ResponseFormatter,
                               includeUsage: Bool) -> [any Encodable & Sendable] {
        var chunks: [any Encodable & Sendable] = []
        var callIndex = stream.calls.count - pieces.filter { if case .call = $0 { true } else { false } }.count
        func add(text: String?, calls: [ToolCallWire]?) {
            chunks.append(formatter.chunk(index: sample, text: text, toolCalls: calls, first: !started, steps: steps,
                                          includeUsage: includeUsage))
            started = true
            steps = []
        }
        for piece in pieces {
            switch piece {
            case .content(let text):
                add(text: text, calls: nil)
            case .call(let call):
                for delta in ToolCallWire.deltas(call, index: callIndex, id: ToolCallWire.newID()) { add(text: nil, calls: [delta]) }
                callIndex += 1
            }
        }
        return chunks
    }

    /// A write failed: the client has gone.
    private struct ClientGone: Error {}

    private static func send(_ writer: inout any ResponseBodyWriter, _ buffer: ByteBuffer) async throws {
        do { try await writer.write(buffer) } catch { throw ClientGone() }
    }

    static func event(_ chunk: any Encodable & Sendable) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes((try? JSONCoding.encoder.encode(chunk)) ?? Data("{}".utf8))
        buffer.writeString("\n\n")
        return buffer
    }

    static func event(error: APIError) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        var body = error.jsonBody
        buffer.writeBuffer(&body)
        buffer.writeString("\n\n")
        return buffer
    }
}
