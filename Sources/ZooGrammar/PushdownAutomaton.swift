/// Runs a ``Grammar`` over bytes: a pushdown recognizer whose configurations are memoized as the
/// states of a lazily built byte automaton.
///
/// - A *stack* is a chain of interned nodes `(position, parent)`: the position a rule has reached
///   and the stack it returns to. Interning shares tails, so a stack is one node id and equal
///   stacks are the same id.
/// - A *configuration* is the set of stacks whose top is a byte terminal, plus whether the root
///   rule can be complete here (the grammar is ambiguous-friendly: all parses advance together,
///   like llama.cpp's stack set).
/// - Each configuration is interned as a state with a transition row filled on demand, one entry
///   per byte class (``ByteClasses``: bytes no terminal tells apart step alike, and a short row
///   keeps a mask walk's lookups in cache),
///   so walking the same bytes from the same place again is a table lookup. Inside a JSON string,
///   for instance, every ordinary byte leads back to the same state.
/// - A *projected* state keeps only the top frames of each stack and ends them in a sentinel
///   (``projected(_:depth:)``): what it accepts without reaching the sentinel holds whatever the
///   stack below is, which lets masks be shared between states that differ only deep down.
///   Reaching the sentinel marks the configuration *escaped*, and it stays so.
struct PushdownAutomaton {
    static let dead: Int32 = -1
    private static let unknown: Int32 = -2
    /// The parent that stands for "the frames cut off by a projection".
    private static let sentinel: Int32 = -2
    /// The most states or nodes kept before the grammar is declared too large to run.
    static let maxStates = 400_000
    static let maxNodes = 8_000_000
    /// The most (position, return address) pairs one step may expand, which bounds every byte's cost
    /// (about 1 ms at the bound in a release build). Real grammars stay in the tens or hundreds, and
    /// long lists of strings (`choice`, `enum`) are tries (``GrammarExpression/anyText(of:)``). Past it
    /// a grammar is ambiguous in a way that grows with the text (the fuzzer's centre-embedded
    /// recursions: one more live parse per byte), and 256 bytes would cost seconds.
    static let maxStepExpansion = 5_000

    let grammar: Grammar

    // Stack nodes.
    private var nodePosition: [Int32] = []
    private var nodeParent: [Int32] = []
    private var nodeIndex: [Int64: Int32] = [:]

    // States.
    private struct Configuration: Hashable {
        var nodes: [Int32]
        var accepting: Bool
        var escaped = false
    }
    private var stateNodes: [[Int32]] = []
    private(set) var stateAccepting: [Bool] = []
    private var stateEscaped: [Bool] = []
    /// Whether a state holds a parse that never reached a projection's sentinel (read per token
    /// by mask walks, so kept flat).
    private var stateDefinite: [Bool] = []
    /// Whether a state is only "past a projection's cut": every byte leads back to it, so every
    /// token below it in a walk is uncertain.
    private var stateBeyondCut: [Bool] = []
    /// The bytes on which a state steps to itself, once asked for (``selfLoops(_:)``).
    private var stateLoops: [Int32: ByteSet] = [:]
    private var stateIndex: [Configuration: Int32] = [:]
    private var transitions: [Int32] = []
    /// Each byte's class (the column of a transition row), and the row width.
    private let classOf: [UInt8]
    private let classCount: Int

    // Scratch, reused by every step.
    private var visited = Set<Int64>()
    private var work = ExpansionStack()
    private var found: [Int32] = []
    private var sorter = NodeListSorter()

    /// The configuration before any byte.
    private(set) var initial: Int32 = 0

    init(grammar: Grammar) throws {
        self.grammar = grammar
        classOf = grammar.byteClasses.classOf
        classCount = grammar.byteClasses.members.count
        visited.removeAll(keepingCapacity: true)
        found.removeAll(keepingCapacity: true)
        var accepting = false, escaped = false
        for start in grammar.alternatives[Int(grammar.root)] { work.push(start, -1) }
        try close(accepting: &accepting, escaped: &escaped)
        initial = try intern(Configuration(nodes: sortedFound(), accepting: accepting))
    }

    var stateCount: Int { stateNodes.count }

    /// Whether the root rule is complete in `state` (the output may end here).
    func isAccepting(_ state: Int32) -> Bool { stateAccepting[Int(state)] }

    /// Whether `state` can read more bytes (otherwise only the end may follow).
    func canContinue(_ state: Int32) -> Bool { !stateNodes[Int(state)].isEmpty }

    /// Whether `state` holds a parse that never reached a projection's sentinel.
    @inline(__always)
    func isDefinite(_ state: Int32) -> Bool { stateDefinite[Int(state)] }

    /// Whether `state` holds nothing but parses past a projection's cut (it steps to itself on every byte).
    @inline(__always)
    func isBeyondCut(_ state: Int32) -> Bool { stateBeyondCut[Int(state)] }

    /// The bytes on which `state` steps to itself (inside a JSON string: every ordinary ASCII
    /// character), computed once per state from one byte of each class.
    mutating func selfLoops(_ state: Int32) throws -> ByteSet {
        if let loops = stateLoops[state] { return loops }
        var loops = ByteSet()
        for members in grammar.byteClasses.members where try next(state, members[0]) == state {
            for b in members { loops.insert(b) }
        }
        stateLoops[state] = loops
        return loops
    }

    /// `state` with every stack cut below its top `depth` frames (a sentinel instead of the rest).
    mutating func projected(_ state: Int32, depth: Int) throws -> Int32 {
        var nodes: [Int32] = []
        for n in stateNodes[Int(state)] { nodes.append(try cut(n, depth)) }
        sorter.sortUnique(&nodes)
        let configuration = Configuration(
            nodes: nodes, accepting: stateAccepting[Int(state)], escaped: stateEscaped[Int(state)])
        return try intern(configuration)
    }

    /// `state` with every bounded repetition frame moved to its chain's fixed level (its *shape*,
    /// ``RepetitionLevels``), and the smallest reach of its frames; `nil` if it has no such frame.
    /// States of one shape allow the same tokens of at most the smaller of their reaches in bytes.
    mutating func repetitionShape(_ state: Int32) throws -> (shape: Int32, reach: Int)? {
        let levels = grammar.repetitionLevels
        guard !levels.isEmpty else { return nil }
        var reach = Int32.max
        var nodes: [Int32] = []
        for n in stateNodes[Int(state)] { nodes.append(try levelFree(n, levels, reach: &reach)) }
        guard reach != Int32.max else { return nil }
        sorter.sortUnique(&nodes)
        let configuration = Configuration(
            nodes: nodes, accepting: stateAccepting[Int(state)], escaped: stateEscaped[Int(state)])
        return (try intern(configuration), Int(reach))
    }

    private mutating func levelFree(_ n: Int32, _ levels: RepetitionLevels, reach: inout Int32) throws -> Int32 {
        if n < 0 { return n }
        let p = Int(nodePosition[Int(n)])
        if levels.reach[p] > 0 { reach = min(reach, levels.reach[p]) }
        return try node(levels.levelFree[p], levelFree(nodeParent[Int(n)], levels, reach: &reach))
    }

    private mutating func cut(_ n: Int32, _ depth: Int) throws -> Int32 {
        if n < 0 { return n }
        if depth == 0 { return Self.sentinel }
        return try node(nodePosition[Int(n)], cut(nodeParent[Int(n)], depth - 1))
    }

    /// The state after reading `byte` in `state`, or ``dead``.
    @inline(__always)
    mutating func next(_ state: Int32, _ byte: UInt8) throws -> Int32 {
        let t = transitions[Int(state) &* classCount &+ Int(classOf[Int(byte)])]
        if t != Self.unknown { return t }
        return try computeNext(state, byte)
    }

    /// The state after `bytes`, or ``dead``.
    mutating func next(_ state: Int32, bytes: [UInt8]) throws -> Int32 {
        var s = state
        for b in bytes {
            s = try next(s, b)
            if s < 0 { return Self.dead }
        }
        return s
    }

    private mutating func computeNext(_ state: Int32, _ byte: UInt8) throws -> Int32 {
        visited.removeAll(keepingCapacity: true)
        found.removeAll(keepingCapacity: true)
        var accepting = false
        var escaped = stateEscaped[Int(state)]  // sticky: the cut-off frames might still accept
        // Index loops: in unoptimized builds a `for … in` over an array steps a generic iterator.
        let stacks = stateNodes[Int(state)]
        var i = 0
        while i < stacks.count {
            let node = Int(stacks[i])
            i += 1
            let p = nodePosition[node]
            let set = grammar.flat.opcode[Int(p)]
            guard set >= 0, grammar.byteSets[Int(set)].contains(byte) else { continue }
            work.push(p + 1, nodeParent[node])
        }
        try close(accepting: &accepting, escaped: &escaped)
        let nodes = sortedFound()
        let result = nodes.isEmpty && !accepting && !escaped
            ? Self.dead : try intern(Configuration(nodes: nodes, accepting: accepting, escaped: escaped))
        // Every byte of the class steps the same way (the sets hold all of them or none).
        transitions[Int(state) * classCount + Int(classOf[Int(byte)])] = result
        return result
    }

    private mutating func sortedFound() -> [Int32] {
        var out = found
        sorter.sortUnique(&out)
        return out
    }

    private mutating func intern(_ configuration: Configuration) throws -> Int32 {
        if let s = stateIndex[configuration] { return s }
        guard stateNodes.count < Self.maxStates else {
            throw ConstraintError(stage: "grammar", reason: "the grammar needs more than \(Self.maxStates) parser states; simplify it")
        }
        let s = Int32(stateNodes.count)
        stateNodes.append(configuration.nodes)
        stateAccepting.append(configuration.accepting)
        stateEscaped.append(configuration.escaped)
        stateDefinite.append(!configuration.nodes.isEmpty || configuration.accepting)
        stateBeyondCut.append(configuration.nodes.isEmpty && !configuration.accepting && configuration.escaped)
        stateIndex[configuration] = s
        transitions += repeatElement(Self.unknown, count: classCount)
        return s
    }

    private mutating func node(_ position: Int32, _ parent: Int32) throws -> Int32 {
        let key = ExpansionStack.key(position, parent)
        if let n = nodeIndex[key] { return n }
        guard nodePosition.count < Self.maxNodes else {
            throw ConstraintError(stage: "grammar", reason: "the grammar's parse stacks exceed \(Self.maxNodes) nodes; simplify it")
        }
        nodePosition.append(position)
        nodeParent.append(parent)
        let n = Int32(nodePosition.count - 1)
        nodeIndex[key] = n
        return n
    }

    /// Expands the pending `(position, parent)` pairs until every stack's top is a byte terminal:
    /// rule references push a return address (none in tail position), ends of alternatives pop.
    private mutating func close(accepting: inout Bool, escaped: inout Bool) throws {
        // The program's tables as locals: unoptimized builds retain and release a stored array on every read.
        let program = grammar.flat
        let opcodes = program.opcode, isLast = program.isLast
        let alternativesOf = program.alternativesOf, alternativeStarts = program.alternativeStarts
        while !work.isEmpty {
            let key = work.pop()
            let p = ExpansionStack.position(key), parent = ExpansionStack.parent(key)
            guard visited.insert(key).inserted else { continue }
            guard visited.count <= Self.maxStepExpansion else {
                throw ConstraintError(stage: "grammar", reason: "the grammar is too ambiguous: one byte opens more than \(Self.maxStepExpansion) parses; simplify it")
            }
            let opcode = opcodes[Int(p)]
            if opcode >= 0 {
                found.append(try node(p, parent))
            } else if opcode == FlatProgram.end {
                if parent == Self.sentinel {
                    escaped = true
                } else if parent < 0 {
                    accepting = true
                } else {
                    work.push(nodePosition[Int(parent)], nodeParent[Int(parent)])
                }
            } else {
                let r = FlatProgram.rule(opcode)
                let returnTo = isLast[Int(p)] ? parent : try node(p + 1, parent)
                var a = Int(alternativesOf[r])
                let last = Int(alternativesOf[r + 1])
                while a < last {
                    work.push(alternativeStarts[a], returnTo)
                    a += 1
                }
            }
        }
    }
}
