extension Grammar {
    /// How far `text` gets in the grammar.
    public enum Match: Sendable, Equatable {
        /// The grammar matches all of `text`.
        case complete
        /// `text` is a proper prefix of something the grammar matches.
        case prefix
        /// The grammar rejects `text` at this byte offset.
        case rejected(at: Int)
    }

    /// Runs `text` (UTF-8 bytes) through the grammar, e.g. to check an output or a test case.
    public func match(_ text: some Sequence<UInt8>) throws -> Match {
        var automaton = try PushdownAutomaton(grammar: self)
        var state = automaton.initial
        for (offset, byte) in text.enumerated() {
            state = try automaton.next(state, byte)
            if state < 0 { return .rejected(at: offset) }
        }
        return automaton.isAccepting(state) ? .complete : .prefix
    }
}
