/// The memory behind a ``FloatBuffer`` or ``HalfBuffer``: a view into a checkpoint's file mapping
/// (which stays mapped as long as any buffer uses it) or an allocation of its own, freed on deinit.
final class TensorMemory<Element>: @unchecked Sendable {
    /// The first element; valid for ``count`` elements for the lifetime of this object.
    let pointer: UnsafePointer<Element>
    let count: Int
    // Exactly one of these holds the memory: the mapping for views, the allocation otherwise.
    private let mapping: MappedFile?
    private let allocation: UnsafeMutablePointer<Element>?

    /// A view into `mapping`; `pointer` must be aligned for `Element` and inside it.
    init(viewing pointer: UnsafePointer<Element>, count: Int, in mapping: MappedFile) {
        self.pointer = pointer
        self.count = count
        self.mapping = mapping
        self.allocation = nil
    }

    /// Allocates `count` uninitialised elements and lets `fill` write all of them.
    init(count: Int, fill: (UnsafeMutablePointer<Element>) -> Void) {
        // Capacity 1 for empty tensors so `pointer` is always a real allocation.
        let storage = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        fill(storage)
        self.pointer = UnsafePointer(storage)
        self.count = count
        self.mapping = nil
        self.allocation = storage
    }

    deinit {
        allocation?.deallocate()
    }

    /// True when the data is read in place from the file mapping (no copy was made).
    var isMapped: Bool { mapping != nil }

    /// Gives a mapped view's pages back to the page cache once its contents were converted and it is
    /// about to be dropped, so they do not count twice in resident memory. (Reading it again would
    /// just fault them back in.)
    func releaseMappedPages() {
        mapping?.dropPages(pointer, byteCount: count * MemoryLayout<Element>.stride)
    }
}
