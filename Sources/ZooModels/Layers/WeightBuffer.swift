import ZooKernels

/// Memory holding one weight matrix in some ``WeightFormat`` (mapped from a file, or owned): the
/// buffer keeps the bytes alive, the format's descriptor knows how to read them.
protocol WeightBuffer: AnyObject {
    var columns: Int { get }
    /// The kernels' view of the matrix.
    var weightData: WeightData { get }
}

extension WeightBuffer {
    /// Row `index` as fp32 (an embedding lookup).
    func dequantizeRow(_ index: Int, into destination: UnsafeMutablePointer<Float>) {
        weightData.decodeRow(index, columns: columns, into: destination)
    }
}
