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
    /// from `embeddingName`. Quantized, the tied head is a second matrix, which the source is asked
    /// for so that a quantized-weight cache keeps it.
    func head(tied: Bool, table: WeightTensor, embeddingName: String, untied: String) throws -> Linear {
        guard tied else { return try linear(untied, out: table.rows, in: table.columns) }
        let weight = precision.isQuantized
            ? try source.matrix(embeddingName, rows: table.rows, columns: table.columns, precision: precision)
            : table
        return Linear(weight: weight, bias: nil)
    }

    /// Checks that the model used every tensor but those `ignoring` accepts, then tells the source
    /// the load is over (a cache may now write).
    func finish(ignoring: (String) -> Bool) throws {
        try source.verifyAllTensorsUsed(ignoring: ignoring)
        source.loadingFinished()
    }
}

/// A decoder-only model's weights: the token embedding, the layers and the output head. Each
/// architecture reads its `Layer` in an initializer of its own (`DecoderWeights<Qwen2Model.Layer>`).
struct DecoderWeights<Layer: Sendable>: Sendable {
    let embedding: TokenEmbedding
    let layers: [Layer]
    let head: OutputHead
}

extension DecoderWeights {
    /// Reads a decoder's weights in order: the embedding `embeddingName` `[vocabulary, hidden]`, the
    /// `count` layers through `layer(i)`, the final norm `finalNorm` and the LM head (the embedding
    /// when `tied`, else `lm_head`); then checks that every tensor but those `unused` accepts was read.
    init(_ read: CheckpointReader, embedding embeddingName: String, vocabulary: Int, hidden: Int, layers count: Int,
         layer: (Int) throws -> Layer, finalNorm: String, eps: Double, tied: Bool, unused: (String) -> Bool) throws {
        let table = try read.embedding(embeddingName, vocabulary: vocabulary, hidden: hidden)
        embedding = TokenEmbedding(table: table)
        layers = try (0..<count).map(layer)
        let norm = try read.tensor(finalNorm, [hidden])
        let lmHead = try read.head(tied: tied, table: table, embeddingName: embeddingName, untied: "lm_head")
        head = OutputHead(norm: norm, eps: Float(eps), lmHead: lmHead)
        // A tied checkpoint may still carry a copy of the head; the embedding is what transformers uses.
        try read.finish { unused($0) || (tied && $0 == "lm_head.weight") }
    }
}
