import Hummingbird
import NIOCore
import QwenZoo

/// The endpoints, each a thin handler: read the body (up to the limit), decode it, find the
/// model, map the request, answer. Every failure is thrown as an ``APIError`` (or becomes one in
/// ``ErrorMiddleware``).
struct Routes: Sendable {
    let registry: ModelRegistry
    let metrics: ServerMetrics
    /// The largest request body accepted; larger is a 413.
    let bodyLimit: Int

    func add<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("health") { _, _ in health() }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render(models: registry.models))))
        }
        router.get("v1/models") { _, _ in try models() }
        router.post("v1/chat/completions") { request, _ in
            let arrival = ContinuousClock.now
            let body = try await ChatCompletionRequest.decode(from: read(request))
            let served = try RequestMapping.chat(body, model: try registry.model(named: body.model))
            return try await CompletionResponder(served, style: .chat, metrics: metrics, arrival: arrival).respond()
        }
        router.post("v1/completions") { request, _ in
            let arrival = ContinuousClock.now
            let body = try await JSONCoding.decode(CompletionRequest.self, from: read(request))
            let served = try RequestMapping.completion(body, model: try registry.model(named: body.model))
            return try await CompletionResponder(served, style: .completion, metrics: metrics, arrival: arrival).respond()
        }
        router.post("tokenize") { request, _ in try await tokenize(read(request)) }
        router.post("detokenize") { request, _ in try await detokenize(read(request)) }
    }

    /// The body, refused with 413 past ``bodyLimit``.
    private func read(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: bodyLimit)
        }
    }

    private func health() -> Response {
        registry.isReady
            ? JSONCoding.response(HealthResponse(status: "ok"))
            : JSONCoding.response(HealthResponse(status: "loading"), status: .serviceUnavailable)
    }

    private func models() throws -> Response {
        guard registry.isReady else { throw ModelRegistry.stillLoading }
        return JSONCoding.response(ModelList(data: registry.models.map {
            ModelList.Entry(id: $0.name, created: registry.created, maxModelLen: $0.zoo.model.contextLength)
        }))
    }

    private func tokenize(_ buffer: ByteBuffer) throws -> Response {
        let body = try JSONCoding.decode(TokenizeRequest.self, from: buffer)
        let model = try registry.model(named: body.model)
        let tokens: [Int]
        switch (body.prompt, body.messages) {
        case (let prompt?, nil):
            tokens = model.zoo.tokenizer.encode(prompt)
        case (nil, let messages?):
            // `tools`, `tool_choice` and assistants' `tool_calls` render as a chat completion's would (read in order).
            let fields = try ToolFields(buffer: buffer)
            let request = ToolMapping.use(fields).request(try RequestMapping.chatMessages(messages, calls: fields.messageCalls))
            tokens = try RequestMapping.render(request, model: model, field: "messages").tokens
        default:
            throw APIError.invalid("prompt", "give exactly one of \"prompt\" and \"messages\"")
        }
        return JSONCoding.response(TokenizeResponse(tokens: tokens, count: tokens.count, maxModelLen: model.zoo.model.contextLength))
    }

    private func detokenize(_ buffer: ByteBuffer) throws -> Response {
        let body = try JSONCoding.decode(DetokenizeRequest.self, from: buffer)
        let model = try registry.model(named: body.model)
        do {
            return JSONCoding.response(DetokenizeResponse(prompt: try model.zoo.tokenizer.decode(body.tokens)))
        } catch let error as UnknownTokenError {
            throw APIError.invalid("tokens", "\"tokens\": \(error)")
        }
    }
}
