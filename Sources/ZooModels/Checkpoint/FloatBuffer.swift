/// Contiguous, read-only fp32 storage for one tensor.
///
/// It keeps its memory alive: either a view into a checkpoint's file mapping (which stays
/// mapped as long as any buffer uses it) or an allocation of its own, freed on deinit.
public final class FloatBuffer: @unchecked Sendable {
    /// The number of elements.
    public let count: Int
    /// The tensor's shape (its product is ``count``).
    public let shape: [Int]
    /// The first element; valid for ``count`` elements for the lifetime of this object.
    public let pointer: UnsafePointer<Float>
    /// True when the data is read in place from the file mapping (no copy was made).
    public let isMapped: Bool

    // Exactly one of these holds the memory: the mapping for views, the allocation otherwise.
    private let mapping: MappedFile?
    private let allocation: UnsafeMutablePointer<Float>?

    /// A view into `mapping`; `pointer` must be 4-byte aligned and inside it.
    init(viewing pointer: UnsafePointer<Float>, count: Int, shape: [Int], in mapping: MappedFile) {
        self.count = count
        self.shape = shape
        self.pointer = pointer
        self.isMapped = true
        self.mapping = mapping
        self.allocation = nil
    }

    /// Allocates `count` uninitialised floats and lets `fill` write all of them.
    init(count: Int, shape: [Int], fill: (UnsafeMutablePointer<Float>) -> Void) {
        // Capacity 1 for empty tensors so `pointer` is always a real allocation.
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        fill(storage)
        self.count = count
        self.shape = shape
        self.pointer = UnsafePointer(storage)
        self.isMapped = false
        self.mapping = nil
        self.allocation = storage
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

    deinit {
        allocation?.deallocate()
    }

    /// Gives a mapped buffer's pages back to the page cache once its contents were converted and it is
    /// about to be dropped, so they do not count twice in resident memory. (Reading it again would
    /// just fault them back in.)
    func releaseMappedPages() {
        mapping?.dropPages(pointer, byteCount: count * 4)
    }

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
