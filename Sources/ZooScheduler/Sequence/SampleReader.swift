import ZooCore

/// One sample's output read id by id, however the ids were chosen: the text each id releases,
/// stop strings, stop ids and the limits.
///
/// ``SampleStepper`` feeds it the ids it samples here; a remote engine feeds it the ids a server
/// chose. Either way a sample ends at the same id with the same text.
public struct SampleReader {
    /// The most ids to generate.
    public let maxTokens: Int
    /// Ids that end the sample.
    public let stopTokenIDs: Set<Int>
    private let tokenizer: (any Tokenizer)?
    private let includeSpecialTokens: Bool
    private var detokenizer = StreamingDetokenizer()
    private var matcher: StopStringMatcher
    /// The ids read so far, a final stop id included.
    public private(set) var tokens: [Int] = []
    /// Why the sample ended; `nil` while it goes on.
    public private(set) var finishReason: FinishReason?

    /// A reader of at most `maxTokens` ids; `tokenizer` turns them into text (`nil`: ids only), and
    /// `includeSpecialTokens` shows special tokens in the text instead of hiding them.
    public init(maxTokens: Int, stopTokenIDs: Set<Int>, stopStrings: [String] = [], tokenizer: (any Tokenizer)?,
                includeSpecialTokens: Bool = false) {
        self.maxTokens = maxTokens
        self.stopTokenIDs = stopTokenIDs
        self.tokenizer = tokenizer
        self.includeSpecialTokens = includeSpecialTokens
        matcher = StopStringMatcher(stops: stopStrings)
    }

    /// The text so far (stop ids, hidden special tokens and stop strings removed).
    public var text: String { matcher.text }

    /// Reads the next id and returns the text it released; sets ``finishReason`` when the id ends
    /// the sample.
    ///
    /// - Parameter roomForAnother: whether the sequence can take another id (else the sample ends
    ///   with ``FinishReason/contextFull`` unless something else ended it first).
    public mutating func read(_ id: Int, roomForAnother: Bool = true) throws -> String {
        precondition(finishReason == nil, "the sample has ended")
        tokens.append(id)
        var text = ""
        if let tokenizer, !stopTokenIDs.contains(id), includeSpecialTokens || !tokenizer.isSpecial(id) {
            let (emit, stop) = matcher.append(detokenizer.append(try tokenizer.bytes(of: [id])))
            text = emit
            if let stop { finishReason = .stopString(stop) }
        }
        if finishReason == nil {
            if stopTokenIDs.contains(id) {
                finishReason = .stopToken(id)
            } else if tokens.count >= maxTokens {
                finishReason = .length
            } else if !roomForAnother {
                finishReason = .contextFull
            }
            if finishReason != nil { text += flush() }
        }
        return text
    }

    /// Ends the sample for `reason` (its caller stopped it, or a remote ended it for a reason only
    /// the remote knew); returns the text still held back.
    public mutating func end(_ reason: FinishReason) -> String {
        guard finishReason == nil else { return "" }
        finishReason = reason
        return flush()
    }

    /// The held-back text once the sample has ended without a stop string.
    private mutating func flush() -> String {
        guard tokenizer != nil else { return "" }
        let (emit, _) = matcher.append(detokenizer.flush())
        return emit + matcher.finish()
    }
}
