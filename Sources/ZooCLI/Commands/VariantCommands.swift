import ArgumentParser
import Foundation
import QwenZoo

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with a manifest's model: one line per user turn, replies streamed.",
        discussion: "Type /reset to forget the conversation; end input (Ctrl-D) to quit.")

    @OptionGroup var manifestArguments: ManifestArguments

    @OptionGroup var sampling: SamplingArguments

    @Option(help: "The most tokens per reply (default: the manifest's max_tokens).")
    var maxTokens: Int?

    func validate() throws {
        guard manifestArguments.manifest != nil else { throw ValidationError("--manifest is required") }
    }

    func run() throws {
        try reportingErrors {
            let zoo = try ZooModel.load(try manifestArguments.resolve()!.manifest)
            let interactive = isatty(0) == 1
            var messages: [ChatMessage] = []
            while true {
                if interactive { FileHandle.standardError.write(Data("> ".utf8)) }
                guard let line = readLine(strippingNewline: true) else { break }
                if line == "/reset" {
                    messages.removeAll()
                    continue
                }
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                messages.append(ChatMessage(.user, line))
                let completion = try zoo.generate(.chat(messages), options: GenerationOptions(maxTokens: maxTokens, seed: sampling.seed, sampler: try sampling.stages())) {
                    StandardIO.write($0)
                }
                StandardIO.write("\n")
                if case .text(let reply) = completion.output {
                    messages.append(ChatMessage(.assistant, reply))
                } else {
                    messages.append(ChatMessage(.assistant, completion.samples[0].text))
                }
            }
        }
    }
}

struct Complete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Complete code: continue a prefix, or fill in the middle between a prefix and a suffix.")

    @OptionGroup var manifestArguments: ManifestArguments

    @OptionGroup var sampling: SamplingArguments

    @Option(help: "A file holding the code before the cursor.")
    var prefixFile: String

    @Option(help: "A file holding the code after the cursor (fill-in-the-middle).")
    var suffixFile: String?

    @Option(help: "The most tokens to generate (default: the manifest's max_tokens).")
    var maxTokens: Int?

    func validate() throws {
        guard manifestArguments.manifest != nil else { throw ValidationError("--manifest is required") }
    }

    func run() throws {
        try reportingErrors {
            let prefix = try Self.read(prefixFile)
            let request: VariantRequest = try suffixFile.map { .infill(prefix: prefix, suffix: try Self.read($0)) }
                ?? .completion(prefix)
            let zoo = try ZooModel.load(try manifestArguments.resolve()!.manifest)
            let completion = try zoo.generate(request, options: GenerationOptions(maxTokens: maxTokens, seed: sampling.seed, sampler: try sampling.stages()))
            switch completion.output {
            case .code(let code), .text(let code): StandardIO.write(code + "\n")
            case .answer(let solution, _): StandardIO.write(solution + "\n")
            }
        }
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(description: "\(path): cannot read the file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InputError(description: "\(path): not valid UTF-8")
        }
        return text
    }
}

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a problem step by step; with --votes K, take the majority answer of K samples.")

    @OptionGroup var manifestArguments: ManifestArguments

    @OptionGroup var sampling: SamplingArguments

    @Argument(help: "The problem.")
    var question: String

    @Option(help: "Samples to vote over (self-consistency); default: the manifest's variant.votes. A greedy manifest's votes sample with temperature 0.7, top-p 0.95 unless --chain says otherwise.")
    var votes: Int?

    @Option(help: "The most tokens per solution (default: the manifest's max_tokens).")
    var maxTokens: Int?

    @Flag(help: "Print one JSON object with the answer, the votes and every solution.")
    var json = false

    func validate() throws {
        guard manifestArguments.manifest != nil else { throw ValidationError("--manifest is required") }
        if let votes, votes < 1 { throw ValidationError("--votes must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            var arguments = manifestArguments
            if let votes { arguments.overrides.append("variant.votes=\(votes)") }
            let zoo = try ZooModel.load(try arguments.resolve()!.manifest)
            let completion = try zoo.generate(.problem(question), options: GenerationOptions(maxTokens: maxTokens, seed: sampling.seed, sampler: try sampling.stages()))
            for warning in completion.warnings { StandardIO.writeError("zoo: warning: \(warning)\n") }
            guard case .answer(let solution, let answer) = completion.output else {
                throw InputError(description: "the manifest's variant (\(zoo.manifest.variant.name)) does not extract answers; use a math manifest")
            }
            if json {
                let object: [String: Any] = [
                    "answer": answer.answer ?? NSNull(), "normalized": answer.normalized ?? NSNull(),
                    "votes": answer.votes, "samples": answer.samples,
                    "solutions": completion.samples.map(\.text),
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                StandardIO.write(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                StandardIO.write(solution + "\n\n")
                StandardIO.write("answer: \(answer.answer ?? "(none found)")  (\(answer.votes) of \(answer.samples) samples agree)\n")
            }
        }
    }
}
