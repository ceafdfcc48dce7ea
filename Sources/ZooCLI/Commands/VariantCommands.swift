import ArgumentParser
import Foundation
import QwenZoo

struct Complete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Complete code: continue a prefix, or fill in the middle between a prefix and a suffix.")

    @OptionGroup var arguments: VariantRunArguments

    @Option(help: "A file holding the code before the cursor.")
    var prefixFile: String

    @Option(help: "A file holding the code after the cursor (fill-in-the-middle).")
    var suffixFile: String?

    func run() throws {
        try reportingErrors {
            let prefix = try Self.read(prefixFile)
            let request: VariantRequest = try suffixFile.map { .infill(prefix: prefix, suffix: try Self.read($0)) }
                ?? .completion(prefix)
            let zoo = try arguments.load()
            let completion = try zoo.generate(request, options: try arguments.options())
            FinishNote.report(completion.samples[0].finishReason)
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

    @OptionGroup var arguments: VariantRunArguments

    @Argument(help: "The problem.")
    var question: String

    @Option(help: "Samples to vote over (self-consistency); default: the manifest's variant.votes. A greedy manifest's votes sample with temperature 0.7, top-p 0.95 unless --chain says otherwise.")
    var votes: Int?

    @Flag(help: "Print one JSON object with the answer, the votes and every solution.")
    var json = false

    func validate() throws {
        if let votes, votes < 1 { throw ValidationError("--votes must be at least 1") }
        try Limits.checkNotBlank(question, "the problem")
    }

    func run() throws {
        try reportingErrors {
            let zoo = try arguments.load(adding: votes.map { ["variant.votes=\($0)"] } ?? [])
            let completion = try zoo.generate(.problem(question), options: try arguments.options())
            for warning in completion.warnings { StandardIO.writeError("zoo: warning: \(warning)\n") }
            guard case .answer(let solution, let answer) = completion.output else {
                throw InputError(description: "the manifest's variant (\(zoo.manifest.variant.name)) does not extract answers; use a math manifest")
            }
            if json {
                StandardIO.write(JSONOutput.line([
                    "answer": answer.answer ?? NSNull(), "normalized": answer.normalized ?? NSNull(),
                    "votes": answer.votes, "samples": answer.samples,
                    "solutions": completion.samples.map(\.text),
                    "finish_reasons": completion.samples.map(\.finishReason.summary),
                ]))
            } else {
                StandardIO.write(solution + "\n\n")
                StandardIO.write("answer: \(answer.answer ?? "(none found)")  (\(answer.votes) of \(answer.samples) samples agree)\n")
            }
        }
    }
}
