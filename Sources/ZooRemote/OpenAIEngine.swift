import Foundation
import Synchronization
import ZooCore
import ZooHTTP
import ZooSamplers
import ZooScheduler

/// A ``GenerationEngine`` that runs requests on a remote OpenAI-compatible server (vLLM,
/// llama-server, another `zoo serve`) through `POST /v1/completions`.
///
/// The prompt goes as token ids, so the remote's chat template never touches it; a server that
/// accepts text only gets the text, with a notice. The sampler chain maps to request fields
/// (``OpenAISampling``); `n` draws the samples. The output is read here, id by id, as a local
/// sample is: stop ids, stop strings and `max_tokens` end a sample the same way, so the events
/// equal the local engine's for the same ids.
///
/// Faults are errors that name the remote, within ``OpenAIEndpoint/timeout``: a remote that is down,
/// stays busy (429/503 are retried with backoff, honouring `Retry-After`), serves another model,
/// sends a malformed or truncated stream, or more ids than asked. Cancelling the stream's consumer
/// closes the HTTP stream.
public final class OpenAIEngine: GenerationEngine {
    /// The remote.
    public let endpoint: OpenAIEndpoint
    let tokenizer: any Tokenizer
    let transport: HTTPTransport
    let limiter: ConcurrencyLimit
    private let onNotice: @Sendable (String) -> Void
    private let state = Mutex<State>(State())
    /// Attempts at a request the remote answers 429/503.
    let busyAttempts = 6
    /// The first wait before retrying a busy remote without `Retry-After`, doubled each time.
    let backoff = 0.25

    private struct State {
        var running = 0
        var queued = 0
        /// Set once the remote refused ids: every later request goes as text.
        var textOnly = false
        var noticesGiven: Set<String> = []
    }

    /// An engine for `endpoint`; `tokenizer` reads the ids it returns (the manifest's own);
    /// `onNotice` hears what the user should know once (e.g. a fallback to text prompts).
    public init(endpoint: OpenAIEndpoint, tokenizer: any Tokenizer, onNotice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.tokenizer = tokenizer
        self.onNotice = onNotice
        transport = HTTPTransport(connectTimeout: endpoint.timeout, readTimeout: endpoint.timeout)
        limiter = ConcurrencyLimit(endpoint.maxConcurrency)
        state.withLock { $0.textOnly = endpoint.prompt == .text }
    }

    public func status() -> EngineStatus {
        state.withLock { EngineStatus(queued: $0.queued, running: $0.running) }
    }

    /// The fields a request sends, besides the prompt: what receipts record.
    public func requestFields(for request: EngineRequest) throws -> [String: OptionValue] {
        if request.topLogprobs != nil {
            throw RemoteEngineError.unsupported(field: "logprobs", reason: "the remote engine returns no log-probabilities here yet")
        }
        guard request.samples >= 1, request.maxTokens >= 1 else {
            throw RemoteEngineError.unsupported(field: request.samples < 1 ? "n" : "max_tokens", reason: "must be at least 1")
        }
        var fields = try OpenAISampling(chain: request.sampler).fields
        fields["model"] = .string(endpoint.model)
        fields["max_tokens"] = .number(Double(request.maxTokens))
        fields["n"] = .number(Double(request.samples))
        fields["seed"] = .number(Double(request.seed & 0x7FFF_FFFF_FFFF_FFFF))
        fields["stream"] = .bool(true)
        // Stops are read here. The stop ids (which hold the model's end-of-sequence ids) go as vLLM's
        // `stop_token_ids`. `ignore_eos` is sent only for a request with no stop ids at all: llama-server
        // reads it as a ban on its end-of-generation ids, so a chat model could never say <|im_end|>.
        if request.stopTokenIDs.isEmpty {
            fields["ignore_eos"] = .bool(true)
        } else {
            fields["stop_token_ids"] = .list(request.stopTokenIDs.sorted().map { .number(Double($0)) })
        }
        // Ask for the generated ids: vLLM's and llama-server's spellings.
        fields["return_token_ids"] = .bool(true)
        fields["return_tokens"] = .bool(true)
        fields["skip_special_tokens"] = .bool(false)
        return fields
    }

    public func submit(_ request: EngineRequest) throws -> AsyncThrowingStream<EngineEvent, any Error> {
        let fields = try requestFields(for: request)
        state.withLock { $0.queued += 1 }
        let (stream, continuation) = AsyncThrowingStream<EngineEvent, any Error>.makeStream()
        let task = Task { [self] in
            await limiter.acquire()
            state.withLock { $0.queued -= 1; $0.running += 1 }
            defer {
                state.withLock { $0.running -= 1 }
                Task { await limiter.release() }
            }
            do {
                try await run(request, fields: fields, into: continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: - One request

    private func run(_ request: EngineRequest, fields: [String: OptionValue],
                     into continuation: AsyncThrowingStream<EngineEvent, any Error>.Continuation) async throws {
        let response = try await open(request, fields: fields)
        var samples = (0..<request.samples).map { _ in
            RemoteSample(maxTokens: request.maxTokens, stopTokenIDs: request.stopTokenIDs, stopStrings: request.stopStrings,
                         tokenizer: tokenizer, includeSpecialTokens: request.includeSpecialTokens)
        }
        var remoteFinish = [String?](repeating: nil, count: request.samples)
        var textOnly = [String](repeating: "", count: request.samples)
        var sawTextWithoutIDs = false
        var finished = Set<Int>()
        var parser = ServerSentEvents()
        var done = false
        let url = endpoint.completionsURL

        func finish(_ index: Int) {
            guard !finished.contains(index), samples[index].finishReason != nil else { return }
            finished.insert(index)
            continuation.yield(.finished(sample: index, samples[index].summary))
        }

        do {
            streamLoop: for try await bytes in response.chunks() {
                for data in parser.feed(bytes) {
                    if data == "[DONE]" {
                        done = true
                        break streamLoop
                    }
                    let chunk = try CompletionChunk(json: data, url: url, samples: request.samples)
                    for choice in chunk.choices {
                        let i = choice.index
                        if let ids = choice.tokenIDs {
                            for id in ids {
                                guard let step = try samples[i].accept(id) else { continue }
                                continuation.yield(.token(sample: i, step))
                            }
                            if samples[i].received > request.maxTokens {
                                throw RemoteEngineError.longerThanAsked(url: url, sample: i, maxTokens: request.maxTokens)
                            }
                            finish(i)
                        } else if !choice.text.isEmpty {
                            sawTextWithoutIDs = true
                            textOnly[i] += choice.text
                        }
                        if let reason = choice.finishReason { remoteFinish[i] = reason }
                    }
                }
            }
        } catch let error as HTTPError {
            throw Self.remoteError(error, url: url)
        }
        if sawTextWithoutIDs {
            // The remote returned text only: the ids are the local tokenizer's reading of it.
            notice("the remote engine at \(endpoint.base) returns text without token ids: its output is re-tokenized locally, so ids may differ from the ones it generated")
            for i in 0..<request.samples where samples[i].finishReason == nil {
                for id in tokenizer.encode(textOnly[i], specialTokens: .asText) {
                    guard let step = try samples[i].accept(id) else { continue }
                    continuation.yield(.token(sample: i, step))
                }
                if samples[i].received > request.maxTokens {
                    throw RemoteEngineError.longerThanAsked(url: url, sample: i, maxTokens: request.maxTokens)
                }
                finish(i)
            }
        }
        for i in 0..<request.samples where samples[i].finishReason == nil {
            // The remote ended the sample for a reason of its own; without one, the stream was cut.
            guard let reason = remoteFinish[i], done || !parser.hasPartialEvent else {
                throw RemoteEngineError.truncated(url: url, sample: i, tokens: samples[i].tokens.count)
            }
            let ending: FinishReason = reason == "length" && samples[i].tokens.count >= request.maxTokens
                ? .length : samples[i].tokens.last.map { .stopToken($0) } ?? .length
            let tail = samples[i].end(ending)
            if !tail.isEmpty, let last = samples[i].tokens.last { continuation.yield(.token(sample: i, TokenStep(id: last, text: tail))) }
            finish(i)
        }
        if !done, finished.count < request.samples {
            throw RemoteEngineError.truncated(url: url, sample: (0..<request.samples).first { !finished.contains($0) } ?? 0, tokens: 0)
        }
    }

    /// Sends the request, retrying a busy remote; falls back to a text prompt once if ids are refused.
    private func open(_ request: EngineRequest, fields: [String: OptionValue]) async throws -> HTTPResponse {
        let url = endpoint.completionsURL
        var attempt = 0
        var waited = 0.0
        while true {
            attempt += 1
            let asText = state.withLock { $0.textOnly }
            var body = fields
            body["prompt"] = asText
                ? .string(try tokenizer.decode(request.prompt))
                : .list(request.prompt.map { .number(Double($0)) })
            var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "text/event-stream")]
            if let key = endpoint.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
            let response: HTTPResponse
            do {
                response = try await transport.send(HTTPRequest(url: url, method: "POST", headers: headers, body: JSONText.encode(.map(body))))
            } catch let error as HTTPError {
                throw Self.remoteError(error, url: url)
            }
            let status = response.head.status
            if status == 200 { return response }
            let message = Self.errorMessage(try await collectError(response, url: url))
            switch status {
            case 429, 503:
                let retryAfter = response.head.header("Retry-After").flatMap(Self.seconds)
                let wait = retryAfter ?? backoff * Double(1 << min(attempt - 1, 10))
                guard attempt < busyAttempts, waited + wait <= endpoint.timeout else {
                    throw RemoteEngineError.busy(url: url, status: status, attempts: attempt, retryAfter: retryAfter)
                }
                try await Task.sleep(for: .seconds(wait))
                waited += wait
            case 404 where Self.mentionsModel(message), 400 where Self.mentionsModel(message):
                throw RemoteEngineError.unknownModel(url: endpoint.base, model: endpoint.model, available: await availableModels())
            case 400 where !asText && Self.refusesIDs(message), 422 where !asText && Self.refusesIDs(message):
                state.withLock { $0.textOnly = true }
                notice("the remote engine at \(endpoint.base) accepts text prompts only: prompts are sent as text, so the remote tokenizes them (\(message))")
            default:
                throw RemoteEngineError.refused(url: url, status: status, message: message)
            }
        }
    }

    /// The ids of the models the remote lists (`GET /v1/models`), for an unknown-model error.
    private func availableModels() async -> [String] {
        var headers: [(name: String, value: String)] = []
        if let key = endpoint.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        guard let response = try? await transport.send(HTTPRequest(url: endpoint.modelsURL, headers: headers)),
              response.head.status == 200,
              let body = try? await response.collect(limit: 1 << 20),
              let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let data = object["data"] as? [[String: Any]]
        else { return [] }
        return data.compactMap { $0["id"] as? String }
    }

    private func collectError(_ response: HTTPResponse, url: String) async throws -> [UInt8] {
        do {
            return try await response.collect(limit: 1 << 16)
        } catch let error as HTTPError {
            throw Self.remoteError(error, url: url)
        }
    }

    private func notice(_ text: String) {
        let first = state.withLock { $0.noticesGiven.insert(text).inserted }
        if first { onNotice(text) }
    }

    // MARK: - Reading errors

    static func remoteError(_ error: HTTPError, url: String) -> RemoteEngineError {
        switch error {
        case .cannotConnect(_, let reason): .unreachable(url: url, reason: reason)
        case .timedOut(_, let seconds): .timedOut(url: url, seconds: seconds)
        case .connectionClosed(_, let reason): .malformed(url: url, reason: "the connection closed mid-response (\(reason))")
        case .bodyTooLarge(_, let limit): .malformed(url: url, reason: "an error body larger than \(limit) bytes")
        case .badRedirect(_, let reason): .malformed(url: url, reason: reason)
        case .invalidURL(let text): .unreachable(url: text, reason: "not an http(s) URL")
        }
    }

    /// The `error.message` of an OpenAI error body, else its text.
    static func errorMessage(_ body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let message = object["error"] as? String ?? object["message"] as? String ?? object["detail"] as? String { return message }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text
    }

    static func mentionsModel(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("model") && (lower.contains("not found") || lower.contains("does not exist") || lower.contains("not exist") || lower.contains("unknown"))
    }

    static func refusesIDs(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("prompt") && (lower.contains("string") || lower.contains("str") || lower.contains("text"))
    }

    /// `Retry-After` as seconds: a number, or an HTTP date.
    static func seconds(_ value: String) -> Double? {
        if let number = Double(value.trimmingCharacters(in: .whitespaces)) { return number.isFinite && number >= 0 ? number : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}
