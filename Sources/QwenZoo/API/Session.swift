import Foundation
import ZooCore

/// A conversation with a model: every turn goes into the history, and the session's prompt
/// cache keeps the history's keys and values so that a turn only prefills the new message.
///
/// ```swift
/// let model = try await Zoo.model(named: "qwen2.5-0.5b-instruct")
/// let chat = model.chat(system: "You are a helpful assistant.")
/// for try await event in chat.respond(to: "Hello!") {
///     if case .text(let chunk) = event { print(chunk, terminator: "") }
/// }
/// ```
///
/// Requests on one session run one after another, in the order they were made. Cancelling the
/// task that iterates a response, or dropping the stream, stops generation before the next
/// forward pass and frees the session for the next request; a cancelled turn is not added to
/// ``messages``.
///
/// On a manifest with a remote engine (`engine: {kind: openai, …}`) the turns are rendered here and
/// generated there: cancelling closes the request's HTTP stream, and the remote keeps its own
/// prefix cache (so ``saveCache(to:)`` and ``restoreCache(from:)`` throw ``RemoteOnlyError``).
///
/// When the conversation outgrows ``ConversationWindow`` (the context less room for a reply, or the
/// variant's `history_budget`), the session drops its oldest turns, down to half the window, and
/// says so once in that response's ``Response/warnings``.
public actor ChatSession {
    /// The model the session runs on (shared, never copied).
    public nonisolated let model: LoadedModel
    /// The conversation so far: the system message, if any, then user and assistant turns.
    public private(set) var messages: [ChatMessage]
    /// Options for every request that passes none of its own.
    public var defaultOptions: GenerationOptions
    /// The tools the model may call on every turn (see <doc:ToolCalling>).
    public var tools: [ToolDefinition]
    /// Whether the model must call a tool: ``ToolChoice/required`` and a named function are enforced with a
    /// JSON Schema constraint on the call.
    public var toolChoice: ToolChoice
    /// What a reply's text must be (JSON, or JSON matching a schema), enforced with a constraint stage.
    public var responseFormat: ResponseFormat
    private let core: SessionCore

    /// A new conversation, optionally with a system message, earlier turns and tools the model may call.
    public init(model: LoadedModel, system: String? = nil, history: [ChatMessage] = [],
                options: GenerationOptions = GenerationOptions(), tools: [ToolDefinition] = [],
                toolChoice: ToolChoice = .auto, responseFormat: ResponseFormat = .text) {
        self.model = model
        messages = (system.map { [ChatMessage(.system, $0)] } ?? []) + history
        defaultOptions = options
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        core = SessionCore(model: model)
    }

    /// Sends a user message and streams the assistant's reply. The turn (message and reply) is
    /// added to ``messages`` just before the ``GenerationEvent/done(_:)`` event.
    public nonisolated func respond(to message: String, options: GenerationOptions? = nil)
        -> AsyncThrowingStream<GenerationEvent, any Error>
    {
        respond(with: [ChatMessage(.user, message)], options: options)
    }

    /// Sends a user message and waits for the whole reply.
    public func reply(to message: String, options: GenerationOptions? = nil) async throws -> Response {
        try await collect(respond(to: message, options: options))
    }

    /// Sends messages — a user message, or the results of the last reply's ``Response/toolCalls`` as `tool`
    /// messages (``ChatMessage/toolResult(_:for:)``) — and streams the assistant's reply. The messages and the reply
    /// (with its tool calls) are added to ``messages`` just before the ``GenerationEvent/done(_:)`` event.
    public nonisolated func respond(with new: [ChatMessage], options: GenerationOptions? = nil)
        -> AsyncThrowingStream<GenerationEvent, any Error>
    {
        core.stream(
            prepare: { try await self.request(adding: new, options: options) },
            finish: { _, response in await self.record(new, reply: response) })
    }

    /// Sends messages (see ``respond(with:options:)``) and waits for the whole reply.
    public func reply(with new: [ChatMessage], options: GenerationOptions? = nil) async throws -> Response {
        try await collect(respond(with: new, options: options))
    }

    /// Changes the tools, the tool choice or the response format for the next turns (nil keeps the current one),
    /// e.g. `.auto` after a forced call so that the model can answer with the call's result.
    public func setTools(_ tools: [ToolDefinition]? = nil, choice: ToolChoice? = nil, responseFormat: ResponseFormat? = nil) {
        if let tools { self.tools = tools }
        if let choice { toolChoice = choice }
        if let responseFormat { self.responseFormat = responseFormat }
    }

    /// Forgets the conversation (keeping the system message unless `keepSystem` is false) and
    /// the cached keys and values.
    public func reset(keepSystem: Bool = true) async throws {
        messages = keepSystem ? messages.filter { $0.role == .system } : []
        try await core.withSession { cache in cache.reset() }
    }

    /// The number of tokens whose keys and values the session holds.
    public var cachedTokenCount: Int {
        get async throws { try await core.withSession { $0.count } }
    }

    /// Saves the prompt cache and the conversation to `url` (see ``PromptCacheFile``).
    public func saveCache(to url: URL) async throws {
        try core.requireLocalCache()
        let metadata = try JSONEncoder().encode(messages)
        let model = self.model
        try await core.withSession { cache in
            try PromptCacheFile.write(cache, model: model, metadata: metadata, to: url)
        }
    }

    /// Replaces the conversation and the prompt cache with those saved in `url`; throws
    /// ``PromptCacheError`` when the file is damaged or was saved with another model.
    public func restoreCache(from url: URL) async throws {
        try core.requireLocalCache()
        let model = self.model
        let metadata = try await core.withSession { cache in
            try PromptCacheFile.read(url, into: cache, model: model)
        }
        messages = try JSONDecoder().decode([ChatMessage].self, from: metadata)
    }

    private func request(adding new: [ChatMessage], options: GenerationOptions?) throws
        -> (VariantRequest, GenerationOptions, [String])
    {
        let use = ToolUse(tools: tools, toolChoice: toolChoice, responseFormat: responseFormat)
        let options = try use.constrained(options ?? defaultOptions, model: model)
        let notice = try fitHistory(adding: new, options: options, use: use)
        return (use.request(messages + new), options, notice.map { [$0] } ?? [])
    }

    /// Drops the oldest turns when the conversation with `new` would outgrow ``ConversationWindow``,
    /// down to half the window at once: the history then keeps its beginning for many turns, so the
    /// prompt cache stays reusable instead of every turn shifting the prompt by one turn.
    private func fitHistory(adding new: [ChatMessage], options: GenerationOptions, use: ToolUse) throws -> String? {
        let window = ConversationWindow(model: model, options: options)
        var length = try window.length(of: use.request(messages + new))
        guard length > window.tokens else { return nil }
        var dropped = 0
        while length > window.tokens / 2, let turn = oldestTurn() {
            messages.removeSubrange(turn)
            dropped += 1
            length = try window.length(of: use.request(messages + new))
        }
        return window.notice(dropped: dropped)
    }

    /// The oldest user message and the replies after it (the system message stays).
    private func oldestTurn() -> Range<Int>? {
        guard let start = messages.firstIndex(where: { $0.role != .system }) else { return nil }
        let end = messages[(start + 1)...].firstIndex(where: { $0.role == .user }) ?? messages.endIndex
        return start..<end
    }

    /// The turn as a client of the OpenAI API would send it back: the reply's content (v1's final answer, not its
    /// ReAct lines, which the prompt writes again) and its calls.
    private func record(_ new: [ChatMessage], reply: Response) {
        messages += new + [ChatMessage(.assistant, reply.content, toolCalls: reply.toolCalls)]
    }
}

/// A session for single requests: completions, code, infills, math problems, or any
/// `VariantRequest`. The session's prompt cache is reused when a request starts like the
/// previous one (e.g. a growing document, or several questions about one long context).
///
/// ```swift
/// let coder = try await Zoo.model(named: "qwen2.5-coder-1.5b").session()
/// let infill = try await coder.infill(prefix: "def add(a, b):\n    return ", suffix: "\n")
/// print(infill.code)
/// ```
///
/// On a manifest with a remote engine the requests run there, as a ``ChatSession``'s turns do.
public actor Session {
    /// The model the session runs on (shared, never copied).
    public nonisolated let model: LoadedModel
    /// Options for every request that passes none of its own.
    public var defaultOptions: GenerationOptions
    private let core: SessionCore

    /// A session on `model` whose requests use `options` unless they pass their own.
    public init(model: LoadedModel, options: GenerationOptions = GenerationOptions()) {
        self.model = model
        defaultOptions = options
        core = SessionCore(model: model)
    }

    /// Streams the response to `request`.
    public nonisolated func stream(_ request: VariantRequest, options: GenerationOptions? = nil)
        -> AsyncThrowingStream<GenerationEvent, any Error>
    {
        core.stream(prepare: { (request, await self.resolve(options), []) })
    }

    /// The whole response to `request`.
    public func respond(_ request: VariantRequest, options: GenerationOptions? = nil) async throws -> Response {
        try await collect(stream(request, options: options))
    }

    /// Continues `text`.
    public func complete(_ text: String, options: GenerationOptions? = nil) async throws -> Response {
        try await respond(.completion(text), options: options)
    }

    /// The code that continues `prefix` (a code variant's completion).
    public func completeCode(_ prefix: String, options: GenerationOptions? = nil) async throws -> CodeResponse {
        try code(from: await respond(.completion(prefix), options: options))
    }

    /// The code that belongs between `prefix` and `suffix` (fill-in-the-middle).
    public func infill(prefix: String, suffix: String, options: GenerationOptions? = nil) async throws -> CodeResponse {
        try code(from: await respond(.infill(prefix: prefix, suffix: suffix), options: options))
    }

    /// A worked solution of `problem` and its final answer; a voting variant samples several
    /// solutions and returns the majority answer with its vote count.
    public func solve(_ problem: String, options: GenerationOptions? = nil) async throws -> AnswerResponse {
        let response = try await respond(.problem(problem), options: options)
        guard case .answer(_, let answer) = response.output else {
            throw SessionError.unexpectedOutput(expected: "a final answer", variant: model.manifest.variant.name)
        }
        return AnswerResponse(solution: response.text, answer: answer, response: response)
    }

    /// Forgets the cached keys and values.
    public func clearCache() async throws {
        try await core.withSession { $0.reset() }
    }

    /// The number of tokens whose keys and values the session holds.
    public var cachedTokenCount: Int {
        get async throws { try await core.withSession { $0.count } }
    }

    /// Saves the prompt cache to `url` (see ``PromptCacheFile``).
    public func saveCache(to url: URL) async throws {
        try core.requireLocalCache()
        let model = self.model
        try await core.withSession { try PromptCacheFile.write($0, model: model, metadata: Data(), to: url) }
    }

    /// Replaces the prompt cache with the one saved in `url`; throws ``PromptCacheError`` when
    /// the file is damaged or was saved with another model.
    public func restoreCache(from url: URL) async throws {
        try core.requireLocalCache()
        let model = self.model
        _ = try await core.withSession { try PromptCacheFile.read(url, into: $0, model: model) }
    }

    private func resolve(_ options: GenerationOptions?) -> GenerationOptions {
        options ?? defaultOptions
    }

    private func code(from response: Response) throws -> CodeResponse {
        switch response.output {
        case .code(let code), .text(let code): return CodeResponse(code: code, response: response)
        case .answer: throw SessionError.unexpectedOutput(expected: "code", variant: model.manifest.variant.name)
        }
    }
}

extension LoadedModel {
    /// A new conversation on this model (the weights are shared, the cache is the session's own).
    public func chat(system: String? = nil, history: [ChatMessage] = [],
                     options: GenerationOptions = GenerationOptions(), tools: [ToolDefinition] = [],
                     toolChoice: ToolChoice = .auto, responseFormat: ResponseFormat = .text) -> ChatSession {
        ChatSession(model: self, system: system, history: history, options: options, tools: tools,
                    toolChoice: toolChoice, responseFormat: responseFormat)
    }

    /// A new session for single requests on this model.
    public func session(options: GenerationOptions = GenerationOptions()) -> Session {
        Session(model: self, options: options)
    }
}

/// Waits for a stream's ``GenerationEvent/done(_:)`` event.
func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> Response {
    for try await event in stream {
        if case .done(let response) = event { return response }
    }
    throw CancellationError()
}
