import ZooKernels
@testable import ZooModels

/// A GGUF file's tensors with the matrices of some types dequantized to F32 by the loader: a
/// reference model, or (with a quantized model precision) an F32 model quantized again at load.
final class DequantizingSource: TensorSource {
    let base: GGUFTensorSource
    let types: Set<GGMLType>

    init(_ base: GGUFTensorSource, types: Set<GGMLType>) {
        self.base = base
        self.types = types
    }

    func floats(_ name: String, shape: [Int]) throws -> FloatBuffer { try base.floats(name, shape: shape) }

    func matrix(_ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws -> WeightTensor {
        if let t = base.file.tensors[GGUFTensorSource.ggufName(name)], types.contains(t.type) {
            return WeightTensor(try base.floats(name, shape: [rows, columns]), rows: rows, columns: columns)
                .quantized(to: precision)
        }
        return try base.matrix(name, rows: rows, columns: columns, precision: precision)
    }

    func verifyAllTensorsUsed(ignoring: (String) -> Bool) throws { try base.verifyAllTensorsUsed(ignoring: ignoring) }
}
