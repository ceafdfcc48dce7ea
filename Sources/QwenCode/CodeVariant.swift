import QwenChat
import ZooCore

/// How a code variant phrases a request.
public enum CodeMode: String, Sendable, CaseIterable {
    /// Continue the code (HumanEval-style), with the stop rule of ``CodeVariant/stopRule``.
    case completion
    /// Fill in the middle, Qwen2.5-Coder PSM format: `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`.
    case infill
    /// Repository-level completion or infill: `<|repo_name|>{name}\n<|file_sep|>{path}\n{content}\n…`.
    case repository
    /// An instruction model answering in ChatML (Qwen2.5-Coder-Instruct); the answer's code block is extracted.
    case chat
}

/// Qwen's code models: completion with HumanEval stop rules, fill-in-the-middle and repository-level prompts in the
/// Qwen2.5-Coder format, and chat answers reduced to their code.
///
/// Options:
/// - `mode`: `completion`, `infill`, `repository` or `chat`. Unset: chosen by the request kind. Set: the request must be
///   of that kind, except that `chat` also takes a plain prompt as one user message.
/// - `stop_rule`: the completion stop rule, one of ``CompletionStopRule/all`` (default `qwen-humaneval`).
/// - `system`: the chat system prompt (default Qwen2.5-Coder-Instruct's, the Qwen2.5 template default).
public struct CodeVariant: ToolCallingVariant {
    public static let optionKeys = ["mode", "stop_rule", "system"]
    /// Qwen2.5's chat-template default system prompt, which Qwen2.5-Coder-Instruct uses.
    public static let defaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    /// Tokens that end a FIM or repository-level generation: `eos_token_id` of QwenLM/Qwen2.5-Coder
    /// `examples/Qwen2.5-Coder-fim.py` and `Qwen2.5-Coder-repolevel-fim.py` ([151664, 151662, 151659, 151660, 151661,
    /// 151662, 151663, 151664, 151645, 151643] on the Qwen2.5 tokenizer), by name so that other tokenizers map them
    /// to their own ids. Tokens the tokenizer lacks are skipped.
    public static let fimStopTokens = [
        "<|file_sep|>", "<|fim_pad|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|repo_name|>",
        "<|im_end|>", "<|endoftext|>",
    ]

    public var mode: CodeMode?
    public var stopRule: CompletionStopRule
    public var system: String

    public init(mode: CodeMode? = nil, stopRule: CompletionStopRule = .qwenHumanEval, system: String = Self.defaultSystem) {
        self.mode = mode
        self.stopRule = stopRule
        self.system = system
    }

    public init(options: ComponentOptions) throws {
        try options.rejectUnknownKeys(allowed: Self.optionKeys)
        let mode: CodeMode? = try options.choice("mode", what: "code mode")
        let rule = try options.choice("stop_rule", what: "stop rule", among: CompletionStopRule.all, name: \.name)
            ?? .qwenHumanEval
        self.init(mode: mode, stopRule: rule, system: try options.string("system") ?? Self.defaultSystem)
    }

    /// The mode that serves `request`, or why none does.
    public func resolvedMode(for request: VariantRequest) throws -> CodeMode {
        let natural: CodeMode? = switch request {
        case .completion: .completion
        case .infill: .infill
        case .repository: .repository
        case .chat, .toolChat: .chat
        case .problem: nil
        }
        guard let natural else {
            throw UnsupportedRequestError(variant: QwenCodeVariant.name, message: "a code variant does not serve problem requests; use the math variant")
        }
        guard let mode, mode != natural else { return natural }
        if mode == .chat, natural == .completion { return .chat }
        throw UnsupportedRequestError(
            variant: QwenCodeVariant.name, message: "mode \(mode.rawValue) does not serve \(request.kind) requests")
    }

    public func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
        let mode = try resolvedMode(for: request)
        switch (mode, request) {
        case (.completion, .completion(let text)):
            guard let eot = tokenizer.specialTokenID("<|endoftext|>") else {
                throw UnsupportedRequestError(variant: QwenCodeVariant.name, message: "the tokenizer has no <|endoftext|> token to stop on")
            }
            // A FIM control token in a plain completion ends it: it is markup, never code to print.
            return PromptPlan(tokens: tokenizer.encode(text, specialTokens: .asText),
                              stopTokenIDs: Self.markupStops(tokenizer).union([eot]), stopStrings: stopRule.stopStrings)

        case (.infill, .infill(let prefix, let suffix)):
            var pieces = PromptPieces()
            try pieces.appendFIM(prefix: prefix, suffix: suffix, tokenizer: tokenizer)
            return PromptPlan(tokens: pieces.encode(tokenizer), stopTokenIDs: Self.fimStops(tokenizer))

        case (.repository, .repository(let name, let files, let suffix)):
            guard let last = files.last else {
                throw UnsupportedRequestError(variant: QwenCodeVariant.name, message: "a repository request needs at least one file")
            }
            var pieces = PromptPieces()
            let repoName = try special("<|repo_name|>", tokenizer, "repository-level prompts")
            let fileSep = try special("<|file_sep|>", tokenizer, "repository-level prompts")
            // QwenLM/Qwen2.5-Coder examples/Qwen2.5-Coder-repolevel.py: no space before the "\n" after a path.
            pieces.append(repoName)
            pieces.append(name + "\n")
            for file in files.dropLast() {
                pieces.append(fileSep)
                pieces.append(file.path + "\n" + file.content + "\n")
            }
            pieces.append(fileSep)
            pieces.append(last.path + "\n")
            if let suffix {
                try pieces.appendFIM(prefix: last.content, suffix: suffix, tokenizer: tokenizer)
            } else {
                pieces.append(last.content)
            }
            return PromptPlan(tokens: pieces.encode(tokenizer), stopTokenIDs: Self.fimStops(tokenizer))

        case (.chat, .chat(let messages)):
            return try chatPlan(messages, tokenizer: tokenizer)
        case (.chat, .completion(let text)):
            return try chatPlan([ChatMessage(.user, text)], tokenizer: tokenizer)
        case (.chat, .toolChat):
            return try toolTemplate.prepare(request, tokenizer: tokenizer)

        default:
            throw UnsupportedRequestError(variant: QwenCodeVariant.name, message: "mode \(mode.rawValue) does not serve \(request.kind) requests")
        }
    }

    public func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput {
        if case .toolChat = request { return .text(generated) }  // a reply that may hold calls, not only code
        return switch (try? resolvedMode(for: request)) ?? .completion {
        case .completion: .code(stopRule.apply(to: generated))
        case .infill: .code(generated)
        // Qwen2.5-Coder-repolevel.py prints `output_text.split('<|file_sep|>')[0]`.
        case .repository: .code(cutAtFirst(of: ["<|file_sep|>"], in: generated))
        case .chat: .code(CodeExtraction.codeBlock(in: generated))
        }
    }

    /// Qwen2.5-Coder-Instruct's tool calls: the Qwen2.5 template with this variant's system prompt.
    public func readToolCalls(_ generated: String, for request: ToolChatRequest) -> ToolCallReading {
        toolTemplate.readToolCalls(generated, for: request)
    }

    /// Qwen2.5-Coder-Instruct's chat template, which is Qwen2.5-Instruct's (tools included).
    private var toolTemplate: ChatVariant { ChatVariant(format: .qwen25, system: system) }

    /// The FIM and repository control tokens of ``fimStopTokens`` (not the ChatML ones).
    static func markupStops(_ tokenizer: any Tokenizer) -> Set<Int> {
        Set(fimStopTokens.filter { !$0.hasPrefix("<|im_") && $0 != "<|endoftext|>" }.compactMap { tokenizer.specialTokenID($0) })
    }

    static func fimStops(_ tokenizer: any Tokenizer) -> Set<Int> {
        Set(fimStopTokens.compactMap { tokenizer.specialTokenID($0) })
    }

    private func chatPlan(_ messages: [ChatMessage], tokenizer: any Tokenizer) throws -> PromptPlan {
        let imStart = try special("<|im_start|>", tokenizer, "chat prompts")
        let imEnd = try special("<|im_end|>", tokenizer, "chat prompts")
        var all = messages
        if all.first?.role != .system { all.insert(ChatMessage(.system, system), at: 0) }
        guard all.contains(where: { $0.role == .user }) else {
            throw UnsupportedRequestError(variant: QwenCodeVariant.name, message: "a chat request needs a user message")
        }
        // The Qwen2.5 chat template: <|im_start|>{role}\n{content}<|im_end|>\n …, then <|im_start|>assistant\n.
        var pieces = PromptPieces()
        for m in all {
            pieces.append(imStart)
            pieces.append(m.role.rawValue + "\n" + m.content)
            pieces.append(imEnd)
            pieces.append("\n")
        }
        pieces.append(imStart)
        pieces.append("assistant\n")
        var stops: Set<Int> = [imStart, imEnd]
        if let eot = tokenizer.specialTokenID("<|endoftext|>") { stops.insert(eot) }
        return PromptPlan(tokens: pieces.encode(tokenizer), stopTokenIDs: stops)
    }
}

/// Registration of the code variant under the name manifests use.
public enum QwenCodeVariant {
    public static let name = "code"

    public static func register(into registry: Registry<VariantFactory>) {
        registry.register(name) { options in try CodeVariant(options: options) }
    }
}

// MARK: - Prompt assembly

extension PromptPieces {
    mutating func appendFIM(prefix: String, suffix: String, tokenizer: any Tokenizer) throws {
        let what = "fill-in-the-middle (Qwen2.5-Coder format)"
        let p = try special("<|fim_prefix|>", tokenizer, what)
        let s = try special("<|fim_suffix|>", tokenizer, what)
        let m = try special("<|fim_middle|>", tokenizer, what)
        append(p)
        append(prefix)
        append(s)
        append(suffix)
        append(m)
    }
}

func special(_ surface: String, _ tokenizer: any Tokenizer, _ purpose: String) throws -> Int {
    guard let id = tokenizer.specialTokenID(surface) else {
        throw UnsupportedRequestError(
            variant: QwenCodeVariant.name, message: "the tokenizer has no \(surface) token, which \(purpose) need")
    }
    return id
}
