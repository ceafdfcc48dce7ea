import Foundation

extension CodeSandbox {
    /// Checks, before any completion is generated, that the sandbox's interpreter starts and runs a
    /// trivial program; throws ``EvaluationError`` saying what is missing otherwise. Without it a code
    /// evaluation would score every completion as failed (issue 19, bug 5).
    public func preflight() throws {
        // Looked up first: `run` writes the program into the interpreter's stdin, which kills this process
        // with SIGPIPE when the shell has already exited for want of an interpreter.
        guard Self.resolve(python) != nil else {
            throw EvaluationError("code evaluation needs \(python) to run the tests, and it is not on PATH; install python3 or put it on PATH")
        }
        let outcome: Outcome
        do {
            outcome = try run("import sys\nsys.exit(0)\n")
        } catch {
            throw EvaluationError("code evaluation needs \(python) to run the tests, and it cannot start: \(error)")
        }
        switch outcome {
        case .passed: return
        case .timedOut:
            throw EvaluationError("code evaluation needs \(python) to run the tests, and it did not answer within \(timeout) s")
        case .failed(let reason):
            throw EvaluationError(
                "code evaluation needs \(python) to run the tests, and it is missing or broken (\(reason)); install python3 or put it on PATH")
        }
    }

    /// The executable `name` names: a path as given, or the first match in `PATH`.
    static func resolve(_ name: String) -> String? {
        let manager = FileManager.default
        if name.contains("/") { return manager.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = String(directory) + "/" + name
            if manager.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
