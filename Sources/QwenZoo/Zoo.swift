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

    /// Loads a tokenizer from a `.tiktoken` file, or from a directory with `tokenizer.json`
    /// (or `vocab.json` + `merges.txt`).
    public static func loadTokenizer(path: URL) throws -> any Tokenizer {
        try BytePairTokenizer(contentsOf: path)
    }
}
