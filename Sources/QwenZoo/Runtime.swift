import ZooKernels

/// Process-wide runtime settings.
public enum Runtime {
    /// Threads used by the kernels (matrix products and attention). Default: every core.
    public static var threadCount: Int {
        get { Parallel.threadCount }
        set { Parallel.threadCount = newValue }
    }

    /// The code that computes the fp32 matrix products.
    public static var matrixBackend: MatrixBackend {
        get { MatrixMultiply.backend }
        set { MatrixMultiply.backend = newValue }
    }
}
