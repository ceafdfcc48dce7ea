import ZooKernels

/// An fp32 or 16-bit matrix copied into the weight arena in ``FourRowLayout`` (`weights.mmap: false`).
final class FourRowBuffer: WeightBuffer, @unchecked Sendable {
    enum Element {
        case f32, bf16, f16

        var bytes: Int { self == .f32 ? 4 : 2 }
    }

    let element: Element
    let rows: Int
    let columns: Int
    private let bytes: UnsafeRawPointer
    /// The arena chunk holding the matrix.
    private let chunk: WeightChunk

    /// Packs row-major `source` (`rows × columns` values of `element`; see ``FourRowLayout/fits(rows:columns:)``).
    init(packing source: UnsafeRawPointer, element: Element, rows: Int, columns: Int) {
        let count = rows * columns * element.bytes
        let (memory, chunk) = WeightArena.allocate(count)
        FourRowLayout.pack(source, rows: rows, columns: columns, elementBytes: element.bytes, into: memory)
        self.element = element
        self.rows = rows
        self.columns = columns
        bytes = UnsafeRawPointer(memory)
        self.chunk = chunk
    }

    var weightData: WeightData {
        switch element {
        case .f32: WeightData(.f32Rows4, bytes)
        case .bf16: WeightData(.bf16Rows4, bytes)
        case .f16: WeightData(.f16Rows4, bytes)
        }
    }
}
