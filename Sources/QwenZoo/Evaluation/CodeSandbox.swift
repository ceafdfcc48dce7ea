import Foundation

/// Runs a generated Python program in a separate process with a wall-clock timeout, a CPU-time
/// limit and a memory limit, so a completion that loops forever or allocates without bound is
/// killed and the evaluation goes on.
public struct CodeSandbox: Sendable {
    /// How a program ended.
    public enum Outcome: Sendable, Equatable {
        /// It exited with status 0: every test passed.
        case passed
        /// It exited otherwise; the payload is the last line of its output (usually the exception).
        case failed(String)
        /// It ran past ``CodeSandbox/timeout`` or its CPU-time limit and was killed.
        case timedOut
    }

    /// The Python interpreter, by name (looked up in `PATH`) or path; default `python3`.
    public var python: String
    /// The wall-clock limit in seconds; the CPU-time limit is this rounded up, plus 1.
    public var timeout: Double
    /// The virtual-memory limit in MiB (`ulimit -v`).
    public var memoryLimitMB: Int

    /// A sandbox running `python` with `timeout` seconds and `memoryLimitMB` MiB per program.
    public init(python: String = "python3", timeout: Double = 5, memoryLimitMB: Int = 512) {
        self.python = python
        self.timeout = timeout
        self.memoryLimitMB = memoryLimitMB
    }

    /// Runs `program` (`python3 -I -`, isolated from the user's site packages and environment).
    public func run(_ program: String) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let cpuSeconds = Int(timeout.rounded(.up)) + 1
        process.arguments = [
            "-c", "ulimit -v \(memoryLimitMB * 1024) 2>/dev/null; ulimit -t \(cpuSeconds) 2>/dev/null; exec \"$0\" -I -",
            python,
        ]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PYTHONHASHSEED": "0"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw EvaluationError("cannot start \(python) to run the tests: \(error.localizedDescription)")
        }
        let done = DispatchSemaphore(value: 0)
        let reader = DispatchQueue(label: "sandbox-output")
        nonisolated(unsafe) var captured = Data()
        reader.async {
            captured = output.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        input.fileHandleForWriting.write(Data(program.utf8))
        try? input.fileHandleForWriting.close()
        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        process.waitUntilExit()
        if timedOut { return .timedOut }
        if process.terminationReason == .uncaughtSignal, process.terminationStatus == SIGXCPU || process.terminationStatus == SIGKILL {
            return .timedOut
        }
        if process.terminationStatus == 0 { return .passed }
        let text = String(decoding: captured.suffix(2000), as: UTF8.self)
        let lastLine = text.split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
        return .failed(lastLine)
    }
}
