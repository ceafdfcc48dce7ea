import Foundation
import ZooCore
import ZooModels
import ZooTokenizers

/// Entry points that load models and tokenizers from disk.
public enum Zoo {
    /// Loads a Hugging Face checkpoint directory with the architecture its `config.json` names.
    public static func loadModel(directory: URL, options: ModelOptions = ModelOptions()) throws -> any LanguageModel {
        try ArchitectureRegistry.shared.load(directory: directory, options: options)
    }

    /// Loads a tokenizer from a `.tiktoken` file, a directory with `tokenizer.json` (or
    /// `vocab.json` + `merges.txt`), or the metadata of a `.gguf` file.
    public static func loadTokenizer(path: URL) throws -> any Tokenizer {
        if path.pathExtension.lowercased() == "gguf" { return try GGUFTokenizerKind.load(path) }
        return try BytePairTokenizer(contentsOf: path)
    }
}
