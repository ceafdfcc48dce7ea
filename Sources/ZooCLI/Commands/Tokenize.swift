import ArgumentParser
import Foundation
import QwenZoo

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode UTF-8 text from stdin; print the ids as one JSON array.")

    @Option(help: "A .tiktoken file, or a directory with tokenizer.json (or vocab.json + merges.txt).")
    var tokenizer: String

    @Flag(help: "Match special-token strings such as <|im_start|> as their ids (default: plain text).")
    var allowSpecial = false

    func run() throws {
        try reportingErrors {
            let tokenizer = try Zoo.loadTokenizer(path: URL(fileURLWithPath: self.tokenizer))
            let text = try StandardIO.readText()
            let ids = tokenizer.encode(text, specialTokens: allowSpecial ? .allowed : .asText)
            StandardIO.write(StandardIO.json(ids) + "\n")
        }
    }
}

struct Detokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode a JSON array of ids from stdin; print the text.")

    @Option(help: "A .tiktoken file, or a directory with tokenizer.json (or vocab.json + merges.txt).")
    var tokenizer: String

    func run() throws {
        try reportingErrors {
            let tokenizer = try Zoo.loadTokenizer(path: URL(fileURLWithPath: self.tokenizer))
            let ids = try StandardIO.parseJSONIDs(try StandardIO.readText())
            StandardIO.write(try tokenizer.decode(ids))
        }
    }
}
