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
public final class GrammarMatcher: Sendable {
    /// A sequence's position in the grammar.
    public typealias State = Int32

    public let grammar: Grammar
    let trie: TokenTrie
    private let core: Mutex<Core>

    /// The mask cache's budget; past it the cache starts again (states stay valid).
    static let maskCacheBytes = 128 << 20

    struct Core {
        var automaton: PushdownAutomaton
        var masks: [Int32: TokenMask] = [:]
        var maskBytes = 0
        var walkStates: [Int32] = []
        var bits: [UInt64] = []
    }

    /// Binds `grammar` to `vocabulary` (its token trie is built once per vocabulary).
    public init(grammar: Grammar, vocabulary: SamplingVocabulary) throws {
        self.grammar = grammar
        trie = TokenTrie.shared(for: vocabulary)
        core = Mutex(Core(automaton: try PushdownAutomaton(grammar: grammar)))
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
            let m = try Self.walk(trie, from: state, core: &core)
            if core.maskBytes + m.byteSize > Self.maskCacheBytes {
                core.masks.removeAll()
                core.maskBytes = 0
            }
            core.masks[state] = m
            core.maskBytes += m.byteSize
            return m
        }
    }

    /// Walks the token trie in preorder from `state`, skipping every subtree whose prefix dies.
    private static func walk(_ trie: TokenTrie, from state: Int32, core: inout Core) throws -> TokenMask {
        let words = (trie.vocabularyCount + 63) / 64
        if core.bits.count != words { core.bits = [UInt64](repeating: 0, count: words) }
        if core.walkStates.count < trie.maxDepth + 1 { core.walkStates = [Int32](repeating: 0, count: trie.maxDepth + 1) }
        var count = 0
        var bits = core.bits
        var states = core.walkStates
        core.bits = []
        core.walkStates = []
        for w in bits.indices { bits[w] = 0 }
        states[0] = state
        let n = trie.nodeCount
        try trie.edgeByte.withUnsafeBufferPointer { edge in
            try trie.depth.withUnsafeBufferPointer { depth in
                try trie.subtreeEnd.withUnsafeBufferPointer { end in
                    try trie.tokenStart.withUnsafeBufferPointer { start in
                        try trie.tokenIDs.withUnsafeBufferPointer { ids in
                            var i = 1
                            while i < n {
                                let d = Int(depth[i])
                                let t = try core.automaton.next(states[d - 1], edge[i])
                                if t < 0 {
                                    i = Int(end[i])
                                    continue
                                }
                                states[d] = t
                                for k in Int(start[i])..<Int(start[i + 1]) {
                                    let id = Int(ids[k])
                                    bits[id >> 6] |= 1 << UInt64(id & 63)
                                    count += 1
                                }
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        let mask = TokenMask(bits: bits, count: count)
        core.bits = bits
        core.walkStates = states
        return mask
    }
}
