import ArgumentParser
import QwenZoo

/// Checks ArgumentParser leaves to a command's own validation, which would otherwise speak first:
/// an unknown option (with the closest known one) and `zoo help` of a command that does not exist.
enum CommandLineCheck {
    /// Throws a one-line error for the first problem in `arguments` (the command line without `zoo`).
    static func check(_ arguments: [String], subcommands: [any ParsableCommand.Type]) throws {
        guard let first = arguments.first, !first.hasPrefix("-") else { return }
        let names = subcommands.map { $0._commandName }
        if first == "help" {
            if let topic = arguments.dropFirst().first, !names.contains(topic) {
                throw ValidationError("no command named \"\(topic)\"\(hint(topic, in: names)); zoo --help lists them")
            }
            return
        }
        guard let command = subcommands.first(where: { $0._commandName == first }) else { return }
        let known = options(of: command)
        for argument in arguments.dropFirst() {
            if argument == "--" { return }
            guard argument.hasPrefix("--") else { continue }
            let name = String(argument.prefix { $0 != "=" })
            if !known.contains(name) {
                throw ValidationError("Unknown option '\(name)'\(hint(name, in: known.sorted())); zoo \(first) --help lists the options")
            }
        }
    }

    /// Every `--name` the command's help mentions (options, flags and their `--no-` forms).
    private static func options(of command: any ParsableCommand.Type) -> Set<String> {
        let help = command.helpMessage(columns: 10_000)
        var names: Set<String> = ["--help", "--version"]
        var rest = Substring(help)
        while let start = rest.range(of: "--") {
            let name = rest[start.lowerBound...].prefix { $0 == "-" || $0.isLetter || $0.isNumber }
            if name.count > 2 { names.insert(String(name)) }
            rest = rest[start.upperBound...]
        }
        return names
    }

    private static func hint(_ word: String, in candidates: [String]) -> String {
        didYouMean(word, in: candidates, quote: "'")
    }
}
