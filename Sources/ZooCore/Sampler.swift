/// Picks the next token from a row of logits.
///
/// Samplers see logits and the token history only, never the model or the prompt format, so a
/// chain of them can be rearranged freely. A sampler may modify the logits it is given.
public protocol TokenSampler {
    /// Chooses the next token id. `history` holds the prompt and everything generated so far.
    mutating func next(logits: inout [Float], history: [Int]) -> Int
}
