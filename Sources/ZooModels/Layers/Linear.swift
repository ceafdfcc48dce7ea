import ZooKernels

/// A fully connected layer in PyTorch layout: `y = x·Wᵀ + b`, `W` stored `[outFeatures, inFeatures]`
/// in any of the weight formats (``WeightFormat``'s descriptors).
struct Linear: Sendable {
    let weight: WeightTensor
    let bias: FloatBuffer?
    var outFeatures: Int { weight.rows }
    var inFeatures: Int { weight.columns }

    /// `y[rows, out] = x[rows, in]·Wᵀ + b`; with `accumulate` the product is added to `y` (a residual).
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        MatrixMultiply.linear(
            x, rows: rows, inFeatures: inFeatures, weight: weight.data, outFeatures: outFeatures,
            into: y, accumulate: accumulate)
        if let bias {
            VectorOps.addBias(y, rows: rows, dim: outFeatures, bias: bias.pointer)
        }
    }

    /// `y_i = x·W_iᵀ + b_i` for layers that read the same input (q, k, v; gate, up) as one job: the
    /// activations are prepared once and the threads share all the outputs' rows (see
    /// ``MatrixMultiply/linear(_:rows:inFeatures:products:)``). Results equal separate ``apply`` calls.
    static func apply(_ layers: [(Linear, UnsafeMutablePointer<Float>)], to x: UnsafePointer<Float>, rows: Int) {
        guard let inFeatures = layers.first?.0.inFeatures else { return }
        precondition(layers.allSatisfy { $0.0.inFeatures == inFeatures }, "grouped layers read the same input")
        MatrixMultiply.linear(x, rows: rows, inFeatures: inFeatures, products: layers.map { layer, y in
            ProductOutput(weight: layer.weight.data, outFeatures: layer.outFeatures, into: y)
        })
        for (layer, y) in layers {
            if let bias = layer.bias { VectorOps.addBias(y, rows: rows, dim: layer.outFeatures, bias: bias.pointer) }
        }
    }
}
