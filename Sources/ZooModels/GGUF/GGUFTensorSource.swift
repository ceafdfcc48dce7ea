import Foundation
import ZooKernels

/// Serves a GGUF file's tensors under Hugging Face Qwen2 names and PyTorch shapes, as llama.cpp's
/// converter named and laid them out (`blk.3.attn_q.weight` is `model.layers.3.self_attn.q_proj.weight`).
final class GGUFTensorSource: TensorSource, @unchecked Sendable {
    let file: GGUFFile
    private var used: Set<String> = []

    init(_ file: GGUFFile) {
        self.file = file
    }

    /// The GGUF name of a Hugging Face Qwen2 tensor name.
    static func ggufName(_ hf: String) -> String {
        switch hf {
        case "model.embed_tokens.weight": return "token_embd.weight"
        case "model.norm.weight": return "output_norm.weight"
        case "lm_head.weight": return "output.weight"
        default: break
        }
        let parts = hf.split(separator: ".", maxSplits: 3).map(String.init)
        guard parts.count == 4, parts[0] == "model", parts[1] == "layers" else { return hf }
        let map = [
            "input_layernorm.weight": "attn_norm.weight",
            "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
            "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
            "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
            "self_attn.o_proj.weight": "attn_output.weight",
            "post_attention_layernorm.weight": "ffn_norm.weight",
            "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
            "mlp.down_proj.weight": "ffn_down.weight",
        ]
        return map[parts[3]].map { "blk.\(parts[2]).\($0)" } ?? hf
    }

    func contains(_ hf: String) -> Bool { file.tensors[Self.ggufName(hf)] != nil }

    private func tensor(_ hf: String, shape: [Int]) throws -> GGUFFile.Tensor {
        let name = Self.ggufName(hf)
        guard let tensor = file.tensors[name] else {
            throw GGUFError(file: file.url, tensor: name, "not found (the model needs it as \(hf))")
        }
        guard tensor.dimensions == shape.reversed() else {
            throw GGUFError(file: file.url, tensor: name,
                            "expected dimensions \(Array(shape.reversed())), found \(tensor.dimensions) (\(tensor.type))")
        }
        used.insert(name)
        return tensor
    }

    func floats(_ name: String, shape: [Int]) throws -> FloatBuffer {
        let t = try tensor(name, shape: shape)
        let source = file.data(of: t)
        switch t.type {
        case .f32:
            if Int(bitPattern: source) % 4 == 0 {
                return FloatBuffer(viewing: source.assumingMemoryBound(to: Float.self), count: t.elementCount, shape: shape, in: file.mapping)
            }
            return FloatBuffer(count: t.elementCount, shape: shape) {
                UnsafeMutableRawPointer($0).copyMemory(from: source, byteCount: t.byteCount)
            }
        case .f16, .bf16:
            return FloatBuffer(count: t.elementCount, shape: shape) {
                MatrixMultiply.widen(source.assumingMemoryBound(to: UInt16.self), bf16: t.type == .bf16, into: $0, count: t.elementCount)
            }
        case _ where t.type == .q8_0 || t.type == .q4_0 || KQuantFormat(t.type) != nil:
            let matrix = try self.matrix(from: t, source, rows: t.elementCount / shape.last!, columns: shape.last!)
            return FloatBuffer(count: t.elementCount, shape: shape) { out in
                for r in 0..<matrix.rows { matrix.copyRow(r, into: out + r * matrix.columns) }
            }
        default:
            throw unsupported(t)
        }
    }

    func matrix(_ name: String, rows: Int, columns: Int, precision: WeightPrecision) throws -> WeightTensor {
        let t = try tensor(name, shape: [rows, columns])
        let source = file.data(of: t)
        let stored: WeightTensor
        switch t.type {
        case .f32:
            used.remove(Self.ggufName(name))
            stored = WeightTensor(try floats(name, shape: [rows, columns]), rows: rows, columns: columns)
        case .f16, .bf16:
            guard Int(bitPattern: source) % 2 == 0 else {
                stored = WeightTensor(try floats(name, shape: [rows, columns]), rows: rows, columns: columns)
                break
            }
            let half = HalfBuffer(
                viewing: source.assumingMemoryBound(to: UInt16.self), count: t.elementCount, shape: [rows, columns],
                format: t.type == .bf16 ? .bf16 : .f16, in: file.mapping)
            stored = precision == .f32
                ? WeightTensor(try floats(name, shape: [rows, columns]), rows: rows, columns: columns)
                : WeightTensor(.half(half), rows: rows, columns: columns)
        case _ where t.type == .q8_0 || t.type == .q4_0 || KQuantFormat(t.type) != nil:
            stored = try matrix(from: t, source, rows: rows, columns: columns)
        default:
            throw unsupported(t)
        }
        return stored.quantized(to: precision).copiedIntoArena()
    }

    func verifyAllTensorsUsed(ignoring: (String) -> Bool) throws {
        let unused = file.tensors.keys.filter { !used.contains($0) && !ignoring($0) }.sorted()
        guard let first = unused.first else { return }
        throw GGUFError(file: file.url, tensor: first, "\(unused.count) tensor(s) were not used by the model: \(unused.prefix(10).joined(separator: ", "))")
    }

    /// The GGUF tensor types read, as an error lists them.
    private static let supportedTypes = (["F32", "F16", "BF16", "Q8_0", "Q4_0"]
        + KQuantFormat.allCases.filter { $0.blockValues == 32 }.map { $0.rawValue.uppercased() }
        + KQuantFormat.allCases.filter { $0.blockValues != 32 }.map { $0.rawValue.uppercased() }).joined(separator: ", ")

    private func unsupported(_ t: GGUFFile.Tensor) -> GGUFError {
        GGUFError(file: file.url, tensor: t.name, "type \(t.type) is not supported yet (\(Self.supportedTypes) are)")
    }

    /// A quantized GGUF matrix in QwenZoo's layout (the ``KQuantFormat`` types as stored, in place).
    private func matrix(from t: GGUFFile.Tensor, _ source: UnsafeRawPointer, rows: Int, columns: Int) throws -> WeightTensor {
        if t.type == .q5_0 || t.type == .q4_K, InterleavedFormat.isPreferred {
            // The VNNI kernels' interleaved layout; the file's pages are not read again.
            defer { file.mapping.dropPages(source, byteCount: t.byteCount) }
            let format: InterleavedFormat = t.type == .q5_0 ? .q5_0 : .q4_K
            return WeightTensor(.interleaved(InterleavedBuffer(packingGGUF: source, format: format, rows: rows, columns: columns)),
                                rows: rows, columns: columns)
        }
        if let format = KQuantFormat(t.type) {
            // GGUFFile has checked that rows hold whole blocks and that the data lies inside the file.
            let inPlace = WeightTensor(
                .kQuant(KQuantBuffer(viewing: source, format: format, rows: rows, columns: columns, in: file.mapping)),
                rows: rows, columns: columns)
            guard (t.type == .q5_0 && WeightTensor.widensQ5_0) || (t.type == .q4_K && WeightTensor.unpacksQ4_K)
            else { return inPlace }
            // Rewritten for the integer kernels; the file's pages are not read again.
            defer { file.mapping.dropPages(source, byteCount: t.byteCount) }
            return inPlace.inPreferredIntegerLayout()
        }
        // q8_0 and q4_0 are rearranged into QwenZoo's layout; the copy is all that is read from now on,
        // so the file's pages go back to the page cache instead of counting twice in resident memory.
        defer { file.mapping.dropPages(source, byteCount: t.byteCount) }
        if InterleavedFormat.isPreferred {
            // Straight into the VNNI kernels' interleaved layout.
            let format: InterleavedFormat = t.type == .q8_0 ? .q8_0 : .q4_0
            return WeightTensor(.interleaved(InterleavedBuffer(packingGGUF: source, format: format, rows: rows, columns: columns)),
                                rows: rows, columns: columns)
        }
        if t.type == .q8_0 {
            let q = Self.q8_0(t, source)
            return WeightTensor(.q8_0(values: q.values, scales: q.scales), rows: rows, columns: columns)
        }
        let blocks = t.elementCount / 32
        let nibbles = UnsafeMutablePointer<UInt8>.allocate(capacity: t.elementCount / 2)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: blocks)
        for b in 0..<blocks {
            let block = source + b * 18  // an fp16 scale, then 16 bytes of nibbles
            var bits = UInt16(block.load(as: UInt8.self)) | UInt16(block.load(fromByteOffset: 1, as: UInt8.self)) << 8
            withUnsafePointer(to: &bits) { MatrixMultiply.widen($0, bf16: false, into: scales + b, count: 1) }
            (nibbles + b * 16).update(from: (block + 2).assumingMemoryBound(to: UInt8.self), count: 16)
        }
        return WeightTensor(.q4_0(nibbles: nibbles, scales: scales), rows: rows, columns: columns)
    }

    /// Splits GGUF's q8_0 blocks (an fp16 scale, then 32 int8 values) into QwenZoo's two arrays.
    private static func q8_0(_ t: GGUFFile.Tensor, _ source: UnsafeRawPointer) -> (values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>) {
        let blocks = t.elementCount / 32
        let values = UnsafeMutablePointer<Int8>.allocate(capacity: t.elementCount)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: blocks)
        for b in 0..<blocks {
            let block = source + b * 34
            var bits = UInt16(block.load(as: UInt8.self)) | UInt16(block.load(fromByteOffset: 1, as: UInt8.self)) << 8
            withUnsafePointer(to: &bits) { MatrixMultiply.widen($0, bf16: false, into: scales + b, count: 1) }
            (values + b * 32).update(from: (block + 2).assumingMemoryBound(to: Int8.self), count: 32)
        }
        return (values, scales)
    }
}

extension KQuantFormat {
    /// The in-place format of a GGUF tensor type, if QwenZoo reads that type in place (matched by name).
    init?(_ type: GGMLType) {
        self.init(rawValue: "q" + type.description.dropFirst())
    }
}
