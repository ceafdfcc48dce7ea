import ZooKernels

/// A weight matrix in one of the block formats of ``KQuantFormat`` (a k-quant, q5_0 or q5_1),
/// viewed in place in a mapped GGUF file (never copied or converted); keeps the mapping alive.
final class KQuantBuffer: @unchecked Sendable {
    let format: KQuantFormat
    let rows: Int
    let columns: Int
    /// The first block; `rows × columns / format.blockValues` blocks follow.
    let blocks: UnsafePointer<UInt8>
    private let mapping: MappedFile

    init(viewing blocks: UnsafeRawPointer, format: KQuantFormat, rows: Int, columns: Int, in mapping: MappedFile) {
        precondition(columns % format.blockValues == 0, "\(format) rows hold whole blocks")
        self.format = format
        self.rows = rows
        self.columns = columns
        self.blocks = blocks.assumingMemoryBound(to: UInt8.self)
        self.mapping = mapping
    }

    var weightData: WeightData { format.weightData(blocks) }

    /// Row `index` as fp32 (an embedding lookup).
    func dequantizeRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        let rowBytes = columns / format.blockValues * format.blockBytes
        format.dequantize(blocks + index * rowBytes, count: columns, into: destination)
    }
}
