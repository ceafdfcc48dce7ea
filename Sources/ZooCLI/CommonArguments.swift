import ArgumentParser
import QwenZoo

/// `--threads N`, for every command that runs a model.
struct ThreadsArgument: ParsableArguments {
    @Option(help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
    }

    /// Sets the kernels' thread count when the option was given.
    func apply() {
        if let threads { Runtime.threadCount = threads }
    }
}

/// The checks every command applies to the same kind of value, so they agree.
enum Limits {
    /// `--max-tokens` must allow at least one token.
    static func checkMaxTokens(_ value: Int?) throws {
        if let value, value < 1 { throw ValidationError("--max-tokens must be at least 1, found \(value)") }
    }

    /// A prompt, problem or chat turn must say something.
    static func checkNotBlank(_ text: String, _ what: String) throws {
        if text.allSatisfy(\.isWhitespace) { throw ValidationError("\(what) is empty") }
    }
}

/// Says on stderr why generation stopped when a limit, not the model, ended it.
enum FinishNote {
    static func report(_ reason: FinishReason) {
        switch reason {
        case .length, .contextFull: StandardIO.writeError("zoo: finish_reason: \(reason.summary)\n")
        default: break
        }
    }
}
