import Foundation

/// What a checkpoint header says about one tensor.
public struct TensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The stored element type.
    public let dtype: TensorDType
    /// The stored shape, outermost dimension first (`[]` for a scalar).
    public let shape: [Int]
    /// The safetensors file holding the data.
    public let file: URL

    /// Creates a description of a stored tensor.
    public init(name: String, dtype: TensorDType, shape: [Int], file: URL) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.file = file
    }

    /// The number of elements (1 for a scalar, 0 if any dimension is 0).
    public var elementCount: Int { shape.reduce(1, *) }
}
