import CZooKernels
import Foundation

/// The small element-wise kernels of a transformer block, in fp32.
///
/// These are the simple reference forms; faster SIMD versions must be tested against them.
public enum VectorOps {
    /// RMSNorm of each row: `y = x / sqrt(mean(x²) + eps) * weight` (no mean subtraction, no bias).
    public static func rmsNorm(
        _ x: UnsafePointer<Float>, rows: Int, dim: Int, weight: UnsafePointer<Float>, eps: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let xr = x + r * dim
            let yr = y + r * dim
            var sum: Float = 0
            for i in 0..<dim { sum += xr[i] * xr[i] }
            let scale = 1 / (sum / Float(dim) + eps).squareRoot()
            for i in 0..<dim { yr[i] = weight[i] * (xr[i] * scale) }
        }
    }

    /// Adds `bias[dim]` to every row of `x[rows, dim]`.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, dim: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * dim
            for i in 0..<dim { xr[i] += bias[i] }
        }
    }

    /// `x += y`, element-wise over `count` floats.
    public static func add(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// SwiGLU: `gate[i] = silu(gate[i]) * up[i]`, written into `gate`.
    public static func swiGLU(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        zoo_swiglu(gate, up, Int32(count))
    }

    /// Numerically stable softmax of `count` floats, in place.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maxValue = -Float.infinity
        for i in 0..<count where x[i] > maxValue { maxValue = x[i] }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(x[i] - maxValue)
            x[i] = e
            sum += e
        }
        let inv = 1 / sum
        for i in 0..<count { x[i] *= inv }
    }

    /// The dot product of two vectors of `count` floats (SIMD lanes, then a fixed horizontal sum).
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        zoo_dot_f32(a, b, Int32(count))
    }

    /// `y += alpha * x` over `count` floats.
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        zoo_axpy_f32(alpha, x, y, Int32(count))
    }
}

// MARK: - fp16 rows (the KV cache's f16 option)

extension VectorOps {
    /// Rounds `count` floats to IEEE fp16 (nearest even).
    public static func narrowToHalf(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<UInt16>, count: Int) {
        zoo_narrow_f16(x, y, Int32(count))
    }

    /// The dot product of `count` floats with `count` fp16 values.
    public static func dot(_ a: UnsafePointer<Float>, half b: UnsafePointer<UInt16>, count: Int) -> Float {
        zoo_dot_f16(a, b, Int32(count))
    }

    /// `y += alpha * x` over `count` fp16 values of `x`.
    public static func axpy(_ alpha: Float, half x: UnsafePointer<UInt16>, into y: UnsafeMutablePointer<Float>, count: Int) {
        zoo_axpy_f16(alpha, x, y, Int32(count))
    }

    /// Causal attention of one query token for the `group` query heads sharing one KV head: scores
    /// for keys `0 ..< visible` (rows `stride` elements apart, fp32 or fp16), softmax, weighted sum of
    /// the values into `output` (`group × headDim`). `scores` holds `group × visible` floats.
    @inline(__always)
    public static func attendGroup(
        queries: UnsafePointer<Float>, group: Int, headDim: Int, keys: UnsafeRawPointer, values: UnsafeRawPointer,
        halfPrecision: Bool, stride: Int, visible: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        zoo_attend_group(queries, Int32(group), Int32(headDim), keys, values, halfPrecision ? 1 : 0, stride,
                         Int32(visible), scale, scores, output)
    }
}
