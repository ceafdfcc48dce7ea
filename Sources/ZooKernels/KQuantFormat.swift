import CZooKernels

/// llama.cpp's k-quant formats that QwenZoo reads in place from GGUF files: super-blocks of 256
/// weights, stored row by row (a row of `n` weights is `n / 256` consecutive blocks).
public enum KQuantFormat: String, Sendable, CaseIterable {
    /// 144 bytes per block: fp16 `d`, fp16 `dmin`, 12 bytes packing a 6-bit scale and a 6-bit min
    /// for each of eight sub-blocks of 32, then 128 bytes of nibbles; a weight is
    /// `(d·scale)·q − dmin·min` (4.5 bits per weight).
    case q4_K
    /// 210 bytes per block: 128 bytes of low nibbles, 64 bytes of high bit pairs, sixteen int8
    /// scales (one per sub-block of 16), fp16 `d`; a weight is `(d·scale)·(q − 32)` (6.5625 bits).
    case q6_K

    /// Weights per super-block.
    public static let blockValues = 256

    /// Bytes per super-block.
    public var blockBytes: Int {
        switch self {
        case .q4_K: 144
        case .q6_K: 210
        }
    }

    /// The kernel operand for a matrix whose blocks start at `blocks`.
    public func weightData(_ blocks: UnsafePointer<UInt8>) -> WeightData {
        switch self {
        case .q4_K: .q4_K(blocks)
        case .q6_K: .q6_K(blocks)
        }
    }

    /// Writes the `count` weights (a multiple of 256) of the blocks at `blocks` as fp32, with the
    /// reference arithmetic of gguf-py's `gguf.quants.dequantize`, bit for bit.
    public func dequantize(_ blocks: UnsafePointer<UInt8>, count: Int, into destination: UnsafeMutablePointer<Float>) {
        precondition(count % Self.blockValues == 0, "\(self) dequantizes whole blocks of 256")
        switch self {
        case .q4_K: zoo_dequantize_q4_k(blocks, Int32(count), destination)
        case .q6_K: zoo_dequantize_q6_k(blocks, Int32(count), destination)
        }
    }
}
