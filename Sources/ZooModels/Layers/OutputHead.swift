import ZooCore
import ZooKernels

/// The final RMSNorm and the LM head, applied only to the rows whose logits are wanted.
struct OutputHead: Sendable {
    let norm: FloatBuffer
    let eps: Float
    let lmHead: Linear

    /// Logits of the selected rows of `x[tokens, hidden]`; `scratch` holds at least `tokens × hidden` floats.
    func logits(_ x: UnsafePointer<Float>, tokens: Int, selection: LogitsSelection,
                scratch: UnsafeMutablePointer<Float>) -> Logits {
        let hidden = lmHead.inFeatures, vocabulary = lmHead.outFeatures
        let first = selection == .last ? tokens - 1 : 0
        let rows = tokens - first
        VectorOps.rmsNorm(x + first * hidden, rows: rows, dim: hidden, weight: norm.pointer, eps: eps, into: scratch)
        // The one allocation of a decode step: the logits it returns (not zero-filled first).
        let values = [Float](unsafeUninitializedCapacity: rows * vocabulary) { out, initialized in
            lmHead.apply(scratch, rows: rows, into: out.baseAddress!)
            initialized = rows * vocabulary
        }
        return Logits(rows: rows, vocabularySize: vocabulary, values: values)
    }
}
