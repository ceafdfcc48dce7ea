/// A prompt being assembled from control tokens (as ids) and text.
///
/// The text between two control tokens is encoded as one piece with special-token strings as plain text, which
/// equals HF's encoding of the assembled string whenever the text holds no such strings (HF splits a rendered
/// template at its added tokens and encodes each stretch between them in one go).
public struct PromptPieces: Sendable {
    private enum Piece: Sendable { case token(Int), text(String) }
    private var pieces: [Piece] = []

    public init() {}

    /// Appends a control token.
    public mutating func append(_ id: Int) { pieces.append(.token(id)) }
    /// Appends text, which never becomes a control token.
    public mutating func append(_ text: String) { pieces.append(.text(text)) }

    /// The prompt's ids.
    public func encode(_ tokenizer: any Tokenizer) -> [Int] {
        var out: [Int] = []
        var pending = ""
        for piece in pieces {
            switch piece {
            case .text(let t): pending += t
            case .token(let id):
                if !pending.isEmpty { out += tokenizer.encode(pending, specialTokens: .asText) }
                pending = ""
                out.append(id)
            }
        }
        if !pending.isEmpty { out += tokenizer.encode(pending, specialTokens: .asText) }
        return out
    }
}
