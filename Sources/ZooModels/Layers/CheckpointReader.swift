/// The reads every architecture's weights make from a ``TensorSource``, in the load's precision:
/// vectors, linear layers, the token embedding and the LM head, tied or not.
struct CheckpointReader {
    let source: any TensorSource
    let precision: WeightPrecision

    init(_ source: any TensorSource, precision: WeightPrecision) {
        self.source = source
        self.precision = precision
    }

    /// A vector (a norm's weight, a bias) as fp32.
    func tensor(_ name: String, _ shape: [Int]) throws -> FloatBuffer {
        try source.floats(name, shape: shape)
    }

    /// `name.weight` `[out, in]` in the load's precision, and `name.bias` when `bias`.
    func linear(_ name: String, out: Int, in: Int, bias: Bool = false) throws -> Linear {
        Linear(
            weight: try source.matrix("\(name).weight", rows: out, columns: `in`, precision: precision),
            bias: bias ? try tensor("\(name).bias", [out]) : nil)
    }

    /// The token-embedding table `[vocabulary, hidden]`. It is read row by row, so quantizing it buys
    /// nothing: a quantizing load keeps it as stored.
    func embedding(_ name: String, vocabulary: Int, hidden: Int) throws -> WeightTensor {
        try source.matrix(name, rows: vocabulary, columns: hidden, precision: precision.isQuantized ? .asStored : precision)
    }

    /// The LM head: `untied` (a linear layer's name) or, with `tied`, the embedding table `table` read
    /// from `embeddingName`. A tied checkpoint may still carry a copy of the head; the embedding is
    /// what transformers uses. Quantized, the tied head is a second matrix, which the source is asked
    /// for so that a quantized-weight cache keeps it.
    func head(tied: Bool, table: WeightTensor, embeddingName: String, untied: String) throws -> Linear {
        guard tied else { return try linear(untied, out: table.rows, in: table.columns) }
        let weight = precision.isQuantized
            ? try source.matrix(embeddingName, rows: table.rows, columns: table.columns, precision: precision)
            : table
        return Linear(weight: weight, bias: nil)
    }
}
