/// A special or added token: a surface form matched whole in text, never split by BPE.
public struct AddedToken: Sendable, Equatable {
    /// The text that stands for the token, e.g. `<|im_end|>`.
    public let content: String
    /// The token id.
    public let id: Int
    /// Whether `skip_special_tokens` would drop it (HF `special`; non-special added tokens such
    /// as Qwen2.5's `<tool_call>` are still matched whole).
    public let isSpecial: Bool

    /// Creates an added token.
    public init(content: String, id: Int, isSpecial: Bool) {
        self.content = content
        self.id = id
        self.isSpecial = isSpecial
    }
}

/// The added tokens of a tokenizer, indexed for lookup by id, by surface, and for scanning text.
struct AddedTokens: Sendable {
    let tokens: [AddedToken]
    private let utf8: [[UInt8]]
    private let indexByID: [Int: Int]
    private let idBySurface: [String: Int]
    /// Per first byte: token indices, longest surface first so overlaps resolve to the longest.
    private let candidates: [[Int]]

    init(_ tokens: [AddedToken]) {
        // Later definitions of the same surface or id win, as a dictionary build would do.
        self.tokens = tokens
        utf8 = tokens.map { Array($0.content.utf8) }
        var indexByID: [Int: Int] = [:]
        var idBySurface: [String: Int] = [:]
        var candidates = [[Int]](repeating: [], count: 256)
        for (i, token) in tokens.enumerated() {
            indexByID[token.id] = i
            idBySurface[token.content] = token.id
            if let first = utf8[i].first { candidates[Int(first)].append(i) }
        }
        let lengths = utf8.map(\.count)
        self.candidates = candidates.map { list in
            list.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 > $1 }
        }
        self.indexByID = indexByID
        self.idBySurface = idBySurface
    }

    var isEmpty: Bool { tokens.isEmpty }
    var maxID: Int { tokens.map(\.id).max() ?? -1 }

    func token(withID id: Int) -> AddedToken? { indexByID[id].map { tokens[$0] } }
    func id(of surface: String) -> Int? { idBySurface[surface] }

    /// The first added token in `text[from...]`: its byte range and id.
    func nextMatch(in text: UnsafeBufferPointer<UInt8>, from: Int) -> (range: Range<Int>, id: Int)? {
        var i = from
        let n = text.count
        while i < n {
            let list = candidates[Int(text[i])]
            for index in list {
                let surface = utf8[index]
                if surface.count <= n - i && surface.withUnsafeBufferPointer({
                    memEqual($0.baseAddress!, text.baseAddress! + i, $0.count)
                }) {
                    return (i..<i + surface.count, tokens[index].id)
                }
            }
            i += 1
        }
        return nil
    }
}
