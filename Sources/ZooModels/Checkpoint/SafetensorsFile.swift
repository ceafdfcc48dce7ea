import Foundation

/// One safetensors file, memory-mapped read-only and validated on open.
///
/// Opening reads only the header; tensor data is paged in by the kernel when a tensor is
/// converted or used. Buffers handed out keep the mapping alive, so they may outlive this object.
public final class SafetensorsFile: Sendable {
    /// The file's location.
    public let url: URL
    /// The header's `__metadata__` (empty if absent), decoded on each read.
    public var metadata: [String: String] { header.metadata(file: mapping.bytes, url: url) }

    let mapping: MappedFile
    let header: SafetensorsHeader

    /// Maps and validates the file at `url`; throws ``CheckpointError`` naming the file and tensor.
    public init(url: URL) throws {
        self.url = url
        mapping = try MappedFile(url: url)
        header = try SafetensorsHeader(file: mapping.bytes, url: url)
    }

    /// The names of all tensors in the file, sorted.
    public var tensorNames: [String] { header.entries.keys.sorted() }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { header.entries[name] != nil }

    /// The dtype and shape of tensor `name`, or nil if the file does not hold it.
    public func info(_ name: String) -> TensorInfo? {
        header.entries[name].map { TensorInfo(name: name, dtype: $0.dtype, shape: $0.shape, file: url) }
    }

    /// Tensor `name` as fp32, checked against `shape`.
    ///
    /// Aligned F32 data is returned as a view into the mapping (no copy); unaligned F32 is copied;
    /// F16 and BF16 are converted into an owned buffer. Other dtypes throw `.unsupportedDType`.
    public func floats(_ name: String, shape: [Int]) throws -> FloatBuffer {
        guard let entry = header.entries[name] else {
            throw CheckpointError(.tensorNotFound, file: url, tensor: name, "no such tensor in this file")
        }
        guard entry.shape == shape else {
            throw CheckpointError(.shapeMismatch, file: url, tensor: name,
                "expected shape \(shape), found \(entry.shape) (\(entry.dtype.rawValue))")
        }
        // The header check guarantees the span lies inside the mapping, which is non-empty here.
        guard let base = mapping.bytes.baseAddress else {
            preconditionFailure("validated safetensors file has no mapping")
        }
        let source = base + header.dataStart + entry.begin
        let count = entry.elementCount

        switch entry.dtype {
        case .f32:
            if Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
                let floats = source.bindMemory(to: Float.self, capacity: count)
                return FloatBuffer(viewing: floats, count: count, shape: shape, in: mapping)
            }
            // Misaligned fp32 cannot be viewed as `Float` safely; copy the bytes instead.
            return FloatBuffer(count: count, shape: shape) { destination in
                UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
            }
        case .f16:
            return FloatBuffer(count: count, shape: shape) { destination in
                HalfConversion.f16ToF32(from: source, to: destination, count: count)
            }
        case .bf16:
            return FloatBuffer(count: count, shape: shape) { destination in
                HalfConversion.bf16ToF32(from: source, to: destination, count: count)
            }
        default:
            throw CheckpointError(.unsupportedDType, file: url, tensor: name,
                "dtype \(entry.dtype.rawValue) cannot be read as fp32 (supported: F32, F16, BF16)")
        }
    }
}
