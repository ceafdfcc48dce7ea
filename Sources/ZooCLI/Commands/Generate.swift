import ArgumentParser
import Foundation
import QwenZoo

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate greedily from a prompt (text or ids) and stream the result.")

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors).")
    var model: String

    @Option(help: "Prompt text (needs a tokenizer: --tokenizer, or tokenizer files in the model directory).")
    var prompt: String?

    @Option(help: "Prompt as comma-separated token ids, e.g. 1,2,3.")
    var ids: String?

    @Option(help: "A .tiktoken file or tokenizer directory (default: the model directory).")
    var tokenizer: String?

    @Option(help: "The most tokens to generate.")
    var maxTokens: Int = 64

    @Flag(help: "Print only the generated ids, as one JSON array.")
    var printIds = false

    @Flag(help: "Match special-token strings in --prompt as their ids.")
    var allowSpecial = false

    @Option(help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard (prompt == nil) != (ids == nil) else {
            throw ValidationError("give exactly one of --prompt and --ids")
        }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must not be negative") }
    }

    func run() throws {
        try reportingErrors {
            if let threads { Runtime.threadCount = threads }
            let modelURL = URL(fileURLWithPath: self.model)
            let model = try Zoo.loadModel(directory: modelURL)
            let tokenizer = try (prompt != nil || !printIds)
                ? Zoo.loadTokenizer(path: tokenizer.map(URL.init(fileURLWithPath:)) ?? modelURL) : nil
            let promptIDs: [Int]
            if let prompt {
                promptIDs = tokenizer!.encode(prompt, specialTokens: allowSpecial ? .allowed : .asText)
                guard !promptIDs.isEmpty else { throw InputError(description: "--prompt: the prompt is empty") }
            } else {
                promptIDs = try StandardIO.parseIDs(ids!, option: "--ids")
            }
            var generator = Generator(model: model)
            var detokenizer = StreamingDetokenizer()
            let stopIDs = generator.stopIDs
            let result = try generator.generate(prompt: promptIDs, maxTokens: maxTokens) { id in
                guard !printIds, let tokenizer, !stopIDs.contains(id) else { return true }
                StandardIO.write(detokenizer.append(try tokenizer.bytes(of: [id])))
                return true
            }
            if printIds {
                StandardIO.write(StandardIO.json(result.tokens) + "\n")
            } else {
                StandardIO.write(detokenizer.flush() + "\n")
            }
        }
    }
}
