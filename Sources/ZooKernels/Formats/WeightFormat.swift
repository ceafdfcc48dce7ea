/// Everything the kernels know about one stored weight format, in one value (after ggml's
/// `type_traits_cpu`): its block geometry, the activations its kernel reads, the row alignment its
/// tiles need, the kernel entry points and how a row goes back to fp32. ``WeightData`` and the
/// weight buffers dispatch through it, so a new format is one descriptor (and its C kernel).
///
/// The descriptors are the static members (`WeightFormat.q5_1`, `.f32Rows4`, …); a layout of the
/// same values (rows interleaved by 16 or by four) is a format of its own because its kernel differs.
///
/// Adding a GGUF block format read in place (as q4_1 was): write its kernel and dequantizer in
/// `CZooKernels` (a C file and their declarations), then, in `KQuantFormat.swift`, a case named as
/// the GGUF type (which routes GGUF tensors of that type to it), its `descriptor` arm and its
/// `inPlace(…)` descriptor. Nothing else changes: products, row lookups and bandwidth estimates go
/// through the descriptor.
public struct WeightFormat: Sendable, CustomStringConvertible {
    /// A short name: the GGUF-style name of the values, with the layout as a suffix (`q4_Kx16`, `bf16Rows4`).
    public let name: String
    /// Weights per block (1 for plain floats).
    public let blockValues: Int
    /// Bytes per block as the kernel reads them, scales included.
    public let blockBytes: Int
    /// The activations the kernel multiplies.
    let activations: ActivationForm
    /// The multiple every row range handed to the kernel starts at (its widest row group).
    let rowAlignment: Int
    /// Output rows `call.begin ..< call.end` of a product, from activations in ``activations``.
    let kernel: Kernel
    /// The fp32-activation kernel of a format whose ``activations`` are 8-bit only when
    /// ``MatrixMultiply/integerDotProducts`` is on (row-major q8_0 and q4_0).
    let wideningKernel: Kernel?
    /// Row `row` of a `columns`-wide matrix as fp32 (an embedding lookup, or widening before quantizing).
    let decodeRow: RowDecoder
    /// Which descriptor this is: equality compares it, a pointer, rather than ``name``.
    private let identity = Identity()

    /// A token made once per descriptor (each is a static member, built once).
    private final class Identity: Sendable {}

    typealias Kernel = @Sendable (_ a: PreparedActivations, _ w: WeightData, _ call: KernelCall) -> Void
    typealias RowDecoder = @Sendable (_ w: WeightData, _ columns: Int, _ row: Int, _ y: UnsafeMutablePointer<Float>) -> Void

    init(_ name: String, blockValues: Int = 1, blockBytes: Int, activations: ActivationForm = .fp32, rowAlignment: Int = 16,
         kernel: @escaping Kernel, wideningKernel: Kernel? = nil, decodeRow: @escaping RowDecoder) {
        self.name = name
        self.blockValues = blockValues
        self.blockBytes = blockBytes
        self.activations = activations
        self.rowAlignment = rowAlignment
        self.kernel = kernel
        self.wideningKernel = wideningKernel
        self.decodeRow = decodeRow
    }

    /// Bytes read per weight (for bandwidth estimates).
    public var bytesPerWeight: Double { Double(blockBytes) / Double(blockValues) }

    /// Bytes of one `columns`-wide row (`columns` a multiple of ``blockValues``).
    public func rowBytes(columns: Int) -> Int { columns / blockValues * blockBytes }

    /// The format's ``name``.
    public var description: String { name }
}

/// Formats are equal when they are the same descriptor (each is defined once, as a static member).
/// Products compare formats at every call, so this is one pointer comparison, not a string's.
extension WeightFormat: Equatable {
    public static func == (a: WeightFormat, b: WeightFormat) -> Bool { a.identity === b.identity }
}

/// The scalar arguments every kernel entry point takes, in the C kernels' types.
struct KernelCall {
    let rows: Int32
    let k: Int32
    let begin: Int32
    let end: Int32
    let y: UnsafeMutablePointer<Float>
    let ld: Int32
    let accumulate: Int32
}
