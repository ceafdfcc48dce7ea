/// Widening conversions from 16-bit floats to fp32 over raw memory.
///
/// These loops run over entire checkpoints (hundreds of MB), so they avoid per-element bounds
/// checks and branches: written as selects on integer bit patterns, they auto-vectorise, which
/// is ~10× faster than `Float(Float16)` (a libcall per element on x86_64 without F16C).
/// Sources may be unaligned (safetensors does not align tensor data).
enum HalfConversion {
    /// IEEE binary16 → binary32, exact for every input (subnormals, ±0, ±inf; NaN payloads kept).
    static func f16ToF32(from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int) {
        destination.withMemoryRebound(to: UInt32.self, capacity: count) { out in
            for i in 0..<count {
                let half = UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self)))
                let sign = (half & 0x8000) << 16
                let magnitude = half & 0x7FFF
                // Normal numbers: move exponent+mantissa into place and rebias the exponent 15 → 127.
                let normal = (magnitude << 13) &+ ((127 - 15) << 23)
                // Inf/NaN (exponent 31) need exponent 255: add the remaining bias.
                let infNaN = normal &+ ((128 - 16) << 23)
                // Subnormals (and zero) are magnitude × 2⁻²⁴, exactly representable in fp32.
                let subnormal = (Float(magnitude) * 0x1p-24).bitPattern
                let bits = magnitude >= 0x7C00 ? infNaN : (magnitude < 0x0400 ? subnormal : normal)
                out[i] = bits | sign
            }
        }
    }

    /// bfloat16 → binary32: bfloat16 is the top half of an fp32, so this is exact.
    static func bf16ToF32(from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>, count: Int) {
        destination.withMemoryRebound(to: UInt32.self, capacity: count) { out in
            for i in 0..<count {
                let raw = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self))
                out[i] = UInt32(raw) << 16
            }
        }
    }
}
