import ZooSamplers

/// Every ordinary token's bytes in one trie, laid out in preorder so a walk is a loop over arrays:
/// a node's subtree is the run `i..<subtreeEnd[i]`, so a dead prefix skips all its tokens at once.
///
/// Special tokens are left out (they never appear inside constrained text); so are ids without
/// bytes.
final class TokenTrie: Sendable {
    /// The byte on the edge into node `i` (node 0 is the root).
    let edgeByte: [UInt8]
    /// The depth of node `i` (the root is 0).
    let depth: [UInt16]
    /// One past the last node of `i`'s subtree.
    let subtreeEnd: [Int32]
    /// Tokens ending at node `i` are `tokenIDs[tokenStart[i]..<tokenStart[i + 1]]`.
    let tokenStart: [Int32]
    let tokenIDs: [Int32]
    /// For nodes with at least ``summaryMinTokens`` tokens below them: an index into
    /// ``subtreeBytes`` (else -1).
    let summarySlot: [Int32]
    /// Every byte on an edge strictly below the node: a walk whose state steps to itself on all of
    /// them knows every token of the subtree ends in that state without visiting it.
    let subtreeBytes: [ByteSet]
    static let summaryMinTokens = 4
    /// The longest token in node `i`'s subtree, in bytes: a walk after long tokens only
    /// (``GrammarMatcher``'s shared repetition masks) skips subtrees of short ones.
    let longestBelow: [UInt16]
    /// The byte length of each token of ``tokenIDs``, in the same order.
    let tokenLength: [UInt16]
    /// Every token id, longest first; the first `longerCount[n]` are those of more than `n` bytes.
    let idsLongestFirst: [Int32]
    let longerCount: [Int32]
    /// The width of a mask: the vocabulary's id count.
    let vocabularyCount: Int
    let maxDepth: Int

    /// The trie over `vocabulary`, built once per vocabulary and shared.
    static func shared(for vocabulary: SamplingVocabulary) -> TokenTrie {
        vocabulary.memoized("ZooGrammar.TokenTrie") { TokenTrie(vocabulary) }
    }

    init(_ vocabulary: SamplingVocabulary) {
        let table = vocabulary.tokenBytes
        var ids: [Int32] = []
        for (id, bytes) in table.enumerated() {
            guard let bytes, !bytes.isEmpty, !vocabulary.isSpecial(id) else { continue }
            ids.append(Int32(id))
        }
        ids.sort { a, b in table[Int(a)]!.lexicographicallyPrecedes(table[Int(b)]!) }

        var edgeByte: [UInt8] = [0], depth: [UInt16] = [0], subtreeEnd: [Int32] = [0]
        var tokensAt: [Int32] = [0]   // count per node, turned into starts below
        var tokenIDs: [Int32] = []
        var tokenLength: [UInt16] = []
        var path: [Int] = [0]         // node ids along the current token's bytes (path[0] = root)
        var previous: [UInt8] = []
        for id in ids {
            let bytes = table[Int(id)]!
            var common = 0
            while common < min(bytes.count, previous.count), bytes[common] == previous[common] { common += 1 }
            while path.count > common + 1 {
                subtreeEnd[path.removeLast()] = Int32(edgeByte.count)
            }
            for b in bytes[common...] {
                edgeByte.append(b)
                depth.append(UInt16(min(path.count, Int(UInt16.max))))
                subtreeEnd.append(0)
                tokensAt.append(0)
                path.append(edgeByte.count - 1)
            }
            tokensAt[path.last!] += 1
            tokenIDs.append(id)
            tokenLength.append(UInt16(min(bytes.count, Int(UInt16.max))))
            previous = bytes
        }
        while let n = path.popLast() { subtreeEnd[n] = Int32(edgeByte.count) }
        var starts = [Int32](repeating: 0, count: edgeByte.count + 1)
        for i in 0..<edgeByte.count { starts[i + 1] = starts[i] + tokensAt[i] }
        // Byte summaries, children before parents (reverse preorder); a node's parent is the
        // nearest earlier node one level up.
        let n = edgeByte.count
        var parent = [Int32](repeating: 0, count: n)
        var lastAtDepth = [Int32](repeating: 0, count: Int(depth.max() ?? 0) + 1)
        for i in 1..<max(n, 1) {
            parent[i] = lastAtDepth[Int(depth[i]) - 1]
            lastAtDepth[Int(depth[i])] = Int32(i)
        }
        var below = [ByteSet](repeating: ByteSet(), count: n)
        var longestBelow = depth
        for i in stride(from: n - 1, through: 1, by: -1) {
            let p = Int(parent[i])
            below[p].formUnion(below[i])
            below[p].insert(edgeByte[i])
            longestBelow[p] = max(longestBelow[p], longestBelow[i])
        }
        let byLength = tokenIDs.indices.sorted { tokenLength[$0] > tokenLength[$1] }
        let maxLength = Int(tokenLength.max() ?? 0)
        var longerCount = [Int32](repeating: 0, count: maxLength + 1)
        for length in tokenLength where length > 0 { longerCount[Int(length) - 1] += 1 }
        for n in stride(from: maxLength - 1, through: 0, by: -1) { longerCount[n] += longerCount[n + 1] }
        var summarySlot = [Int32](repeating: -1, count: n)
        var subtreeBytes: [ByteSet] = []
        for i in 1..<max(n, 1) where starts[Int(subtreeEnd[i])] - starts[i] >= Self.summaryMinTokens {
            summarySlot[i] = Int32(subtreeBytes.count)
            subtreeBytes.append(below[i])
        }
        self.summarySlot = summarySlot
        self.subtreeBytes = subtreeBytes
        self.longestBelow = longestBelow
        self.tokenLength = tokenLength
        self.idsLongestFirst = byLength.map { tokenIDs[$0] }
        self.longerCount = longerCount
        self.edgeByte = edgeByte
        self.depth = depth
        self.subtreeEnd = subtreeEnd
        self.tokenStart = starts
        self.tokenIDs = tokenIDs
        self.vocabularyCount = vocabulary.count
        self.maxDepth = Int(depth.max() ?? 0)
    }

    var nodeCount: Int { edgeByte.count }

    /// The tokens of more than `length` bytes.
    func tokens(longerThan length: Int) -> ArraySlice<Int32> {
        idsLongestFirst.prefix(length < longerCount.count ? Int(longerCount[max(0, length)]) : 0)
    }
}
