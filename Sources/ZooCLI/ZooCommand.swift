import ArgumentParser
import Foundation

@main
struct ZooCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zoo",
        abstract: "Run Qwen-family language models on the CPU.",
        version: ZooVersion.current,
        subcommands: [
            List.self, Show.self, Validate.self, Pull.self, Generate.self, Chat.self, Complete.self, Solve.self,
            Eval.self, SampleLab.self, Replay.self, Tokenize.self, Detokenize.self, Logits.self, Bench.self, Serve.self,
            GrammarCommand.self, Render.self,
        ])

    /// ArgumentParser's entry point, with errors on one line (`zoo: error: …`) and the checks of
    /// ``CommandLineCheck`` first.
    static func main() {
        do {
            try CommandLineCheck.check(Array(CommandLine.arguments.dropFirst()), subcommands: configuration.subcommands)
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }  // --help, --version
            } else if !message.isEmpty {
                let line = message.split(separator: "\n").first.map(String.init) ?? message
                let text = line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
                FileHandle.standardError.write(Data("zoo: error: \(text)\n".utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
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
