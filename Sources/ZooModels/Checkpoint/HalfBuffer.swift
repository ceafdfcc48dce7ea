/// Contiguous, read-only 16-bit float storage (bf16 or f16) for one tensor, kept as stored so
/// that the kernels read half the bytes of fp32.
public final class HalfBuffer: @unchecked Sendable {
    public enum Format: Sendable { case bf16, f16 }

    public let count: Int
    public let shape: [Int]
    public let format: Format
    /// The first element; valid for ``count`` elements for the lifetime of this object.
    public let pointer: UnsafePointer<UInt16>
    /// True when the data is read in place from the file mapping.
    public let isMapped: Bool

    private let memory: TensorMemory<UInt16>

    private init(_ memory: TensorMemory<UInt16>, shape: [Int], format: Format) {
        self.memory = memory
        self.count = memory.count
        self.shape = shape
        self.format = format
        self.pointer = memory.pointer
        self.isMapped = memory.isMapped
    }

    convenience init(viewing pointer: UnsafePointer<UInt16>, count: Int, shape: [Int], format: Format, in mapping: MappedFile) {
        self.init(TensorMemory(viewing: pointer, count: count, in: mapping), shape: shape, format: format)
    }

    convenience init(copying source: UnsafeRawPointer, count: Int, shape: [Int], format: Format) {
        let memory = TensorMemory<UInt16>(count: count) { storage in
            UnsafeMutableRawPointer(storage).copyMemory(from: source, byteCount: count * 2)
        }
        self.init(memory, shape: shape, format: format)
    }

    /// As ``FloatBuffer/releaseMappedPages()``.
    func releaseMappedPages() { memory.releaseMappedPages() }
}

extension SafetensorsFile {
    /// Tensor `name` as stored 16-bit floats (F16 or BF16 only), checked against `shape`.
    func halves(_ name: String, shape: [Int]) throws -> HalfBuffer {
        guard let entry = header.entries[name] else {
            throw CheckpointError(.tensorNotFound, file: url, tensor: name, "no such tensor in this file")
        }
        guard entry.shape == shape else {
            throw CheckpointError(.shapeMismatch, file: url, tensor: name,
                "expected shape \(shape), found \(entry.shape) (\(entry.dtype.rawValue))")
        }
        let format: HalfBuffer.Format
        switch entry.dtype {
        case .bf16: format = .bf16
        case .f16: format = .f16
        default:
            throw CheckpointError(.unsupportedDType, file: url, tensor: name, "dtype \(entry.dtype.rawValue) is not a 16-bit float")
        }
        guard let base = mapping.bytes.baseAddress else { preconditionFailure("validated safetensors file has no mapping") }
        let source = base + header.dataStart + entry.begin
        if Int(bitPattern: source) % 2 == 0 {
            return HalfBuffer(
                viewing: source.bindMemory(to: UInt16.self, capacity: entry.elementCount), count: entry.elementCount,
                shape: shape, format: format, in: mapping)
        }
        return HalfBuffer(copying: source, count: entry.elementCount, shape: shape, format: format)
    }
}
