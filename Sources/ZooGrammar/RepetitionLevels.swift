/// The count levels of a grammar's bounded repetitions, so masks can be shared between states
/// that differ only in how many repetitions are left.
///
/// `x{0,k}` is lowered to a chain of rules `O(j) ::= x O(j-1) | ε` (``GrammarLowering``), one per
/// count left, so every count is a state of its own: a string of `maxLength` 40 goes through 40
/// states, and each one's first mask would walk the whole vocabulary. Yet a token of `n` bytes
/// completes at most `n / m` of the repetitions, if `x` is at least `m` bytes long (an empty one
/// can be left out), so a stack frame at level `j` lets a token of at most `m (j - 2) + 1` bytes
/// (the frame's *reach*; the current repetition may be unfinished) through exactly when the same
/// frame at any other level of at least that reach does. Two states that are equal once every
/// level is replaced by one fixed level (their *shape*) therefore allow the same tokens up to the
/// smaller of their frames' reaches, and only the longer tokens need to be looked at again.
///
/// Levels start at 2: `O(1) ::= x | ε` is laid out differently from the rest of its chain and
/// stays as it is.
struct RepetitionLevels: Sendable {
    /// The reach of a frame at each program position (0: not in a chain): tokens of at most this
    /// many bytes cannot use up the repetitions left there.
    let reach: [Int32]
    /// The same position in its chain's level-2 rule (for positions outside chains, the position).
    let levelFree: [Int32]
    /// Whether the grammar has any chain.
    let isEmpty: Bool

    /// `chains[c]` lists chain `c`'s rules from level 2 up; `alternatives` are each rule's
    /// alternatives' start positions in `program`.
    init(chains: [[Int32]], program: [Grammar.Element], alternatives: [[Int32]]) {
        var reach = [Int32](repeating: 0, count: program.count)
        var levelFree = (0..<Int32(program.count)).map { $0 }
        let shortest = chains.isEmpty ? [] : Self.shortestLengths(program, alternatives)
        for chain in chains {
            let base = alternatives[Int(chain[0])]
            let m: Int
            switch program[Int(base[0])] {
            case .rule(let x): m = max(1, shortest[Int(x)])
            default: m = 1
            }
            for (i, rule) in chain.enumerated() {
                let frameReach = Int32(min(m * i + 1, Int(Int32.max)))
                for (a, start) in alternatives[Int(rule)].enumerated() {
                    // `x O(j-1)` then the end, or the empty alternative's end: the same layout at
                    // every level from 2 up.
                    let length = a == 0 ? 3 : 1
                    for k in 0..<Int32(length) {
                        reach[Int(start + k)] = frameReach
                        levelFree[Int(start + k)] = base[a] + k
                    }
                }
            }
        }
        self.reach = reach
        self.levelFree = levelFree
        isEmpty = chains.isEmpty
    }

    /// The fewest bytes each rule can match (capped, so sums cannot overflow), or all zeros (no
    /// lengths known: every repetition counted as a byte) if a few passes do not settle them.
    static func shortestLengths(_ program: [Grammar.Element], _ alternatives: [[Int32]]) -> [Int] {
        let cap = 1 << 20
        var shortest = [Int](repeating: cap, count: alternatives.count)
        var changed = true
        var passes = 0
        while changed {
            // Until they settle the lengths are only upper bounds, which would overstate a reach.
            guard passes < 32 else { return [Int](repeating: 0, count: alternatives.count) }
            passes += 1
            changed = false
            for r in alternatives.indices {
                for start in alternatives[r] {
                    var p = Int(start), length = 0
                    scan: while true {
                        switch program[p] {
                        case .end: break scan
                        case .bytes: length += 1
                        case .rule(let x): length += shortest[Int(x)]
                        }
                        p += 1
                    }
                    if min(length, cap) < shortest[r] {
                        shortest[r] = min(length, cap)
                        changed = true
                    }
                }
            }
        }
        return shortest
    }
}
