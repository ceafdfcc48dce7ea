/// Rejects left recursion, as llama.cpp does: a rule that can reach itself before reading a byte
/// would push return addresses forever. A rule reached again only in tail position (`x*`'s
/// `R ::= x R | ε` with a nullable `x`) is fine: the recognizer does not grow the stack for it.
struct LeftRecursionCheck {
    let grammar: Grammar

    init(_ grammar: Grammar) {
        self.grammar = grammar
    }

    /// Rules that can match the empty string.
    func nullableRules() -> [Bool] {
        var nullable = [Bool](repeating: false, count: grammar.ruleCount)
        var changed = true
        while changed {
            changed = false
            for r in 0..<grammar.ruleCount where !nullable[r] {
                for start in grammar.alternatives[r] where isNullable(from: Int(start), nullable) {
                    nullable[r] = true
                    changed = true
                    break
                }
            }
        }
        return nullable
    }

    private func isNullable(from position: Int, _ nullable: [Bool]) -> Bool {
        var p = position
        while true {
            switch grammar.program[p] {
            case .end: return true
            case .bytes: return false
            case .rule(let r): if !nullable[Int(r)] { return false }
            }
            p += 1
        }
    }

    func run(source: String) throws {
        let nullable = nullableRules()
        // Rules reachable at the left of each rule, and whether the call leaves a return address.
        var edges = [[(to: Int, tail: Bool)]](repeating: [], count: grammar.ruleCount)
        for r in 0..<grammar.ruleCount {
            for start in grammar.alternatives[r] {
                var p = Int(start)
                scan: while true {
                    switch grammar.program[p] {
                    case .end, .bytes: break scan
                    case .rule(let target):
                        let tail = grammar.program[p + 1] == .end
                        edges[r].append((Int(target), tail))
                        if !nullable[Int(target)] { break scan }
                    }
                    p += 1
                }
            }
        }
        for r in 0..<grammar.ruleCount {
            for edge in edges[r] where !edge.tail {
                if let path = path(from: edge.to, to: r, edges) {
                    let names = ([r] + path).map { grammar.ruleNames[$0] }
                    throw GrammarError(
                        source: source, location: "rule \(grammar.ruleNames[r])",
                        reason: "left recursion (\(names.joined(separator: " → "))): a rule may not start with itself; rewrite it with repetition, e.g. expr ::= term (\"+\" term)*")
                }
            }
        }
    }

    /// A path of rules from `start` to `goal` along left edges, if any.
    private func path(from start: Int, to goal: Int, _ edges: [[(to: Int, tail: Bool)]]) -> [Int]? {
        var parent = [Int](repeating: -2, count: grammar.ruleCount)
        parent[start] = -1
        var queue = [start]
        var head = 0
        while head < queue.count {
            let r = queue[head]
            head += 1
            if r == goal {
                var path: [Int] = []
                var k = r
                while k >= 0 { path.append(k); k = parent[k] }
                return path.reversed()
            }
            for e in edges[r] where parent[e.to] == -2 {
                parent[e.to] = r
                queue.append(e.to)
            }
        }
        return nil
    }
}
