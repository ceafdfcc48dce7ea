/// The grammar's program as the flat integer tables the automaton's closure reads once per
/// expansion: one opcode per position, and every rule's alternatives in one array.
///
/// An ambiguous grammar makes a step expand tens of thousands of positions; reading `Int32`s by index
/// keeps that loop free of enum matching and of array-of-array copies, which dominate in unoptimized
/// builds (the fuzzer's) and cost retains in optimized ones.
struct FlatProgram: Sendable {
    /// The opcode of an alternative's end.
    static let end: Int32 = -1

    /// Per position: a byte set's index (≥ 0), ``end``, or a rule `r` as `-2 - r` (``rule(_:)``).
    let opcode: [Int32]
    /// Per position: whether the element after it ends the alternative (a rule here returns
    /// straight to the caller's caller, so it pushes nothing).
    let isLast: [Bool]
    /// Rule `r`'s alternatives start at `alternativeStarts[alternativesOf[r]..<alternativesOf[r + 1]]`.
    let alternativesOf: [Int32]
    let alternativeStarts: [Int32]

    init(program: [Grammar.Element], alternatives: [[Int32]]) {
        var opcode: [Int32] = []
        opcode.reserveCapacity(program.count)
        for element in program {
            switch element {
            case .bytes(let set): opcode.append(set)
            case .end: opcode.append(Self.end)
            case .rule(let r): opcode.append(-2 - r)
            }
        }
        self.opcode = opcode
        isLast = program.indices.map { $0 + 1 < program.count && program[$0 + 1] == .end }
        var offsets: [Int32] = [0]
        var starts: [Int32] = []
        for rule in alternatives {
            starts += rule
            offsets.append(Int32(starts.count))
        }
        alternativesOf = offsets
        alternativeStarts = starts
    }

    /// The rule an opcode below ``end`` calls.
    @inline(__always)
    static func rule(_ opcode: Int32) -> Int { Int(-2 - opcode) }
}
