import ArgumentParser
import Foundation

@main
struct ZooCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "Run Qwen-family language models on the CPU.",
        subcommands: [
            List.self, Show.self, Validate.self, Generate.self, Chat.self, Complete.self, Solve.self,
            Eval.self, SampleLab.self, Replay.self, Tokenize.self, Detokenize.self, Logits.self, Bench.self,
        ])
}

/// Runs a command body, turning any thrown error into one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("zoo: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
