import ZooCore

/// Qwen's byte-level BPE tokenizer, loaded from a tiktoken ranks file or Hugging Face files.
///
/// Encoding NFC-normalizes the text, splits it with Qwen's pre-tokenizer pattern, and merges
/// the bytes of each piece. Ids are identical to tiktoken's (for `.tiktoken` files) or to
/// Hugging Face `tokenizers` (for `tokenizer.json` / `vocab.json` + `merges.txt`).
/// Load one with ``init(contentsOf:)``.
public struct BytePairTokenizer: Tokenizer {
    /// Which merge rule the vocabulary defines.
    enum Merges: Sendable {
        /// tiktoken: a pair merges when its concatenation is a token; rank = id.
        case ranks
        /// Hugging Face: only listed pairs merge, in list order.
        case pairs(MergeTable)
    }

    let vocabulary: TokenVocabulary
    let merges: Merges
    let added: AddedTokens
    /// The id of each single byte, or -1 when a byte is not a token.
    let byteIDs: [Int32]
    /// Whether a piece that is itself a token skips merging (tiktoken; HF `ignore_merges`).
    let wholePieceLookup: Bool
    /// Whether to apply NFC before encoding.
    let normalizesNFC: Bool
    /// HF matches added tokens in the raw text and normalizes the rest; tiktoken-based Qwen
    /// code normalizes first. The two differ only for text like `>` + U+0338.
    let matchesAddedTokensBeforeNormalizing: Bool
    /// HF's unknown token, used for bytes that are not tokens (otherwise they are dropped).
    let unknownID: Int32?

    public let count: Int

    init(
        vocabulary: TokenVocabulary, merges: Merges, addedTokens: [AddedToken],
        wholePieceLookup: Bool, normalizesNFC: Bool, matchesAddedTokensBeforeNormalizing: Bool,
        unknownID: Int?
    ) {
        self.vocabulary = vocabulary
        self.merges = merges
        self.added = AddedTokens(addedTokens)
        self.wholePieceLookup = wholePieceLookup
        self.normalizesNFC = normalizesNFC
        self.matchesAddedTokensBeforeNormalizing = matchesAddedTokensBeforeNormalizing
        self.unknownID = unknownID.map(Int32.init)
        self.count = max(vocabulary.count, added.maxID + 1)
        byteIDs = vocabulary.withView { view in
            (0..<256).map { b in
                var byte = UInt8(b)
                return view.id(of: &byte, 1)
            }
        }
    }

    /// The special and added tokens, in definition order.
    public var addedTokens: [AddedToken] { added.tokens }

    // MARK: Tokenizer

    public func bytes(of id: Int) -> [UInt8]? {
        if let token = added.token(withID: id) { return Array(token.content.utf8) }
        return vocabulary.bytes(of: id)
    }

    public func specialTokenID(_ surface: String) -> Int? { added.id(of: surface) }

    public func isSpecial(_ id: Int) -> Bool { added.token(withID: id)?.isSpecial ?? false }

    public func encode(_ text: String, specialTokens: SpecialTokenHandling) -> [Int] {
        var out: [Int] = []
        let splitsAdded = specialTokens == .allowed && !added.isEmpty
        if splitsAdded && matchesAddedTokensBeforeNormalizing {
            // Split the raw text, then normalize each stretch between added tokens.
            Self.withUTF8(text) { raw in
                forEachSegment(raw, out: &out) { segment, out in
                    let stretch = String(decoding: segment, as: UTF8.self)
                    Self.withUTF8(normalize(stretch)) { encodeOrdinary($0, into: &out) }
                }
            }
        } else {
            Self.withUTF8(normalize(text)) { bytes in
                if splitsAdded {
                    forEachSegment(bytes, out: &out) { encodeOrdinary($0, into: &$1) }
                } else {
                    encodeOrdinary(bytes, into: &out)
                }
            }
        }
        return out
    }

    // MARK: Encoding steps

    private func normalize(_ text: String) -> String {
        normalizesNFC ? CanonicalComposition.nfc(text) : text
    }

    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }

    /// Emits added-token ids for their surfaces and hands the text between them to `ordinary`.
    private func forEachSegment(
        _ text: UnsafeBufferPointer<UInt8>, out: inout [Int],
        _ ordinary: (UnsafeBufferPointer<UInt8>, inout [Int]) -> Void
    ) {
        var position = 0
        while let match = added.nextMatch(in: text, from: position) {
            if match.range.lowerBound > position {
                ordinary(UnsafeBufferPointer(rebasing: text[position..<match.range.lowerBound]), &out)
            }
            out.append(match.id)
            position = match.range.upperBound
        }
        if position < text.count {
            ordinary(UnsafeBufferPointer(rebasing: text[position...]), &out)
        }
    }

    /// Pre-tokenizes and merges text that contains no added tokens.
    func encodeOrdinary(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int]) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        out.reserveCapacity(out.count + text.count / 3)
        var ids = [Int32](repeating: 0, count: 64)
        var starts = [Int32](repeating: 0, count: 65)
        vocabulary.withView { view in
            switch merges {
            case .ranks:
                PreTokenizer.split(text) { piece in
                    let rule = RankMergeRule(vocabulary: view, piece: base + piece.lowerBound)
                    encodePiece(base, piece, view, rule, &ids, &starts, &out)
                }
            case .pairs(let table):
                table.withView { pairs in
                    let rule = PairMergeRule(merges: pairs)
                    PreTokenizer.split(text) { piece in
                        encodePiece(base, piece, view, rule, &ids, &starts, &out)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func encodePiece<Rule: MergeRule>(
        _ base: UnsafePointer<UInt8>, _ piece: Range<Int>, _ view: TokenVocabulary.View, _ rule: Rule,
        _ ids: inout [Int32], _ starts: inout [Int32], _ out: inout [Int]
    ) {
        let length = piece.count
        let bytes = base + piece.lowerBound
        if length == 1, byteIDs[Int(bytes[0])] >= 0 {
            out.append(Int(byteIDs[Int(bytes[0])]))
            return
        }
        if wholePieceLookup {
            let id = view.id(of: bytes, length)
            if id >= 0 {
                out.append(Int(id))
                return
            }
        }
        if ids.count < length {
            ids = [Int32](repeating: 0, count: length)
            starts = [Int32](repeating: 0, count: length + 1)
        }
        // One part per byte; bytes that are not tokens become the unknown token or vanish.
        var parts = 0
        for k in 0..<length {
            var id = byteIDs[Int(bytes[k])]
            if id < 0 {
                guard let unknownID else { continue }
                id = unknownID
            }
            ids[parts] = id
            starts[parts] = Int32(k)
            parts += 1
        }
        starts[parts] = Int32(length)
        guard parts > 0 else { return }
        ids.withUnsafeMutableBufferPointer { i in
            starts.withUnsafeMutableBufferPointer { s in
                BytePairMerge.run(ids: i.baseAddress!, starts: s.baseAddress!, count: parts, rule: rule, into: &out)
            }
        }
    }
}
