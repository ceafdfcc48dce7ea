import ZooCore

/// Which of Qwen's ChatML renderings a chat variant reproduces.
public enum ChatFormat: String, Sendable, CaseIterable {
    /// Qwen2.5-Instruct's chat template (also Qwen2.5-Coder-Instruct): "\n" after every `<|im_end|>`.
    case qwen25 = "qwen2.5"
    /// The Qwen1.5 / Qwen2 / CodeQwen1.5-Chat template: same layout, older default system prompt.
    case qwen2 = "qwen2"
    /// Qwen v1's `make_context` (`qwen_generation_utils.py`, chat_format "chatml"): "\n" before every
    /// `<|im_start|>`, role and content encoded separately.
    case v1 = "v1"

    /// The system prompt the reference uses when the conversation has none.
    public var defaultSystem: String {
        switch self {
        case .qwen25: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
        case .qwen2, .v1: "You are a helpful assistant."
        }
    }
}

/// Qwen's chat models: ChatML prompts exactly as Qwen's references render them, with message text that can never
/// inject control tokens (content is encoded as text; `<|im_start|>`/`<|im_end|>` are spliced in as ids).
///
/// Tools (``VariantRequest/toolChat(_:)``, or a `.chat` whose messages hold tool calls or results): `qwen2.5` renders
/// the official template's tool preamble, `<tool_call>` blocks and merged `<tool_response>` turns
/// (`Qwen25ToolTemplate`), `v1` the ReAct prompt of Qwen's `openai_api.py` (``QwenV1ReAct``); `qwen2` has none.
/// ``readToolCalls(_:for:)`` reads a reply's calls back.
///
/// Options (manifest `variant:` map):
/// - `format`: `qwen2.5` (default), `qwen2` or `v1` (see ``ChatFormat``).
/// - `system`: the system prompt when the request has no system message (default: the format's own).
/// - `history_budget`: a token budget for system prompt + history (v1 `max_window_size` semantics: earlier turns are
///   kept newest-first while `system + turn + kept < budget`; the oldest are dropped; the final user message is never
///   dropped and is not counted). Default: no trimming, except `v1`, whose `make_context` default is 6144.
public struct ChatVariant: ToolCallingVariant {
    public static let optionKeys = ["format", "system", "history_budget"]

    public var format: ChatFormat
    public var system: String?
    public var historyBudget: Int?

    public init(format: ChatFormat = .qwen25, system: String? = nil, historyBudget: Int? = nil) {
        self.format = format
        self.system = system
        self.historyBudget = historyBudget ?? (format == .v1 ? 6144 : nil)
    }

    public init(options: ComponentOptions) throws {
        try options.rejectUnknownKeys(allowed: Self.optionKeys)
        let format: ChatFormat = try options.choice("format", what: "chat format") ?? .qwen25
        let budget = try options.int("history_budget")
        if let budget, budget < 1 { throw options.error("history_budget", "must be at least 1, found \(budget)") }
        self.init(format: format, system: try options.string("system"), historyBudget: budget)
    }

    public func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
        let messages: [ChatMessage]
        switch request {
        case .chat(let m) where m.contains(where: { $0.role == .tool || !$0.toolCalls.isEmpty }):
            return try prepareTools(ToolChatRequest(messages: m, tools: []), tokenizer: tokenizer)
        case .chat(let m): messages = m
        case .completion(let text): messages = [ChatMessage(.user, text)]
        case .toolChat(let r): return try prepareTools(r, tokenizer: tokenizer)
        default:
            throw UnsupportedRequestError(
                variant: QwenChatVariant.name,
                message: "a chat variant serves chat (or plain prompt) requests, not \(request.kind) requests")
        }
        let ids = try ChatMLIDs(tokenizer: tokenizer)
        let conversation = try Conversation(messages, defaultSystem: system ?? format.defaultSystem)
        let tokens: [Int]
        switch format {
        case .v1: tokens = try renderV1(conversation, ids: ids, tokenizer: tokenizer)
        case .qwen2, .qwen25: tokens = renderTemplate(conversation, ids: ids, tokenizer: tokenizer)
        }
        return PromptPlan(tokens: tokens, stopTokenIDs: ids.stops)
    }

    /// Reads the calls of a reply: `<tool_call>` blocks (and the bare or fenced JSON fallbacks) for Qwen2.5, the
    /// ReAct `Action:` / `Action Input:` / `Final Answer:` lines for v1; then checks them against the tools.
    public func readToolCalls(_ generated: String, for request: ToolChatRequest) -> ToolCallReading {
        let tools = request.shownTools
        let reading: ToolCallReading
        switch format {
        case .v1:
            reading = tools.isEmpty ? ToolCallReading(content: pythonStrip(generated)) : QwenV1ReAct.read(generated)
        case .qwen2, .qwen25:
            // A forced call was opened in the prompt: the reply is the inside of the block.
            let text = request.toolChoice.forcesCall ? Qwen25ToolCalls.open + "\n" + generated : generated
            reading = request.toolChoice == .none ? ToolCallReading(content: generated) : Qwen25ToolCalls.read(text, tools: tools)
        }
        return reading.validated(against: request.tools)
    }

    // MARK: Tools

    private func prepareTools(_ request: ToolChatRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
        let ids = try ChatMLIDs(tokenizer: tokenizer)
        let tools = request.shownTools
        switch format {
        case .qwen2:
            throw UnsupportedRequestError(
                variant: QwenChatVariant.name,
                message: "the qwen2 chat format has no tool calling; use format qwen2.5 (Qwen2.5 models) or v1 (Qwen v1 ReAct)")
        case .qwen25:
            return PromptPlan(tokens: renderToolTemplate(request, tools: tools, ids: ids, tokenizer: tokenizer), stopTokenIDs: ids.stops)
        case .v1:
            if request.toolChoice.forcesCall {
                throw UnsupportedRequestError(
                    variant: QwenChatVariant.name,
                    message: "tool_choice \(request.toolChoice) cannot be enforced on the v1 ReAct format (its call is not JSON); use auto")
            }
            let context = try QwenV1ReAct.context(request.messages, tools: tools, defaultSystem: system ?? format.defaultSystem)
            let tokens: [Int]
            if let query = context.query {
                tokens = v1Context(system: context.system, history: context.history, query: query, ids: ids, tokenizer: tokenizer)
            } else {
                tokens = QwenV1ReAct.completionPrompt(context, ids: ids, tokenizer: tokenizer)
            }
            return PromptPlan(tokens: tokens, stopTokenIDs: ids.stops, stopStrings: tools.isEmpty ? [] : [QwenV1ReAct.stopWord])
        }
    }

    /// The Qwen2.5 template with tools, turn by turn (a turn starts at a user message) so that the history budget
    /// can drop the oldest turns; the turn of the last user message and what follows it is always kept.
    private func renderToolTemplate(_ request: ToolChatRequest, tools: [ToolDefinition], ids: ChatMLIDs,
                                    tokenizer: any Tokenizer) -> [Int] {
        let template = Qwen25ToolTemplate(ids: ids, tokenizer: tokenizer)
        let messages = request.messages
        let hasSystem = messages.first?.role == .system
        let systemTokens = template.system(hasSystem ? messages[0].content : (system ?? format.defaultSystem), tools: tools)
        var turns: [PromptPieces] = []
        for index in messages.indices {
            if turns.isEmpty || messages[index].role == .user { turns.append(PromptPieces()) }
            template.append(messages, at: index, to: &turns[turns.count - 1])
        }
        let encoded = turns.map { $0.encode(tokenizer) }
        let lastUser = messages.lastIndex(where: { $0.role == .user })
        // The last user message starts the last turn (the first turn also holds a leading system message).
        let queryTurns = lastUser == nil ? encoded.count : 1
        let kept = trim(Array(encoded.dropLast(queryTurns)), systemCount: systemTokens.count)
        return systemTokens + kept.flatMap { $0 } + encoded.suffix(queryTurns).flatMap { $0 }
            + template.generationPrompt(openCall: request.toolChoice.forcesCall)
    }

    /// A plain prompt is one user turn.
    public func request(forPrompt prompt: String) -> VariantRequest { .chat([ChatMessage(.user, prompt)]) }

    /// v1's `chat()` strips the decoded response (`_decode_chatml`: `.strip()`); the Qwen1.5+ references
    /// (`batch_decode(..., skip_special_tokens=True)`) return it as generated.
    public func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput {
        format == .v1 ? .text(pythonStrip(generated)) : .text(generated)
    }

    // MARK: Qwen1.5 / Qwen2 / Qwen2.5 templates

    /// `<|im_start|>{role}\n{content}<|im_end|>\n` per message after the system block, then `<|im_start|>assistant\n`.
    /// Text between two control tokens is encoded as one piece, as HF does when it splits the rendered template.
    private func renderTemplate(_ c: Conversation, ids: ChatMLIDs, tokenizer: any Tokenizer) -> [Int] {
        func block(_ role: String, _ content: String) -> [Int] {
            [ids.imStart] + tokenizer.encode(role + "\n" + content, specialTokens: .asText) + [ids.imEnd]
                + tokenizer.encode("\n", specialTokens: .asText)
        }
        let systemTokens = block("system", c.system)
        let turns = c.history.map { turn in turn.flatMap { block($0.role.rawValue, $0.content) } }
        let kept = trim(turns, systemCount: systemTokens.count)
        let query = c.query.flatMap { block($0.role.rawValue, $0.content) }
        return systemTokens + kept.flatMap { $0 } + query + [ids.imStart]
            + tokenizer.encode("assistant\n", specialTokens: .asText)
    }

    // MARK: v1 make_context

    private func renderV1(_ c: Conversation, ids: ChatMLIDs, tokenizer: any Tokenizer) throws -> [Int] {
        var history: [(user: String, assistant: String)] = []
        for turn in c.history {
            guard turn.count == 2, turn[0].role == .user, turn[1].role == .assistant else {
                throw UnsupportedRequestError(
                    variant: QwenChatVariant.name,
                    message: "the v1 format needs alternating user/assistant turns after the system prompt, "
                        + "ending with a user message")
            }
            history.append((turn[0].content, turn[1].content))
        }
        guard c.query.count == 1 else {
            throw UnsupportedRequestError(
                variant: QwenChatVariant.name, message: "the v1 format needs the conversation to end with one user message")
        }
        return v1Context(system: c.system, history: history, query: c.query[0].content, ids: ids, tokenizer: tokenizer)
    }

    /// `make_context(tokenizer, query, history, system, max_window_size)`.
    private func v1Context(system: String, history: [(user: String, assistant: String)], query: String, ids: ChatMLIDs,
                           tokenizer: any Tokenizer) -> [Int] {
        let nl = tokenizer.encode("\n", specialTokens: .asText)
        func part(_ role: String, _ content: String) -> [Int] {
            tokenizer.encode(role, specialTokens: .asText) + nl + tokenizer.encode(content, specialTokens: .asText)
        }
        let systemTokens = [ids.imStart] + part("system", system) + [ids.imEnd]
        let turns = history.map { turn in
            nl + [ids.imStart] + part("user", turn.user) + [ids.imEnd]
                + nl + [ids.imStart] + part("assistant", turn.assistant) + [ids.imEnd]
        }
        let kept = trim(turns, systemCount: systemTokens.count)
        return systemTokens + kept.flatMap { $0 } + nl + [ids.imStart] + part("user", query)
            + [ids.imEnd] + nl + [ids.imStart] + tokenizer.encode("assistant", specialTokens: .asText) + nl
    }

    /// `make_context`'s window rule: walk the turns newest-first, keep a turn while
    /// `len(system) + len(turn) + len(kept) < budget`, stop at the first that does not fit.
    private func trim(_ turns: [[Int]], systemCount: Int) -> [[Int]] {
        guard let budget = historyBudget else { return turns }
        var kept: [[Int]] = []
        var keptCount = 0
        for turn in turns.reversed() {
            guard systemCount + turn.count + keptCount < budget else { break }
            kept.insert(turn, at: 0)
            keptCount += turn.count
        }
        return kept
    }
}

/// Registration of the chat variant under the name manifests use.
public enum QwenChatVariant {
    public static let name = "chat"

    public static func register(into registry: Registry<VariantFactory>) {
        registry.register(name) { options in try ChatVariant(options: options) }
    }
}

// MARK: - Shared pieces

/// The control-token ids ChatML needs, looked up in the tokenizer (never hard-coded).
struct ChatMLIDs {
    let imStart: Int
    let imEnd: Int
    let stops: Set<Int>

    init(tokenizer: any Tokenizer) throws {
        guard let start = tokenizer.specialTokenID("<|im_start|>"), let end = tokenizer.specialTokenID("<|im_end|>")
        else {
            throw UnsupportedRequestError(
                variant: QwenChatVariant.name,
                message: "the tokenizer has no <|im_start|>/<|im_end|> tokens, so it cannot express ChatML prompts")
        }
        imStart = start
        imEnd = end
        var stops: Set<Int> = [start, end]
        if let eot = tokenizer.specialTokenID("<|endoftext|>") { stops.insert(eot) }
        self.stops = stops
    }
}

/// A conversation split the way the references see it: system prompt, earlier turns, the final user query.
struct Conversation {
    var system: String
    /// Earlier turns, oldest first; each starts with a user message (except possibly the first).
    var history: [[ChatMessage]]
    /// The last user message and whatever follows it.
    var query: [ChatMessage]

    init(_ messages: [ChatMessage], defaultSystem: String) throws {
        var rest = messages[...]
        if let first = rest.first, first.role == .system {
            system = first.content
            rest = rest.dropFirst()
        } else {
            system = defaultSystem
        }
        guard let lastUser = rest.lastIndex(where: { $0.role == .user }) else {
            throw UnsupportedRequestError(variant: QwenChatVariant.name, message: "a chat request needs a user message")
        }
        query = Array(rest[lastUser...])
        history = []
        for message in rest[..<lastUser] {
            if message.role == .user || history.isEmpty { history.append([message]) } else { history[history.count - 1].append(message) }
        }
    }
}

/// Python's `str.strip()` (whitespace at both ends).
func pythonStrip(_ s: String) -> String {
    var sub = Substring(s)
    while let c = sub.first, c.isWhitespace { sub.removeFirst() }
    while let c = sub.last, c.isWhitespace { sub.removeLast() }
    return String(sub)
}
