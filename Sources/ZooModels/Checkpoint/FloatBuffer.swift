/// Contiguous, read-only fp32 storage for one tensor.
///
/// It keeps its memory alive (``TensorMemory``): either a view into a checkpoint's file mapping or
/// an allocation of its own.
public final class FloatBuffer: @unchecked Sendable {
    /// The number of elements.
    public let count: Int
    /// The tensor's shape (its product is ``count``).
    public let shape: [Int]
    /// The first element; valid for ``count`` elements for the lifetime of this object.
    public let pointer: UnsafePointer<Float>
    /// True when the data is read in place from the file mapping (no copy was made).
    public let isMapped: Bool

    private let memory: TensorMemory<Float>

    private init(_ memory: TensorMemory<Float>, shape: [Int]) {
        self.memory = memory
        self.count = memory.count
        self.shape = shape
        self.pointer = memory.pointer
        self.isMapped = memory.isMapped
    }

    /// A view into `mapping`; `pointer` must be 4-byte aligned and inside it.
    convenience init(viewing pointer: UnsafePointer<Float>, count: Int, shape: [Int], in mapping: MappedFile) {
        self.init(TensorMemory(viewing: pointer, count: count, in: mapping), shape: shape)
    }

    /// Allocates `count` uninitialised floats and lets `fill` write all of them.
    convenience init(count: Int, shape: [Int], fill: (UnsafeMutablePointer<Float>) -> Void) {
        self.init(TensorMemory(count: count, fill: fill), shape: shape)
    }

    /// A buffer holding a copy of `values`; `shape` defaults to `[values.count]`.
    public convenience init(copying values: [Float], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(count: values.count, shape: shape) { destination in
            values.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { destination.initialize(from: base, count: source.count) }
            }
        }
    }

    /// See ``TensorMemory/releaseMappedPages()``.
    func releaseMappedPages() { memory.releaseMappedPages() }

    /// The elements as a buffer pointer (valid while this object is alive).
    public var buffer: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: pointer, count: count)
    }

    /// Element `index` (bounds-checked; use ``pointer`` in hot loops).
    public subscript(index: Int) -> Float {
        precondition(index >= 0 && index < count, "index \(index) out of range 0..<\(count)")
        return pointer[index]
    }

    /// A copy of the elements.
    public func toArray() -> [Float] {
        Array(buffer)
    }
}
