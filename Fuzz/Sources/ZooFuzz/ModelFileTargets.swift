import Foundation
@testable import QwenZoo
@testable import ZooModels

/// Weight files and their side files: safetensors, the shard index, GGUF and config.json.
enum ModelFileTargets {
    /// The safetensors header and the tensors it describes, read through ``SafetensorsFile``.
    static let safetensorsHeader: FuzzTarget = { input in
        let url = Scratch.file("model.safetensors", input)
        _ = try? input.withUnsafeBytes { try SafetensorsHeader(file: $0, url: url) }
        let file = try SafetensorsFile(url: url)
        for name in file.header.entries.keys.sorted() {
            guard let info = file.info(name) else { violated("\(name) listed but has no info") }
            _ = try? file.floats(name, shape: info.shape)
        }
    }

    /// `model.safetensors.index.json`.
    static let safetensorsIndex: FuzzTarget = { input in
        let index = try ShardIndex(url: Scratch.file("model.safetensors.index.json", input))
        for shard in Set(index.weightMap.values) { _ = index.firstTensor(in: shard) }
    }

    /// A GGUF file: header, metadata, tensor table and data bounds, then the model configuration
    /// and tokenizer taken from its metadata.
    static let gguf: FuzzTarget = { input in
        let url = Scratch.file("model.gguf", input)
        let file = try GGUFFile(url: url)
        for tensor in file.tensors.values {
            guard tensor.offset >= 0, tensor.byteCount >= 0, tensor.offset <= input.count - tensor.byteCount else {
                violated("tensor \(tensor.name) [\(tensor.offset), +\(tensor.byteCount)) is outside the \(input.count)-byte file")
            }
        }
        _ = try? GGUFModelLoader.configuration(of: file, options: ModelOptions())
        _ = try? GGUFTokenizerKind.load(url)
    }

    /// `config.json`, decoded as both Qwen2 and Qwen (v1).
    static let config: FuzzTarget = { input in
        let config = try ConfigFile(Scratch.file("config.json", input))
        _ = try? config.decode(Qwen2Configuration.self)
        _ = try? config.decode(QwenV1Configuration.self)
    }
}
