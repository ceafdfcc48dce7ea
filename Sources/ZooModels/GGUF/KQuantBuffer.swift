import ZooKernels

/// A weight matrix in a k-quant format, viewed in place in a mapped GGUF file (never copied or
/// converted); keeps the mapping alive.
final class KQuantBuffer: @unchecked Sendable {
    let format: KQuantFormat
    let rows: Int
    let columns: Int
    /// The first block; `rows × columns / 256` blocks follow.
    let blocks: UnsafePointer<UInt8>
    private let mapping: MappedFile

    init(viewing blocks: UnsafeRawPointer, format: KQuantFormat, rows: Int, columns: Int, in mapping: MappedFile) {
        precondition(columns % KQuantFormat.blockValues == 0, "k-quant rows hold whole blocks")
        self.format = format
        self.rows = rows
        self.columns = columns
        self.blocks = blocks.assumingMemoryBound(to: UInt8.self)
        self.mapping = mapping
    }

    var weightData: WeightData { format.weightData(blocks) }

    /// Row `index` as fp32 (an embedding lookup).
    func dequantizeRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        let rowBytes = columns / KQuantFormat.blockValues * format.blockBytes
        format.dequantize(blocks + index * rowBytes, count: columns, into: destination)
    }
}
