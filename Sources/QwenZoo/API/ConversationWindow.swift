import QwenChat
import ZooCore

/// How many tokens a conversation's prompt may hold in a ``ChatSession``: the context less room
/// for a reply (`max_tokens`, at most half the context), and no more than the variant's
/// `history_budget` when it has one.
public struct ConversationWindow: Sendable {
    /// The most prompt tokens a turn may start with.
    public let tokens: Int
    private let model: LoadedModel

    /// The window of `model` for requests made with `options`.
    public init(model: LoadedModel, options: GenerationOptions) {
        let context = model.model.contextLength
        let reply = min(model.limits(for: options).maxTokens, context / 2)
        tokens = min(context - reply, model.variant.historyBudget ?? .max)
        self.model = model
    }

    /// The warning a response carries when the session dropped turns to stay in the window.
    public func notice(dropped turns: Int) -> String {
        "\(Self.noticeStart) \(tokens) tokens: dropped the oldest \(turns) turns"
    }

    /// Whether a response's warning is a ``notice(dropped:)`` (a chat front end may say it once).
    public static func isNotice(_ warning: String) -> Bool { warning.hasPrefix(noticeStart) }

    private static let noticeStart = "the conversation outgrew its window of"

    /// The prompt length of `messages` with every turn kept (a chat variant's own `history_budget`
    /// trimming lifted, so the session, not the variant, decides what to drop).
    public func length(of messages: [ChatMessage]) throws -> Int {
        try length(of: .chat(messages))
    }

    /// The prompt length of a chat (or tool chat) request with every turn kept.
    public func length(of request: VariantRequest) throws -> Int {
        var variant = model.variant
        if var chat = variant as? ChatVariant {
            chat.historyBudget = nil
            variant = chat
        }
        return try variant.prepare(request, tokenizer: model.tokenizer).tokens.count
    }
}
