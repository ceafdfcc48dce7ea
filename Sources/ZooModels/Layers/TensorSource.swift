/// Where an architecture reads its tensors from, by their Hugging Face names and PyTorch shapes:
/// a safetensors ``Checkpoint`` or a ``GGUFTensorSource``.
protocol TensorSource {
    /// A tensor as fp32 (norms, biases), recorded as used.
    func floats(_ name: String, shape: [Int]) throws -> FloatBuffer
    /// A weight matrix `[rows, columns]` in the requested precision, recorded as used.
    func matrix(_ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws -> WeightTensor
    /// Throws for tensors the model never asked for, except those `ignoring` accepts.
    func verifyAllTensorsUsed(ignoring: (String) -> Bool) throws
    /// Called once the model has every tensor and verified the set (a cache may now write).
    func loadingFinished()
}

extension TensorSource {
    func loadingFinished() {}
}

extension Checkpoint: TensorSource {
    func matrix(_ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws -> WeightTensor {
        try WeightTensor.load(self, name, rows: rows, columns: columns, precision: precision)
    }
}
