import ZooCore
import ZooScheduler

/// One sample of a remote request, read locally id by id by ``SampleReader`` (as a local sample is
/// read), plus what only a remote needs: a count of the ids the remote sent after the sample ended
/// here, for the "longer than asked" check. The remote only chooses the ids.
struct RemoteSample {
    private var reader: SampleReader
    /// Ids the remote sent for this sample, counted against `max_tokens` even after it ended here.
    private(set) var received = 0

    init(maxTokens: Int, stopTokenIDs: Set<Int>, stopStrings: [String], tokenizer: any Tokenizer, includeSpecialTokens: Bool) {
        reader = SampleReader(maxTokens: maxTokens, stopTokenIDs: stopTokenIDs, stopStrings: stopStrings,
                              tokenizer: tokenizer, includeSpecialTokens: includeSpecialTokens)
    }

    /// Ids accepted, a final stop id included.
    var tokens: [Int] { reader.tokens }
    /// Why the sample ended; `nil` while it goes on.
    var finishReason: FinishReason? { reader.finishReason }

    /// Takes the next id the remote chose; `nil` once the sample has ended here (the remote does not
    /// know the stop strings, so it may go on).
    mutating func accept(_ id: Int) throws -> TokenStep? {
        received += 1
        guard reader.finishReason == nil else { return nil }
        return TokenStep(id: id, text: try reader.read(id))
    }

    /// Ends the sample for a reason only the remote knew (its own end-of-sequence); returns the
    /// text still held back.
    mutating func end(_ reason: FinishReason) -> String { reader.end(reason) }

    var summary: SampleSummary {
        SampleSummary(tokens: reader.tokens, text: reader.text, finishReason: reader.finishReason ?? .stoppedByCaller, cachedPromptTokens: 0)
    }
}
