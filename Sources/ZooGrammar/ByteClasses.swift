/// The bytes a grammar cannot tell apart, grouped: two bytes are in one class when every
/// ``ByteSet`` of the grammar holds both or neither.
///
/// A state's step on a byte depends on the byte only through those sets, so the automaton keeps
/// one transition per class: a state's row is computed with a few dozen closures instead of 256,
/// and rows that short keep a mask walk's lookups in cache.
struct ByteClasses: Sendable {
    /// The class of each byte.
    let classOf: [UInt8]
    /// Each class's bytes, ascending.
    let members: [[UInt8]]

    init(_ sets: [ByteSet]) {
        // A byte's signature is the list of sets that hold it; equal signatures share a class.
        var index: [[Int32]: UInt8] = [:]
        var classOf = [UInt8](repeating: 0, count: 256)
        var members: [[UInt8]] = []
        for b in 0...255 {
            let byte = UInt8(b)
            var signature: [Int32] = []
            for (i, set) in sets.enumerated() where set.contains(byte) { signature.append(Int32(i)) }
            if let c = index[signature] {
                classOf[b] = c
                members[Int(c)].append(byte)
            } else {
                let c = UInt8(members.count)
                index[signature] = c
                classOf[b] = c
                members.append([byte])
            }
        }
        self.classOf = classOf
        self.members = members
    }
}
