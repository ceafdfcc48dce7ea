import Foundation

/// Runs a generated Python program so that it cannot touch the world outside it.
///
/// By default (``Confinement/namespaces``) each program runs under bubblewrap (`bwrap`) in fresh
/// user, pid, network, mount, IPC, UTS and cgroup namespaces: there is no network, the system
/// (`/usr`) is read-only, a private, empty, size-limited `/tmp` is the only writable path, and the
/// user's files (`$HOME`, the working tree, `/etc/shadow`) are not there at all. When started as
/// root, the sandbox first drops to `nobody` (uid 65534), so the process limit holds. Inside, the
/// program runs under `RLIMIT_CPU`, `RLIMIT_AS`, `RLIMIT_NPROC` and `RLIMIT_FSIZE`; on timeout its
/// whole process group (and with it the pid namespace) is killed, and its output is capped
/// (``outputLimitBytes``).
///
/// When the host cannot create the namespaces (some containers), ``run(_:)`` refuses to run the
/// program and says why, unless ``confinement`` is ``Confinement/unconfinedUnsafe``
/// (`zoo eval --unsafe-no-sandbox`).
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

    /// How far a program is shut off from the host.
    public enum Confinement: Sendable, Equatable {
        /// Fresh Linux namespaces through bubblewrap; the program is refused when they cannot be made.
        case namespaces
        /// Only resource limits and the process-group kill: the program can read and write the user's
        /// files and use the network. For hosts without namespaces, at the user's own risk.
        case unconfinedUnsafe
    }

    /// The Python interpreter, by name (looked up in the sandbox's `/usr/local/bin:/usr/bin:/bin`,
    /// so a per-user shim such as pyenv's is not used) or by absolute path (its installation prefix
    /// is mounted read-only); default `python3`.
    public var python: String
    /// The wall-clock limit in seconds; the CPU-time limit is this rounded up, plus 1.
    public var timeout: Double
    /// The virtual-memory limit in MiB (`RLIMIT_AS`).
    public var memoryLimitMB: Int
    /// The most processes (`RLIMIT_NPROC`, for the sandbox's user); default 64.
    public var processLimit = 64
    /// The most output (stdout and stderr together) before the program is stopped; default 1 MiB.
    public var outputLimitBytes = 1 << 20
    /// The size of the private `/tmp` and the largest file the program may write, in MiB; default 64.
    public var writeLimitMB = 64
    /// Namespaces (the default) or, only when asked for, none.
    public var confinement: Confinement

    /// A sandbox running `python` with `timeout` seconds and `memoryLimitMB` MiB per program.
    public init(python: String = "python3", timeout: Double = 5, memoryLimitMB: Int = 512,
                confinement: Confinement = .namespaces) {
        self.python = python
        self.timeout = timeout
        self.memoryLimitMB = memoryLimitMB
        self.confinement = confinement
    }

    /// Why this host cannot confine programs in namespaces, or `nil` when it can. Checked once per
    /// process by starting `bwrap` with the sandbox's options.
    public static var namespaceProblem: String? { SandboxCommand.namespaceProblem }

    /// Runs `program` (`python3 -I -`, isolated from the user's site packages and environment).
    /// Throws ``EvaluationError`` if the program cannot be confined (and ``confinement`` does not
    /// allow running it unconfined) or cannot be started.
    public func run(_ program: String) throws -> Outcome {
        let command = try SandboxCommand(self)
        let finished = try SandboxProcess.run(
            command.arguments, environment: command.environment, input: Array(program.utf8),
            timeout: timeout, outputLimit: outputLimitBytes, reportsChild: command.reportsChild)
        if finished.outputOverflowed {
            return .failed("stopped: the output passed the \(outputLimitBytes)-byte limit")
        }
        if finished.timedOut { return .timedOut }
        switch finished.status {
        case .exited(0):
            return .passed
        case .exited(SandboxCommand.limitsFailedStatus):
            throw EvaluationError("the sandbox could not set its resource limits: \(finished.lastLine ?? "no output")")
        case .exited(let code) where code == 128 + SIGXCPU || code == 128 + SIGKILL:
            return .timedOut  // bwrap reports a signal as 128 + its number
        case .signaled(let signal) where signal == SIGXCPU || signal == SIGKILL:
            return .timedOut
        case .exited(let code):
            return .failed(finished.lastLine ?? "exit status \(code)")
        case .signaled(let signal):
            return .failed(finished.lastLine ?? "killed by signal \(signal)")
        }
    }
}
