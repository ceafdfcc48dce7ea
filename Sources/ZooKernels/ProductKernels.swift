import CZooKernels

/// What a weight format's kernel multiplies: the fp32 activations themselves, or a form prepared from
/// them once per product (or once per group of products with the same input, see
/// ``MatrixMultiply/linear(_:rows:inFeatures:products:)``).
enum ActivationForm: Equatable {
    /// fp32 rows as they are (fp32, 16-bit and k-quant weights with fp32 activations).
    case fp32
    /// 8-bit blocks of 32 with scales and block sums (the interleaved VNNI formats).
    case int8BlockSums
    /// 8-bit blocks of 32 with scales and sums of four (row-major q8_0/q4_0 integer kernels).
    case int8QuadSums
    /// bf16-rounded rows (`dtype: bf16`'s bf16 dot products).
    case bf16
}

/// Activations in the form the kernels read, in the calling thread's scratch memory.
struct PreparedActivations {
    let form: ActivationForm
    let x: UnsafePointer<Float>
    var values: UnsafeMutablePointer<Int8>?
    var scales: UnsafeMutablePointer<Float>?
    var sums: UnsafeMutablePointer<Int32>?
    var halves: UnsafeMutablePointer<UInt16>?
}

/// One output of a grouped product: a weight matrix and where its `[rows, outFeatures]` result goes.
public struct ProductOutput {
    public let weight: WeightData
    public let outFeatures: Int
    public let y: UnsafeMutablePointer<Float>
    public let accumulate: Bool

    public init(weight: WeightData, outFeatures: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        self.weight = weight
        self.outFeatures = outFeatures
        self.y = y
        self.accumulate = accumulate
    }
}

extension WeightData {
    /// The activations this format's kernel reads; nil when the product does not go through the native
    /// row kernels (fp32 weights with the OpenBLAS backend).
    func activationForm(inFeatures: Int) -> ActivationForm? {
        if format == .f32 && MatrixMultiply.backend != .native { return nil }
        if format.wideningKernel != nil && !(MatrixMultiply.integerDotProducts && inFeatures % 32 == 0) { return .fp32 }
        return format.activations
    }
}

extension MatrixMultiply {
    /// Prepares `rows × k` activations in `form` (a decode step's one row on the calling thread).
    static func prepare(_ form: ActivationForm, _ x: UnsafePointer<Float>, rows: Int, k: Int) -> PreparedActivations {
        var prepared = PreparedActivations(form: form, x: x)
        switch form {
        case .fp32:
            break
        case .bf16:
            precondition(k % 2 == 0, "bf16 dot products need an even number of columns")
            let xb = ThreadScratch.bytes(.integerActivations, 2 * rows * k).assumingMemoryBound(to: UInt16.self)
            zoo_round_bf16(x, Int32(rows * k), xb)
            prepared.halves = xb
        case .int8BlockSums:
            precondition(k % 32 == 0, "interleaved weights need rows of a multiple of 32")
            // [rows, k] int8 values, then [rows, k/32] block sums, then [rows, k/32] scales.
            let blocks = k / 32
            let scratch = ThreadScratch.bytes(.integerActivations, rows * k + 8 * rows * blocks)
            let xq = scratch.assumingMemoryBound(to: Int8.self)
            let bsum = (scratch + rows * k).assumingMemoryBound(to: Int32.self)
            let xd = (scratch + rows * k + 4 * rows * blocks).assumingMemoryBound(to: Float.self)
            forEachActivationRowRange(rows) { begin, end in
                zoo_quantize_activations_bsum(
                    x + begin * k, Int32(end - begin), Int32(k), xq + begin * k, xd + begin * blocks, bsum + begin * blocks)
            }
            (prepared.values, prepared.sums, prepared.scales) = (xq, bsum, xd)
        case .int8QuadSums:
            // [rows, k] int8 values, then [rows, k/4] int32 sums of four, then [rows, k/32] scales.
            let scratch = ThreadScratch.bytes(.integerActivations, rows * k + rows * k + rows * (k / 32) * 4)
            let xq = scratch.assumingMemoryBound(to: Int8.self)
            let xsum4 = (scratch + rows * k).assumingMemoryBound(to: Int32.self)
            let xd = (scratch + 2 * rows * k).assumingMemoryBound(to: Float.self)
            forEachActivationRowRange(rows) { begin, end in
                zoo_quantize_activations(
                    x + begin * k, Int32(end - begin), Int32(k), xq + begin * k, xd + begin * (k / 32), xsum4 + begin * (k / 4))
            }
            (prepared.values, prepared.sums, prepared.scales) = (xq, xsum4, xd)
        }
        return prepared
    }

    /// Output rows `begin ..< end` of one product, from activations prepared for its format.
    static func productRows(
        _ a: PreparedActivations, rows: Int, k: Int, weight: WeightData, begin first: Int, end last: Int,
        into y: UnsafeMutablePointer<Float>, ld: Int, accumulate: Bool
    ) {
        let call = KernelCall(rows: Int32(rows), k: Int32(k), begin: Int32(first), end: Int32(last), y: y, ld: Int32(ld),
                              accumulate: accumulate ? 1 : 0)
        // A format with 8-bit activations only where integer dot products are on widens its weights otherwise.
        if a.form == .fp32, let widening = weight.format.wideningKernel { return widening(a, weight, call) }
        precondition(a.form == weight.format.activations, "\(weight.format) reads \(weight.format.activations) activations")
        weight.format.kernel(a, weight, call)
    }

    /// Several products of the same activations (a layer's q, k and v; gate and up) as one job: the
    /// activations are quantized or rounded once, and the threads split the outputs' rows taken
    /// together, so small matrices (k and v) no longer run alone or wait at a barrier of their own.
    /// Each output equals ``linear(_:rows:inFeatures:weight:outFeatures:into:accumulate:)``'s bit for
    /// bit; outputs whose formats read different activations run one after another.
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures k: Int, products: [ProductOutput]
    ) {
        // No arrays built here: this runs twice per layer in every decode step.
        let form = products.first?.weight.activationForm(inFeatures: k)
        let alignment = products.reduce(16) { max($0, $1.weight.format.rowAlignment) }
        guard let form, products.allSatisfy({ $0.weight.activationForm(inFeatures: k) == form && $0.outFeatures % alignment == 0 })
        else {
            for p in products {
                linear(x, rows: rows, inFeatures: k, weight: p.weight, outFeatures: p.outFeatures, into: p.y, accumulate: p.accumulate)
            }
            return
        }
        let prepared = prepare(form, x, rows: rows, k: k)
        let total = products.reduce(0) { $0 + $1.outFeatures }
        Parallel.forEachRowRange(total, work: rows * total * k, alignment: alignment) { begin, end in
            var offset = 0  // the first row of product p in the rows taken together
            for p in products {
                let lo = max(begin, offset), hi = min(end, offset + p.outFeatures)
                if lo < hi {
                    productRows(prepared, rows: rows, k: k, weight: p.weight, begin: lo - offset, end: hi - offset,
                                into: p.y, ld: p.outFeatures, accumulate: p.accumulate)
                }
                offset += p.outFeatures
            }
        }
    }
}
