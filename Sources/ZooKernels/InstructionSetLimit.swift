import CZooKernels

extension MatrixMultiply {
    /// The instruction sets a limit can name, in the C layer's level order (`cpu_features.h`).
    static let instructionSetLevels = ["generic", "avx2", "avx512f", "neon"]

    /// Runs `body` with every native kernel limited to `instructionSet` ("generic", "avx2", "avx512f"
    /// or "neon"; a set the CPU lacks means the widest it has below it, and on ARM64 any x86 set means
    /// the portable path), so tests can compare the SIMD paths with the portable one. The limit is
    /// process-wide: nothing else may compute meanwhile.
    static func withInstructionSet<T>(_ instructionSet: String, _ body: () throws -> T) rethrows -> T {
        guard let limit = instructionSetLevels.firstIndex(of: instructionSet) else {
            preconditionFailure("unknown instruction set \(instructionSet)")
        }
        let previous = zoo_linear_set_isa_limit(Int32(limit))
        defer { zoo_linear_set_isa_limit(previous) }
        return try body()
    }

    /// The instruction sets ``withInstructionSet(_:_:)`` reaches in this process (the CPU's, under the
    /// `ZOO_ISA` cap), so a test covers each path present and none twice.
    static var reachableInstructionSets: [String] {
        instructionSetLevels.filter { isa in withInstructionSet(isa) { nativeInstructionSet == isa } }
    }

    /// The widest instruction set this CPU has, whatever `ZOO_ISA` says: "avx512f", "avx2", "neon"
    /// or "generic".
    public static var widestInstructionSet: String { String(cString: zoo_cpu_widest_isa()) }

    /// The instruction sets the kernels can run on this CPU, from the portable path up to the widest,
    /// each a value `ZOO_ISA` accepts (so a test runner can run the suites once at every level).
    public static var availableInstructionSets: [String] {
        switch widestInstructionSet {
        case "avx512f": ["generic", "avx2", "avx512"]
        case "avx2": ["generic", "avx2"]
        case "neon": ["generic", "neon"]
        default: ["generic"]
        }
    }

    /// The `ZOO_ISA` value that named no instruction set (the kernels then ignore it), or `nil`.
    /// Front ends report it, since a silently ignored cap would measure the wrong kernels.
    public static var rejectedInstructionSetRequest: String? {
        zoo_isa_rejected_request().map { String(cString: $0) }
    }
}
