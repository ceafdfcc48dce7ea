import ZooCore

/// The rows of a batched forward pass: every entry's tokens one after another, and where each
/// sequence's rows start, at which position, in which cache.
struct BatchRows {
    /// One entry's place in the rows.
    struct Sequence {
        let firstRow: Int
        let tokens: Int
        /// The position of its first new token (the tokens its cache already holds).
        let position: Int
        let cache: any KVCache
        let logits: LogitsSelection?
    }

    let sequences: [Sequence]
    /// Every entry's tokens, in order.
    let tokens: [Int]
    var count: Int { tokens.count }

    /// Checks every entry before anything runs: ids inside the table, room in each cache, no cache twice.
    init(_ batch: [BatchEntry], embedding: TokenEmbedding) throws {
        var sequences: [Sequence] = [], tokens: [Int] = []
        sequences.reserveCapacity(batch.count)
        for entry in batch {
            try embedding.validate(entry.tokens)
            let needed = entry.cache.count + entry.tokens.count
            guard needed <= entry.cache.capacity else {
                throw ContextOverflowError(requested: needed, capacity: entry.cache.capacity)
            }
            precondition(!sequences.contains { $0.cache === entry.cache }, "a batch runs each cache once")
            sequences.append(Sequence(firstRow: tokens.count, tokens: entry.tokens.count, position: entry.cache.count,
                                      cache: entry.cache, logits: entry.logits))
            tokens += entry.tokens
        }
        precondition(!tokens.isEmpty, "a batch needs at least one entry")
        self.sequences = sequences
        self.tokens = tokens
    }

    /// Makes every sequence's new rows part of its cache.
    func commit() {
        for s in sequences { s.cache.commit(tokens: s.tokens) }
    }

    /// The rows whose logits are wanted, as (first row, count) per sequence (`nil`: none).
    var selectedRows: [(first: Int, count: Int)?] {
        sequences.map { s in
            switch s.logits {
            case nil: nil
            case .last: (s.firstRow + s.tokens - 1, 1)
            case .all: (s.firstRow, s.tokens)
            }
        }
    }
}
