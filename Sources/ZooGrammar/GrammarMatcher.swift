import Synchronization
import ZooSamplers

/// A compiled grammar bound to a vocabulary: the states a constrained sequence goes through and
/// the tokens each one allows.
///
/// One matcher is shared by every sequence constrained by the same grammar over the same
/// vocabulary (its states and masks are memoized under a lock), and a sequence keeps only its
/// current state id. A mask is computed by walking the vocabulary's token trie with the state:
/// a prefix the grammar rejects skips every token under it, and byte steps are lookups in the
/// lazily built automaton. Each state's mask is computed once and cached.
///
/// A state seen for the first time is split the way XGrammar and llguidance split masks: its stacks
/// are cut to their top ``projectionDepth`` frames, and the projection's walk sorts tokens into
/// those accepted whatever lies below (shared by every state with the same top, e.g. every JSON
/// string value whatever follows it) and the few that reach the cut (e.g. those holding the closing
/// quote), which alone are checked against the real state.
///
/// States that differ only in a bounded repetition's count left (a `maxLength` string, a number's
/// digits) share their walk: once one of them is walked, another needs a walk of only the tokens
/// too long to be sure of (``RepetitionLevels``).
public final class GrammarMatcher: Sendable {
    /// A sequence's position in the grammar.
    public typealias State = Int32

    /// The grammar being matched.
    public let grammar: Grammar
    let trie: TokenTrie
    private let tokenBytes: [[UInt8]?]
    private let core: Mutex<Core>

    /// How many top frames a projection keeps (a character class, its repetition, the string).
    static let projectionDepth = 3
    /// Past this many uncertain tokens a projection is not worth it: the state is walked whole.
    static let uncertainLimit = 30_000

    /// What a projected state's walk found.
    struct Split {
        var bits: [UInt64]
        var count: Int
        var uncertain: [Int32]

        /// The memory it holds, for the cache's budget.
        var byteSize: Int { bits.count * 8 + uncertain.count * 4 }
    }

    /// The walk of the state of the highest reach among those of one repetition shape.
    struct LevelSibling {
        var reach: Int
        var split: Split
    }

    /// The mask cache's budget; past it the cache starts again (states stay valid).
    static let maskCacheBytes = 128 << 20

    struct Core {
        var automaton: PushdownAutomaton
        var masks: [Int32: TokenMask] = [:]
        var splits: [Int32: Split] = [:]
        var siblings: [Int32: LevelSibling] = [:]
        var maskBytes = 0
        var walkStates: [Int32] = []
        var bits: [UInt64] = []
    }

    /// Binds `grammar` to `vocabulary` (its token trie is built once per vocabulary).
    public init(grammar: Grammar, vocabulary: SamplingVocabulary) throws {
        self.grammar = grammar
        trie = TokenTrie.shared(for: vocabulary)
        tokenBytes = vocabulary.tokenBytes
        core = Mutex(Core(automaton: try PushdownAutomaton(grammar: grammar)))
        // The state before any input is every request's first: its mask is part of compiling.
        _ = try mask(initialState)
    }

    /// The state before any token.
    public var initialState: State { core.withLock { $0.automaton.initial } }

    /// Whether the grammar is complete in `state` (a stop id may follow).
    public func isAccepting(_ state: State) -> Bool { core.withLock { $0.automaton.isAccepting(state) } }

    /// Whether `state` can take more text (if not, only the end may follow).
    public func canContinue(_ state: State) -> Bool { core.withLock { $0.automaton.canContinue(state) } }

    /// The state after `bytes`, or `nil` if the grammar rejects them.
    public func advance(_ state: State, bytes: [UInt8]) throws -> State? {
        let s = try core.withLock { try $0.automaton.next(state, bytes: bytes) }
        return s < 0 ? nil : s
    }

    /// The ordinary tokens `state` allows (no stop or special id).
    public func mask(_ state: State) throws -> TokenMask {
        try core.withLock { core in
            if let m = core.masks[state] { return m }
            let m = try computeMask(state, core: &core)
            if core.maskBytes + m.byteSize > Self.maskCacheBytes {
                core.masks.removeAll()
                core.splits.removeAll()
                core.siblings.removeAll()
                core.maskBytes = 0
            }
            core.masks[state] = m
            core.maskBytes += m.byteSize
            return m
        }
    }

    /// The mask by its definition, token by token: each ordinary token's bytes read from `state`.
    /// No trie, projection or cache; the fast path (``mask(_:)``) is tested against it.
    func referenceMask(_ state: State) throws -> TokenMask {
        try core.withLock { core in
            var bits = [UInt64](repeating: 0, count: (trie.vocabularyCount + 63) / 64)
            var count = 0
            for id in trie.tokenIDs where try core.automaton.next(state, bytes: tokenBytes[Int(id)]!) >= 0 {
                bits[Int(id) >> 6] |= 1 << UInt64(id & 63)
                count += 1
            }
            return TokenMask(bits: bits, count: count)
        }
    }

    private func computeMask(_ state: Int32, core: inout Core) throws -> TokenMask {
        let top = try core.automaton.projected(state, depth: Self.projectionDepth)
        if top == state {
            let whole = try walk(state, core: &core)
            return TokenMask(bits: whole.bits, count: whole.count)
        }
        let split: Split
        if let s = core.splits[top] {
            split = s
        } else {
            split = try walk(top, core: &core)
            core.splits[top] = split
            core.maskBytes += split.byteSize
        }
        if split.uncertain.count > Self.uncertainLimit { return try Self.walk(trie, from: state, core: &core).mask }
        var bits = split.bits
        var count = split.count
        for id in split.uncertain where try core.automaton.next(state, bytes: tokenBytes[Int(id)]!) >= 0 {
            bits[Int(id) >> 6] |= 1 << UInt64(id & 63)
            count += 1
        }
        return TokenMask(bits: bits, count: count)
    }

    /// `state`'s walk, shared with the other states of its repetition shape: from the one of the
    /// highest reach walked so far, if any, only tokens too long to share are walked again.
    private func walk(_ state: Int32, core: inout Core) throws -> Split {
        guard let (shape, reach) = try core.automaton.repetitionShape(state) else {
            return try Self.walk(trie, from: state, core: &core).split
        }
        let sibling = core.siblings[shape]
        let split: Split
        if let sibling {
            split = try shared(sibling.split, upTo: min(reach, sibling.reach), state: state, core: &core)
        } else {
            split = try Self.walk(trie, from: state, core: &core).split
        }
        if reach > sibling?.reach ?? 0 {
            core.maskBytes += split.byteSize - (sibling?.split.byteSize ?? 0)
            core.siblings[shape] = LevelSibling(reach: reach, split: split)
        }
        return split
    }

    /// `state`'s walk from a walk of its shape that holds for every token of at most `length`
    /// bytes: the longer ones are walked from `state`.
    private func shared(_ sibling: Split, upTo length: Int, state: Int32, core: inout Core) throws -> Split {
        let long = try Self.walk(trie, from: state, longerThan: length, core: &core).split
        var bits = sibling.bits
        for id in trie.tokens(longerThan: length) { bits[Int(id) >> 6] &= ~(1 << UInt64(id & 63)) }
        var count = 0
        for w in bits.indices {
            bits[w] |= long.bits[w]
            count += bits[w].nonzeroBitCount
        }
        var uncertain = sibling.uncertain.filter { tokenBytes[Int($0)]!.count <= length }
        uncertain += long.uncertain
        return Split(bits: bits, count: count, uncertain: uncertain)
    }

    /// Walks the token trie in preorder from `state`, skipping every subtree whose prefix dies.
    /// With `longerThan`, only tokens of more bytes are looked at (subtrees of shorter ones are
    /// skipped too).
    /// Tokens that end in a definite parse are allowed; those that end only past a projection's
    /// cut are uncertain.
    private static func walk(_ trie: TokenTrie, from state: Int32, longerThan shortest: Int = 0,
                             core: inout Core) throws -> (mask: TokenMask, split: Split) {
        let words = (trie.vocabularyCount + 63) / 64
        if core.bits.count != words { core.bits = [UInt64](repeating: 0, count: words) }
        if core.walkStates.count < trie.maxDepth + 1 { core.walkStates = [Int32](repeating: 0, count: trie.maxDepth + 1) }
        var count = 0
        var uncertain: [Int32] = []
        var bits = core.bits
        var states = core.walkStates
        core.bits = []
        core.walkStates = []
        for w in bits.indices { bits[w] = 0 }
        states[0] = state
        let n = trie.nodeCount
        try bits.withUnsafeMutableBufferPointer { bits in
        try states.withUnsafeMutableBufferPointer { states in
        try trie.edgeByte.withUnsafeBufferPointer { edge in
            try trie.depth.withUnsafeBufferPointer { depth in
                try trie.subtreeEnd.withUnsafeBufferPointer { end in
                    try trie.tokenStart.withUnsafeBufferPointer { start in
                        try trie.tokenIDs.withUnsafeBufferPointer { ids in
                        try trie.summarySlot.withUnsafeBufferPointer { summary in
                        try trie.longestBelow.withUnsafeBufferPointer { longest in
                        try trie.tokenLength.withUnsafeBufferPointer { length in
                            var i = 1
                            while i < n {
                                if Int(longest[i]) <= shortest {
                                    i = Int(end[i])
                                    continue
                                }
                                let d = Int(depth[i])
                                let t = try core.automaton.next(states[d - 1], edge[i])
                                if t < 0 {
                                    i = Int(end[i])
                                    continue
                                }
                                if core.automaton.isBeyondCut(t) {
                                    // Past the cut whatever follows: the whole subtree is uncertain.
                                    for k in Int(start[i])..<Int(start[Int(end[i])]) where Int(length[k]) > shortest {
                                        uncertain.append(ids[k])
                                    }
                                    i = Int(end[i])
                                    continue
                                }
                                if t == states[d - 1], summary[i] >= 0,
                                   try core.automaton.selfLoops(t).isSuperset(of: trie.subtreeBytes[Int(summary[i])]) {
                                    // Every byte below steps t to itself: each token of the subtree ends in t.
                                    let tokens = Int(start[i])..<Int(start[Int(end[i])])
                                    if core.automaton.isDefinite(t) {
                                        for k in tokens where Int(length[k]) > shortest {
                                            let id = Int(ids[k])
                                            bits[id >> 6] |= 1 << UInt64(id & 63)
                                            count += 1
                                        }
                                    } else {
                                        for k in tokens where Int(length[k]) > shortest { uncertain.append(ids[k]) }
                                    }
                                    i = Int(end[i])
                                    continue
                                }
                                states[d] = t
                                let tokens = Int(start[i])..<Int(start[i + 1])
                                if !tokens.isEmpty, d > shortest {
                                    if core.automaton.isDefinite(t) {
                                        for k in tokens {
                                            let id = Int(ids[k])
                                            bits[id >> 6] |= 1 << UInt64(id & 63)
                                            count += 1
                                        }
                                    } else {
                                        for k in tokens { uncertain.append(ids[k]) }
                                    }
                                }
                                i += 1
                            }
                        }
                        }
                        }
                        }
                    }
                }
            }
        }
        }
        }
        let mask = TokenMask(bits: bits, count: count)
        core.bits = bits
        core.walkStates = states
        return (mask, Split(bits: bits, count: count, uncertain: uncertain))
    }
}
