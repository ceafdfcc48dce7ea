import COpenBLAS
import CZooKernels
import Synchronization

/// Which code computes the fp32 matrix products.
public enum MatrixBackend: String, Sendable, CaseIterable {
    /// QwenZoo's own SIMD kernels (AVX-512 / AVX2 / portable). Each output element is computed
    /// the same way whatever the batch, so a cached decode step equals the recomputed row exactly.
    case native
    /// OpenBLAS sgemm/sgemv. Results depend slightly (~1e-6 relative) on the number of rows.
    case openBLAS = "openblas"
}

/// Matrix products in the PyTorch `nn.Linear` layout that checkpoints use.
public enum MatrixMultiply {
    private static let backendIndex = Atomic<Int>(0)

    /// The backend every product uses (default ``MatrixBackend/native``).
    public static var backend: MatrixBackend {
        get { MatrixBackend.allCases[backendIndex.load(ordering: .relaxed)] }
        set { backendIndex.store(MatrixBackend.allCases.firstIndex(of: newValue)!, ordering: .relaxed) }
    }

    /// The instruction set the native kernels use on this CPU.
    public static var nativeInstructionSet: String { String(cString: zoo_linear_isa()) }

    /// `y[rows, outFeatures] = x[rows, inFeatures] · wᵀ`, with `w` stored `[outFeatures, inFeatures]`;
    /// with `accumulate` the product is added to `y` (a residual connection).
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight w: UnsafePointer<Float>, outFeatures: Int,
        into y: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        switch backend {
        case .native:
            nativeLinear(x, rows: rows, inFeatures: inFeatures, weight: w, outFeatures: outFeatures,
                         into: y, accumulate: accumulate)
        case .openBLAS:
            openBLASLinear(x, rows: rows, inFeatures: inFeatures, weight: w, outFeatures: outFeatures,
                           into: y, accumulate: accumulate)
        }
    }

    static func nativeLinear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight w: UnsafePointer<Float>,
        outFeatures: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        // Threads split the output features; the split never changes any element's arithmetic.
        Parallel.forEachRowRange(outFeatures, work: rows * outFeatures * inFeatures, alignment: 16) { begin, end in
            zoo_linear_f32(
                x, Int32(rows), Int32(inFeatures), w, Int32(begin), Int32(end), y, Int32(outFeatures),
                accumulate ? 1 : 0)
        }
    }

    static func openBLASLinear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight w: UnsafePointer<Float>,
        outFeatures: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        openblas_set_num_threads(Int32(Parallel.threadCount))
        let beta: Float = accumulate ? 1 : 0
        if rows == 1 {
            cblas_sgemv(
                CblasRowMajor, CblasNoTrans, blasint(outFeatures), blasint(inFeatures),
                1, w, blasint(inFeatures), x, 1, beta, y, 1)
        } else {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans,
                blasint(rows), blasint(outFeatures), blasint(inFeatures),
                1, x, blasint(inFeatures), w, blasint(inFeatures), beta, y, blasint(outFeatures))
        }
    }
}
