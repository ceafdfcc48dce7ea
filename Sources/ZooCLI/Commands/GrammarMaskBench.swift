import Foundation
import QwenZoo

/// `zoo grammar --bench`: what a constraint costs per token on one thread, timed with the thread's
/// CPU clock (`CLOCK_THREAD_CPUTIME_ID`), which other processes on a busy machine do not inflate.
///
/// 1. Compile the grammar from its source five times, then bind it to the vocabulary once (a new
///    matcher: what a grammar's first request pays before its first mask).
/// 2. *Cold*: on that fresh matcher, generate `sequences` outputs of at most `maxTokens` tokens, each
///    step drawing one allowed token uniformly (what a random-weight model does under the
///    constraint), or follow `forced`'s tokens. Each step's time is advancing the state over the
///    previous token plus computing the mask, which is what the sampler stage pays per token.
/// 3. *Warm*: the same token sequences again on the same matcher (its per-state caches filled).
struct GrammarMaskBench {
    let compile: () throws -> Grammar
    let vocabulary: SamplingVocabulary
    let sequences: Int
    let maxTokens: Int
    let seed: UInt64
    /// Token sequences to follow instead of a random walk (each token must be allowed).
    let forced: [[Int]]?

    /// The thread's CPU time in microseconds.
    static func cpuMicros() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) / 1e3
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = cpuMicros()
        let value = try body()
        return (value, cpuMicros() - start)
    }

    func run() throws -> [String: Any] {
        // The vocabulary's token trie is built once per vocabulary, by its first matcher.
        let (_, trieMicros) = try Self.time { try GrammarMatcher(grammar: try ChoiceGrammar.grammar(["x"]), vocabulary: vocabulary) }
        var compiles: [Double] = []
        var grammar: Grammar?
        for _ in 0..<5 {
            let (g, t) = try Self.time(compile)
            compiles.append(t / 1000)
            grammar = g
        }
        let (matcher, bindMicros) = try Self.time { try GrammarMatcher(grammar: grammar!, vocabulary: vocabulary) }
        var random = SeededRandom(seed: seed)
        var cold: [Double] = [], first: [Double] = [], warm: [Double] = []
        var walked: [[Int]] = []
        var allowed = 0
        for s in 0..<(forced?.count ?? sequences) {
            var times: [Double] = []
            let ids = try generate(matcher, forced: forced?[s], random: &random, times: &times, allowed: &allowed)
            walked.append(ids)
            cold += times
            if s == 0 { first = times }
        }
        for ids in walked {
            var times: [Double] = []
            _ = try generate(matcher, forced: ids, random: &random, times: &times, allowed: &allowed)
            warm += times
        }
        return [
            "rules": grammar!.ruleCount,
            "trie_build_ms": trieMicros / 1000,
            "compile_ms": compiles, "bind_ms": bindMicros / 1000,
            "first_request_us": first, "cold_us": cold, "warm_us": warm,
            "sequences": walked.count, "tokens": walked.map(\.count).reduce(0, +),
            "mean_allowed": Double(allowed) / Double(max(1, cold.count + warm.count)),
            "clock": "CLOCK_THREAD_CPUTIME_ID",
        ]
    }

    /// One output: the state advanced token by token, each step timed (advance over the previous
    /// token + the mask). Ends where the grammar cannot go on, after `maxTokens`, or with `forced`.
    private func generate(_ matcher: GrammarMatcher, forced: [Int]?, random: inout SeededRandom,
                          times: inout [Double], allowed: inout Int) throws -> [Int] {
        let bytes = vocabulary.tokenBytes
        var state = matcher.initialState
        var ids: [Int] = []
        var previous: Int?
        while ids.count < (forced?.count ?? maxTokens) {
            let (mask, t) = try Self.time { () throws -> TokenMask? in
                if let previous {
                    guard let next = try matcher.advance(state, bytes: bytes[previous]!) else {
                        throw ConstraintError(stage: "bench", reason: "an allowed token \(previous) was rejected")
                    }
                    state = next
                }
                return matcher.canContinue(state) ? try matcher.mask(state) : nil
            }
            times.append(t)
            guard let mask, mask.count > 0 else { break }
            allowed += mask.count
            let id: Int
            if let forced {
                id = forced[ids.count]
                guard mask.contains(id) else {
                    throw ConstraintError(stage: "bench", reason: "token \(ids.count) of the text (id \(id)) is not allowed by the grammar")
                }
            } else {
                id = Self.pick(mask, Int(random.next() % UInt64(mask.count)))
            }
            ids.append(id)
            previous = id
        }
        return ids
    }

    /// The `k`-th allowed id in ascending order.
    static func pick(_ mask: TokenMask, _ k: Int) -> Int {
        if let ids = mask.ids { return Int(ids[k]) }
        var k = k
        for (w, word) in mask.bits.enumerated() {
            let c = word.nonzeroBitCount
            if k < c {
                var x = word
                for _ in 0..<k { x &= x - 1 }
                return w * 64 + x.trailingZeroBitCount
            }
            k -= c
        }
        return 0
    }
}
