import ZooKernels

/// The element of an fp32 or 16-bit matrix copied into ``FourRowLayout`` (`weights.mmap: false`);
/// each layout is a weight format of its own (``WeightFormat/f32Rows4``, `.bf16Rows4`, `.f16Rows4`).
enum FourRowElement: PackedFormat {
    case f32, bf16, f16

    var bytes: Int { self == .f32 ? 4 : 2 }

    func byteCount(rows: Int, columns: Int) -> Int { rows * columns * bytes }

    func weightData(_ bytes: UnsafePointer<UInt8>) -> WeightData {
        switch self {
        case .f32: WeightData(.f32Rows4, bytes)
        case .bf16: WeightData(.bf16Rows4, bytes)
        case .f16: WeightData(.f16Rows4, bytes)
        }
    }
}

/// An fp32 or 16-bit matrix copied into the weight arena in ``FourRowLayout``.
typealias FourRowBuffer = PackedBuffer<FourRowElement>

extension PackedBuffer<FourRowElement> {
    var element: FourRowElement { format }

    /// Packs row-major `source` (`rows × columns` values of `element`; see ``FourRowLayout/fits(rows:columns:)``).
    convenience init(packing source: UnsafeRawPointer, element: FourRowElement, rows: Int, columns: Int) {
        self.init(format: element, rows: rows, columns: columns, arena: true) {
            FourRowLayout.pack(source, rows: rows, columns: columns, elementBytes: element.bytes, into: $0)
        }
    }
}
