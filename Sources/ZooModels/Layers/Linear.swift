import ZooKernels

/// A fully connected layer in PyTorch layout: `y = x·Wᵀ + b`, `W` stored `[outFeatures, inFeatures]`.
struct Linear: Sendable {
    let weight: FloatBuffer
    let bias: FloatBuffer?
    let outFeatures: Int
    let inFeatures: Int

    /// `y[rows, out] = x[rows, in]·Wᵀ + b`; with `accumulate` the product is added to `y` (a residual).
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        MatrixMultiply.linear(
            x, rows: rows, inFeatures: inFeatures, weight: weight.pointer, outFeatures: outFeatures,
            into: y, accumulate: accumulate)
        if let bias {
            VectorOps.addBias(y, rows: rows, dim: outFeatures, bias: bias.pointer)
        }
    }
}
