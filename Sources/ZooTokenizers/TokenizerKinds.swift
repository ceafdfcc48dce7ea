import Foundation
import ZooCore

/// The tokenizer kinds this target provides, under the names manifests use.
public enum TokenizerKinds {
    /// Registers `auto` (by what the path holds), `tiktoken` (a `.tiktoken` ranks file with Qwen's
    /// special tokens) and `hf` (`tokenizer.json`, or `vocab.json` + `merges.txt`).
    public static func register(into registry: Registry<TokenizerFactory>) {
        registry.register("auto") { url, options in
            try options.rejectUnknownKeys(allowed: [])
            return try BytePairTokenizer(contentsOf: url)
        }
        registry.register("tiktoken") { url, options in
            try options.rejectUnknownKeys(allowed: [])
            return try BytePairTokenizer(tiktokenFile: url)
        }
        registry.register("hf") { url, options in
            try options.rejectUnknownKeys(allowed: [])
            if url.pathExtension == "tiktoken" {
                throw TokenizerLoadError(path: url.path, reason: "kind \"hf\" expects tokenizer.json or a folder, not a .tiktoken file")
            }
            return try BytePairTokenizer(contentsOf: url)
        }
    }
}
