import Foundation
import ZooCore
import ZooModels
import ZooTokenizers

/// The `gguf` tokenizer kind: the vocabulary stored in a GGUF file's metadata.
enum GGUFTokenizerKind {
    static func register(into registry: Registry<TokenizerFactory>) {
        registry.register("gguf") { url, options in
            try options.rejectUnknownKeys(allowed: [])
            return try load(url)
        }
    }

    static func load(_ url: URL) throws -> any Tokenizer {
        let file = try GGUFFile(url: url)
        let model = file.metadata["tokenizer.ggml.model"]?.string
        guard model == "gpt2" else {
            throw GGUFError(file: url, "tokenizer.ggml.model \(model.map { "\"\($0)\"" } ?? "is missing;") is not supported (Qwen's is \"gpt2\")")
        }
        if let pre = file.metadata["tokenizer.ggml.pre"]?.string, pre != "qwen2" {
            throw GGUFError(file: url, "tokenizer.ggml.pre \"\(pre)\" is not supported (Qwen's is \"qwen2\")")
        }
        guard let tokens = file.metadata["tokenizer.ggml.tokens"]?.array?.compactMap(\.string), !tokens.isEmpty else {
            throw GGUFError(file: url, "tokenizer.ggml.tokens is missing or not a list of strings")
        }
        let types = file.metadata["tokenizer.ggml.token_type"]?.array?.compactMap(\.int)
        let merges = file.metadata["tokenizer.ggml.merges"]?.array?.compactMap(\.string) ?? []
        return try BytePairTokenizer(ggufTokens: tokens, types: types, merges: merges, source: url.path)
    }
}
