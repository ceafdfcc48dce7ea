import Foundation
import ZooCore

/// Placeholder until the BPE tokenizer lands.
public enum TokenizerFiles {
    struct NotYetAvailable: Error, CustomStringConvertible {
        var description: String { "tokenizers are not implemented yet" }
    }
    public static func load(_ url: URL) throws -> any Tokenizer { throw NotYetAvailable() }
}
