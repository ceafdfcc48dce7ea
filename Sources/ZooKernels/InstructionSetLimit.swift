import CZooKernels

extension MatrixMultiply {
    /// Runs `body` with every native kernel limited to `instructionSet` ("generic", "avx2" or
    /// "avx512f"; a set the CPU lacks means the widest it has), so tests can compare the SIMD paths
    /// with the portable one. The limit is process-wide: nothing else may compute meanwhile.
    static func withInstructionSet<T>(_ instructionSet: String, _ body: () throws -> T) rethrows -> T {
        guard let limit = ["generic", "avx2", "avx512f"].firstIndex(of: instructionSet) else {
            preconditionFailure("unknown instruction set \(instructionSet)")
        }
        let previous = zoo_linear_set_isa_limit(Int32(limit))
        defer { zoo_linear_set_isa_limit(previous) }
        return try body()
    }
}
