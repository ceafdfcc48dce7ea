/// The count levels of a grammar's bounded repetitions, so masks can be shared between states
/// that differ only in how many repetitions are left.
///
/// `x{0,k}` is lowered to a chain of rules `O(j) ::= x O(j-1) | ε` (``GrammarLowering``), one per
/// count left, so every count is a state of its own: a string of `maxLength` 40 goes through 40
/// states, and each one's first mask would walk the whole vocabulary. Yet a token of `n` bytes
/// completes at most `n` of the repetitions (each reads a byte at least; an empty one can be left
/// out), so a stack frame at level `j > n` lets the token through exactly when the same frame at
/// any other level above `n` does. Two states that are equal once every level is replaced by one
/// fixed level (their *shape*) therefore allow the same tokens of fewer bytes than their lowest
/// level, and only the longer tokens need to be looked at again.
///
/// Levels start at 2: `O(1) ::= x | ε` is laid out differently from the rest of its chain and
/// stays as it is.
struct RepetitionLevels: Sendable {
    /// The level of the chain rule each program position lies in (0: not in a chain).
    let level: [Int32]
    /// The same position in its chain's level-2 rule (for positions outside chains, the position).
    let levelFree: [Int32]
    /// Whether the grammar has any chain.
    let isEmpty: Bool

    /// `chains[c]` lists chain `c`'s rules from level 2 up; `alternatives` are each rule's
    /// alternatives' start positions in a program of `programCount` elements.
    init(chains: [[Int32]], alternatives: [[Int32]], programCount: Int) {
        var level = [Int32](repeating: 0, count: programCount)
        var levelFree = (0..<Int32(programCount)).map { $0 }
        for chain in chains {
            let base = alternatives[Int(chain[0])]
            for (i, rule) in chain.enumerated() {
                for (a, start) in alternatives[Int(rule)].enumerated() {
                    // `x O(j-1)` then the end, or the empty alternative's end: the same layout at
                    // every level from 2 up.
                    let length = a == 0 ? 3 : 1
                    for k in 0..<Int32(length) {
                        level[Int(start + k)] = Int32(i + 2)
                        levelFree[Int(start + k)] = base[a] + k
                    }
                }
            }
        }
        self.level = level
        self.levelFree = levelFree
        isEmpty = chains.isEmpty
    }
}
