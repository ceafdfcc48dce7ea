// The hint an unknown name's error ends with, made one way everywhere.

/// ` (did you mean "top_p"?)` when one of `candidates` is close enough to `word` to be a likely
/// typo (see ``closestMatch(to:in:)``), else the empty string. `quote` is the mark around the
/// suggestion (the command line quotes its flags with `'`).
public func didYouMean(_ word: String, in candidates: [String], quote: String = "\"") -> String {
    didYouMean(suggestion: closestMatch(to: word, in: candidates), quote: quote)
}

/// The hint for a suggestion found beforehand (none: the empty string).
public func didYouMean(suggestion: String?, quote: String = "\"") -> String {
    suggestion.map { " (did you mean \(quote)\($0)\(quote)?)" } ?? ""
}

/// `unknown chat format "qwen" (did you mean "qwen25"?); known: v1, qwen25`: the message for a
/// name that is none of `known`.
public func unknownNameMessage(_ name: String, what: String, known: [String]) -> String {
    "unknown \(what) \"\(name)\"\(didYouMean(name, in: known)); known: \(known.joined(separator: ", "))"
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let lower = word.lowercased()
    if lower.count >= 3, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(lower) }) {
        return prefixed
    }
    let w = Array(lower)
    let scored = candidates.map { ($0, distance(w, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, w.count / 3) ? best.0 : nil
}
