import ZooCore

/// An embedding table `[vocabulary, hidden]` read by token id.
struct TokenEmbedding: Sendable {
    let table: WeightTensor
    var vocabularySize: Int { table.rows }
    var hiddenSize: Int { table.columns }

    /// Throws for an id outside the table, before any work is done.
    func validate(_ tokens: [Int]) throws {
        guard !tokens.isEmpty else { throw EmptyPromptError() }
        for id in tokens where id < 0 || id >= vocabularySize {
            throw TokenOutOfRangeError(id: id, vocabularySize: vocabularySize)
        }
    }

    /// Copies the rows of `tokens` into `x[tokens.count, hidden]`.
    func lookup(_ tokens: [Int], into x: UnsafeMutablePointer<Float>) {
        for (t, id) in tokens.enumerated() {
            table.copyRow(id, into: x + t * hiddenSize)
        }
    }
}
