import ZooCore
import ZooScheduler

/// One sample of a remote request, read locally id by id: the text each id releases, stop ids,
/// stop strings and `max_tokens`, exactly as a local sample ends. The remote only chooses the ids.
struct RemoteSample {
    let maxTokens: Int
    let stopTokenIDs: Set<Int>
    let tokenizer: any Tokenizer
    let includeSpecialTokens: Bool
    private var detokenizer = StreamingDetokenizer()
    private var matcher: StopStringMatcher
    /// Ids accepted, a final stop id included.
    private(set) var tokens: [Int] = []
    /// Ids the remote sent for this sample, counted against `max_tokens` even after it ended here.
    private(set) var received = 0
    /// Why the sample ended; `nil` while it goes on.
    private(set) var finishReason: FinishReason?

    init(maxTokens: Int, stopTokenIDs: Set<Int>, stopStrings: [String], tokenizer: any Tokenizer, includeSpecialTokens: Bool) {
        self.maxTokens = maxTokens
        self.stopTokenIDs = stopTokenIDs
        self.tokenizer = tokenizer
        self.includeSpecialTokens = includeSpecialTokens
        matcher = StopStringMatcher(stops: stopStrings)
    }

    var text: String { matcher.text }

    /// Takes the next id the remote chose; `nil` once the sample has ended here (the remote does not
    /// know the stop strings, so it may go on).
    mutating func accept(_ id: Int) throws -> TokenStep? {
        received += 1
        guard finishReason == nil else { return nil }
        tokens.append(id)
        var step = TokenStep(id: id, text: "")
        if !stopTokenIDs.contains(id), includeSpecialTokens || !tokenizer.isSpecial(id) {
            let (emit, stop) = matcher.append(detokenizer.append(try tokenizer.bytes(of: [id])))
            step.text = emit
            if let stop { finishReason = .stopString(stop) }
        }
        if finishReason == nil {
            if stopTokenIDs.contains(id) {
                finishReason = .stopToken(id)
            } else if tokens.count >= maxTokens {
                finishReason = .length
            }
            if finishReason != nil { step.text += flush() }
        }
        return step
    }

    /// Ends the sample for a reason only the remote knew (its own end-of-sequence); returns the
    /// text still held back.
    mutating func end(_ reason: FinishReason) -> String {
        guard finishReason == nil else { return "" }
        finishReason = reason
        return flush()
    }

    var summary: SampleSummary {
        SampleSummary(tokens: tokens, text: matcher.text, finishReason: finishReason ?? .stoppedByCaller, cachedPromptTokens: 0)
    }

    private mutating func flush() -> String {
        let (emit, _) = matcher.append(detokenizer.flush())
        return emit + matcher.finish()
    }
}
