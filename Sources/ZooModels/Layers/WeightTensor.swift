import ZooKernels

/// How the runtime keeps a checkpoint's weight matrices in memory.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// As stored: fp32 stays fp32, bf16/f16 stay 16-bit (read in place from the mapping).
    case asStored = "auto"
    /// Everything widened to fp32 at load (the simple reference path).
    case f32
    /// Quantized at load to llama.cpp's q8_0 (8-bit blocks of 32 with a scale); matrices whose
    /// width is not a multiple of 32 stay as stored.
    case q8_0
}

/// One weight matrix `[rows, columns]` in the form the kernels read, owning (or mapping) its memory.
final class WeightTensor: @unchecked Sendable {
    enum Storage {
        case f32(FloatBuffer)
        case half(HalfBuffer)
        case q8_0(values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>)
    }

    let storage: Storage
    let rows: Int
    let columns: Int

    init(_ storage: Storage, rows: Int, columns: Int) {
        self.storage = storage
        self.rows = rows
        self.columns = columns
    }

    convenience init(_ buffer: FloatBuffer, rows: Int, columns: Int) {
        self.init(.f32(buffer), rows: rows, columns: columns)
    }

    deinit {
        if case .q8_0(let values, let scales) = storage {
            values.deallocate()
            scales.deallocate()
        }
    }

    /// Loads a matrix from a checkpoint in the requested precision.
    static func load(_ checkpoint: Checkpoint, _ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws
        -> WeightTensor
    {
        let dtype = checkpoint.info(name)?.dtype
        switch precision {
        case .q8_0 where columns % 32 == 0:
            return try WeightTensor(checkpoint.floats(name, shape: [rows, columns]), rows: rows, columns: columns).quantized()
        case .asStored where dtype == .bf16 || dtype == .f16, .q8_0 where dtype == .bf16 || dtype == .f16:
            return WeightTensor(.half(try checkpoint.halves(name, shape: [rows, columns])), rows: rows, columns: columns)
        default:
            return WeightTensor(try checkpoint.floats(name, shape: [rows, columns]), rows: rows, columns: columns)
        }
    }

    /// What the kernels read.
    var data: WeightData {
        switch storage {
        case .f32(let buffer): .f32(buffer.pointer)
        case .half(let buffer): buffer.format == .bf16 ? .bf16(buffer.pointer) : .f16(buffer.pointer)
        case .q8_0(let values, let scales): .q8_0(values: values, scales: scales)
        }
    }

    /// Copies row `index` as fp32 into `destination` (an embedding lookup).
    func copyRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        switch storage {
        case .f32(let buffer):
            destination.update(from: buffer.pointer + index * columns, count: columns)
        case .half(let buffer):
            MatrixMultiply.widen(buffer.pointer + index * columns, bf16: buffer.format == .bf16, into: destination, count: columns)
        case .q8_0(let values, let scales):
            let blocks = columns / 32
            for i in 0..<columns {
                destination[i] = Float(values[index * columns + i]) * scales[index * blocks + i / 32]
            }
        }
    }

    /// This matrix quantized to q8_0 (itself if already quantized or not a multiple of 32 wide).
    func quantized() -> WeightTensor {
        guard columns % 32 == 0 else { return self }
        let values = UnsafeMutablePointer<Int8>.allocate(capacity: rows * columns)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns / 32)
        switch storage {
        case .q8_0:
            values.deallocate()
            scales.deallocate()
            return self
        case .f32(let buffer):
            MatrixMultiply.quantizeQ8_0(buffer.pointer, rows: rows, inFeatures: columns, values: values, scales: scales)
        case .half:
            // Widen a slice of rows at a time to keep the temporary small.
            let slice = 256
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: slice * columns)
            defer { scratch.deallocate() }
            var row = 0
            while row < rows {
                let count = min(slice, rows - row)
                for r in 0..<count { copyRow(row + r, into: scratch + r * columns) }
                MatrixMultiply.quantizeQ8_0(
                    scratch, rows: count, inFeatures: columns, values: values + row * columns, scales: scales + row * (columns / 32))
                row += count
            }
        }
        return WeightTensor(.q8_0(values: values, scales: scales), rows: rows, columns: columns)
    }
}
