import ZooCore
import ZooSamplers

/// A sampler stage that keeps only the tokens a grammar allows next: `json`, `json_schema`,
/// `regex`, `grammar`, `choice` (see ``ConstraintStages``).
///
/// - Before each draw it reads the tokens chosen since its last step from the context, advances
///   its grammar state over their bytes (a token may end inside a UTF-8 character or span several
///   terminals), and removes every candidate the state does not allow.
/// - Special tokens are never allowed; a stop id only where the grammar is complete. Where the
///   grammar cannot go on, only stop ids remain, so generation ends.
/// - Nothing is ever let through: if no candidate is left (the grammar allows nothing, or an
///   earlier stage of the chain removed everything it allows) the step fails with a
///   ``ConstraintError``. Put constraint stages first in a chain.
public struct GrammarConstraintStage: VocabularyBoundStage {
    /// The stage name (`json_schema`, `grammar`…), used in errors and traces.
    public let name: String
    /// The compiled grammar.
    public let grammar: Grammar
    /// Identifies the grammar among those bound to one vocabulary (the stage name and its text).
    let key: String

    private var matcher: GrammarMatcher?
    private var tokenBytes: [[UInt8]?] = []
    private var stopIDs: [Int32] = []
    private var state: GrammarMatcher.State = 0
    private var consumed = 0
    /// The end of the constrained text so far, for error messages.
    private var recent: [UInt8] = []
    private var combined: [UInt64] = []

    /// A stage named `name` constraining by `grammar`; `key` must differ for different grammars.
    public init(name: String, grammar: Grammar, key: String) {
        self.name = name
        self.grammar = grammar
        self.key = key
    }

    /// Binds the grammar to `vocabulary` (its matcher is shared by every stage with the same
    /// grammar and vocabulary) and this sequence's stop ids.
    public mutating func bind(to vocabulary: SamplingVocabulary, stopIDs: Set<Int>) throws {
        let grammar = self.grammar
        let matcher = try vocabulary.memoized("ZooGrammar.matcher." + key) {
            try GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
        }
        self.matcher = matcher
        tokenBytes = vocabulary.tokenBytes
        self.stopIDs = stopIDs.filter { $0 >= 0 && $0 < vocabulary.count }.map { Int32($0) }.sorted()
        reset()
    }

    /// Starts the grammar over, for a new sequence.
    public mutating func reset() {
        state = matcher?.initialState ?? 0
        consumed = 0
        recent = []
    }

    /// Advances over the tokens chosen since the last step, then keeps only the allowed candidates.
    public mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        guard let matcher else {
            throw ConstraintError(stage: name, reason: "needs the tokenizer's vocabulary, but the chain was not bound to one (run it through a model with a tokenizer)")
        }
        try catchUp(with: context.generated, matcher)
        let accepting = matcher.isAccepting(state)
        if !matcher.canContinue(state) {
            guard accepting else {
                throw ConstraintError(stage: name, reason: "the grammar allows nothing after \(shownText): no text can follow and the output is not complete")
            }
            guard !stopIDs.isEmpty else {
                throw ConstraintError(stage: name, reason: "the output is complete (\(shownText)) but the sequence has no stop id to end it")
            }
            guard candidates.restrict(toSorted: stopIDs) > 0 else {
                throw ConstraintError(stage: name, reason: "the output is complete (\(shownText)) but an earlier stage removed every stop id; put \(name) first in the chain")
            }
            return
        }
        let mask = try matcher.mask(state)
        if mask.count == 0 && !(accepting && !stopIDs.isEmpty) {
            throw ConstraintError(stage: name, reason: "the grammar allows no token of the vocabulary after \(shownText)")
        }
        let kept: Int
        if let ids = mask.ids {
            kept = candidates.restrict(toSorted: merged(ids, accepting: accepting))
        } else {
            combined = mask.bits
            for id in stopIDs {
                let (w, bit) = (Int(id) >> 6, UInt64(1) << UInt64(id & 63))
                guard w < combined.count else { continue }
                if accepting { combined[w] |= bit } else { combined[w] &= ~bit }
            }
            kept = candidates.restrict(toBitmask: combined)
        }
        if kept == 0 {
            throw ConstraintError(stage: name, reason: "an earlier stage of the chain removed every token the grammar allows after \(shownText); put \(name) first in the chain")
        }
    }

    /// The allow-list with stop ids removed, or added where the grammar is complete.
    private func merged(_ ids: [Int32], accepting: Bool) -> [Int32] {
        if stopIDs.isEmpty { return ids }
        var out = ids.filter { !SamplerCandidates.sortedContains(stopIDs, $0) }
        if accepting {
            out += stopIDs
            out.sort()
        }
        return out
    }

    private mutating func catchUp(with generated: ArraySlice<Int>, _ matcher: GrammarMatcher) throws {
        if generated.count < consumed { reset() }
        while consumed < generated.count {
            let id = generated[generated.startIndex + consumed]
            consumed += 1
            if SamplerCandidates.sortedContains(stopIDs, Int32(id)) { continue }
            guard id >= 0, id < tokenBytes.count, let bytes = tokenBytes[id] else {
                throw ConstraintError(stage: name, reason: "token \(id) has no text in the vocabulary")
            }
            guard let next = try matcher.advance(state, bytes: bytes) else {
                throw ConstraintError(stage: name, reason: "token \(id) (\(Self.show(bytes))) does not fit the grammar after \(shownText)")
            }
            state = next
            recent += bytes
            if recent.count > 80 { recent.removeFirst(recent.count - 60) }
        }
    }

    private var shownText: String { recent.isEmpty ? "the start" : Self.show(recent) }

    private static func show(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return "\"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
