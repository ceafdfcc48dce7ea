/// Next-token scores for one or more positions, row-major `[rows, vocabularySize]`.
public struct Logits: Sendable, Equatable {
    /// The number of positions that have a row.
    public let rows: Int
    /// The width of a row: the model's output vocabulary (embedding rows, padding included).
    public let vocabularySize: Int
    /// The scores, `rows * vocabularySize` of them.
    public var values: [Float]

    public init(rows: Int, vocabularySize: Int, values: [Float]) {
        precondition(values.count == rows * vocabularySize, "logits buffer does not match its shape")
        self.rows = rows
        self.vocabularySize = vocabularySize
        self.values = values
    }

    /// The scores of one position.
    public subscript(row: Int) -> ArraySlice<Float> {
        values[(row * vocabularySize)..<((row + 1) * vocabularySize)]
    }

    /// The scores of the last position: what the next token is drawn from.
    public var last: ArraySlice<Float> { self[rows - 1] }
}

/// Which positions of a forward pass need logits.
///
/// Generation only needs the last row; `zoo logits` and parity tests need every row. The LM head
/// is the largest matrix of a small model, so skipping rows saves real time.
public enum LogitsSelection: Sendable, Equatable {
    case all
    case last
}
