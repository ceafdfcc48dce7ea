/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable {
        case system, user, assistant
        /// The result of a tool call, sent back to the model (OpenAI's `tool` role).
        case tool
    }

    public var role: Role
    /// The text (for an assistant turn that only calls tools, often empty).
    public var content: String
    /// The tools an assistant turn calls, in order.
    public var toolCalls: [ToolCall]
    /// For a `tool` message, the ``ToolCall/id`` of the call it answers, if the call had one.
    public var toolCallID: String?

    public init(_ role: Role, _ content: String) {
        self.init(role, content, toolCalls: [])
    }

    public init(_ role: Role, _ content: String, toolCalls: [ToolCall], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// A `tool` message carrying `content`, the result of `call`.
    public static func toolResult(_ content: String, for call: ToolCall? = nil) -> ChatMessage {
        ChatMessage(.tool, content, toolCalls: [], toolCallID: call?.id)
    }

    private enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    // Messages saved before tools existed have neither key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(Role.self, forKey: .role)
        content = try c.decode(String.self, forKey: .content)
        toolCalls = try c.decodeIfPresent([ToolCall].self, forKey: .toolCalls) ?? []
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        if !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
        try c.encodeIfPresent(toolCallID, forKey: .toolCallID)
    }
}

/// A file of a repository-level code prompt.
public struct RepositoryFile: Sendable, Equatable, Codable {
    public var path: String
    public var content: String

    public init(path: String, content: String) {
        self.path = path
        self.content = content
    }
}

/// What a user asks of a model, independent of how the model wants it phrased.
public enum VariantRequest: Sendable, Equatable {
    /// Continue this text.
    case completion(String)
    /// The next assistant turn after these messages (a system message, if any, comes first).
    case chat([ChatMessage])
    /// The code that belongs between `prefix` and `suffix`.
    case infill(prefix: String, suffix: String)
    /// The continuation of the last file, with the other files of the repository as context.
    /// The last file's `content` is its beginning (or, with `suffix`, an infill of it).
    case repository(name: String, files: [RepositoryFile], suffix: String?)
    /// A problem to solve step by step, ending in a final answer.
    case problem(String)
    /// The next assistant turn of a conversation with tools the model may call (see ``ToolCallingVariant``).
    case toolChat(ToolChatRequest)

    /// A short name for error messages ("chat", "infill", …).
    public var kind: String {
        switch self {
        case .completion: "completion"
        case .chat: "chat"
        case .infill: "infill"
        case .repository: "repository"
        case .problem: "problem"
        case .toolChat: "tool chat"
        }
    }
}

/// A rendered prompt and the conditions that end its generation.
public struct PromptPlan: Sendable, Equatable {
    /// The prompt's token ids.
    public var tokens: [Int]
    /// Generation stops when one of these ids is produced (it is not part of the output text).
    public var stopTokenIDs: Set<Int>
    /// Generation stops when the output text contains one of these (cut before it).
    public var stopStrings: [String]

    public init(tokens: [Int], stopTokenIDs: Set<Int>, stopStrings: [String] = []) {
        self.tokens = tokens
        self.stopTokenIDs = stopTokenIDs
        self.stopStrings = stopStrings
    }
}

/// A final answer extracted from one or more generated solutions.
public struct ExtractedAnswer: Sendable, Equatable {
    /// The answer as written (e.g. the contents of the last `\boxed{…}`), if one was found.
    public var answer: String?
    /// The answer after normalisation (what votes compare).
    public var normalized: String?
    /// Solutions whose normalised answer equals the winner's, and how many solutions voted.
    public var votes: Int
    public var samples: Int

    public init(answer: String?, normalized: String?, votes: Int = 1, samples: Int = 1) {
        self.answer = answer
        self.normalized = normalized
        self.votes = votes
        self.samples = samples
    }
}

/// What a variant makes of the generated text.
public enum VariantOutput: Sendable, Equatable {
    /// Plain text: a completion or a chat reply.
    case text(String)
    /// Code: a completion, an infill or the code block of a chat answer.
    case code(String)
    /// A worked solution and its final answer.
    case answer(solution: String, ExtractedAnswer)
}

/// How one Qwen variant (base, chat, code, math, …) turns requests into prompts and generated
/// text into results.
///
/// A variant knows prompt formats and outputs, never weights: swapping a variant is swapping a
/// manifest. Variants register under the name manifests use (`variant: chat`).
public protocol Variant: Sendable {
    /// Renders a request. Throws a clear error for a request this variant does not serve
    /// (e.g. an infill on a chat variant) or one the tokenizer cannot express (no FIM tokens).
    func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan

    /// Interprets the generated text (stop ids and stop strings already removed).
    func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput

    /// How many independent samples a request needs (self-consistency votes); 1 by default.
    var samplesPerRequest: Int { get }

    /// Combines the outputs of ``samplesPerRequest`` samples; by default the first one.
    func aggregate(_ outputs: [VariantOutput]) -> VariantOutput

    /// The request a plain prompt stands for (what `zoo generate --prompt` sends): by default a
    /// completion; a chat variant makes it a user turn, a math variant a problem.
    func request(forPrompt prompt: String) -> VariantRequest

    /// A token budget for a conversation's prompt (system prompt and history), if the variant keeps one;
    /// a ``ChatSession`` drops its oldest turns to stay within it.
    var historyBudget: Int? { get }
}

extension Variant {
    public func request(forPrompt prompt: String) -> VariantRequest { .completion(prompt) }
    public var historyBudget: Int? { nil }
    public var samplesPerRequest: Int { 1 }
    public func aggregate(_ outputs: [VariantOutput]) -> VariantOutput { outputs[0] }
}

/// A request this variant cannot serve, or cannot serve with this tokenizer.
public struct UnsupportedRequestError: Error, CustomStringConvertible, Sendable {
    public let variant: String
    public let message: String

    public init(variant: String, message: String) {
        self.variant = variant
        self.message = message
    }

    public var description: String { "variant \"\(variant)\": \(message)" }
}

/// Builds a variant from its manifest options (`variant: {name: chat, system: …}`).
public typealias VariantFactory = @Sendable (ComponentOptions) throws -> any Variant
