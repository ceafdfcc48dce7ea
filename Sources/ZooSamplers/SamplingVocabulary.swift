import Synchronization
import ZooCore

/// The token text a stage that reads tokens needs (a grammar constraint): every id's bytes and
/// which ids are special. Built once per tokenizer and shared by every chain bound to it; what
/// stages derive from it (a token trie) is memoized here too, so it is built once per vocabulary.
public final class SamplingVocabulary: Sendable {
    /// The number of ids the tokenizer defines (`0..<count`).
    public let count: Int
    private let tokenizer: any Tokenizer
    private let bytesTable = Mutex<[[UInt8]?]?>(nil)
    private let derived = Mutex<[String: any Sendable]>([:])

    /// A vocabulary over `tokenizer`'s ids; the bytes are read on first use.
    public init(tokenizer: any Tokenizer) {
        self.tokenizer = tokenizer
        count = tokenizer.count
    }

    /// Every id's bytes (`nil` for an id without any), indexed by id.
    public var tokenBytes: [[UInt8]?] {
        bytesTable.withLock { table in
            if let table { return table }
            let built = (0..<count).map { tokenizer.bytes(of: $0) }
            table = built
            return built
        }
    }

    /// Whether `id` is a special token (`<|im_end|>`…), which never appears inside constrained text.
    public func isSpecial(_ id: Int) -> Bool { tokenizer.isSpecial(id) }

    /// The value stored under `key`, made by `make` the first time. `make` runs outside the lock
    /// (it may memoize other values); if two callers race, the first value stored wins.
    public func memoized<Value: Sendable>(_ key: String, _ make: () throws -> Value) rethrows -> Value {
        if let value = derived.withLock({ $0[key] as? Value }) { return value }
        let value = try make()
        return derived.withLock { table in
            if let stored = table[key] as? Value { return stored }
            table[key] = value
            return value
        }
    }
}

/// A stage that must know the token text before it can run (a grammar constraint). A chain binds
/// its stages when it is about to sample (``SamplerChain/bind(to:stopIDs:)``); an unbound stage
/// fails instead of sampling outside its constraint.
public protocol VocabularyBoundStage: SamplerStage {
    /// Gives the stage the vocabulary and the ids that end the sequence (allowed only where the
    /// stage's constraint is complete).
    mutating func bind(to vocabulary: SamplingVocabulary, stopIDs: Set<Int>) throws
}

extension SamplerChain {
    /// Whether a stage needs ``bind(to:stopIDs:)`` before sampling.
    public var needsVocabulary: Bool { stages.contains { $0 is any VocabularyBoundStage } }

    /// Binds every ``VocabularyBoundStage`` to `vocabulary` and the sequence's `stopIDs`.
    public mutating func bind(to vocabulary: SamplingVocabulary, stopIDs: Set<Int>) throws {
        try bindStages { stage in
            guard var bound = stage as? any VocabularyBoundStage else { return nil }
            try bound.bind(to: vocabulary, stopIDs: stopIDs)
            return bound
        }
    }
}
