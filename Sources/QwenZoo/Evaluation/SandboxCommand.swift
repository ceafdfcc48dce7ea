import Foundation

/// The command line that runs one program for ``CodeSandbox``: bubblewrap with fresh namespaces,
/// or (unconfined) a plain shell; in both, a shell that sets the resource limits and execs Python.
struct SandboxCommand {
    /// The exit status of the limit-setting shell when a limit cannot be set.
    static let limitsFailedStatus: Int32 = 125
    /// The user the sandbox drops to when started as root, so that `RLIMIT_NPROC` applies.
    static let unprivilegedID = 65534

    let arguments: [String]
    let environment: [String]
    /// Whether bubblewrap reports its namespace's first process on ``SandboxProcess/infoDescriptor``.
    let reportsChild: Bool

    init(_ sandbox: CodeSandbox) throws {
        let limits = Self.limitScript(sandbox)
        switch sandbox.confinement {
        case .unconfinedUnsafe:
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            arguments = ["/bin/sh", "-c", limits, sandbox.python]
            environment = ["PATH=\(path)", "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1"]
            reportsChild = false
        case .namespaces:
            if let problem = Self.namespaceProblem {
                throw EvaluationError("""
                    refusing to run generated code unconfined: \(problem). Install bubblewrap \
                    (scripts/setup.sh does) on a host that allows user namespaces, or pass \
                    --unsafe-no-sandbox to run it without confinement at your own risk
                    """)
            }
            arguments = Self.confined(Self.pythonMounts(sandbox.python), writeLimitMB: sandbox.writeLimitMB)
                + ["/bin/sh", "-c", limits, sandbox.python]
            environment = []
            reportsChild = true
        }
    }

    /// `ulimit`s for CPU time, address space, processes, file size and core dumps, then
    /// `exec python -I -`; exits with ``limitsFailedStatus`` if a limit cannot be set.
    private static func limitScript(_ sandbox: CodeSandbox) -> String {
        let cpuSeconds = Int(sandbox.timeout.rounded(.up)) + 1
        let blocks = sandbox.writeLimitMB * 2048  // 512-byte blocks
        return "ulimit -c 0 && ulimit -t \(cpuSeconds) && ulimit -v \(sandbox.memoryLimitMB * 1024) "
            + "&& ulimit -p \(sandbox.processLimit) && ulimit -f \(blocks) || exit \(limitsFailedStatus); "
            + "exec \"$0\" -I -"
    }

    /// bubblewrap's arguments (behind `setpriv` when running as root), ending with `--`.
    static func confined(_ extraMounts: [String], writeLimitMB: Int) -> [String] {
        var prefix: [String] = []
        if geteuid() == 0 {
            let id = String(unprivilegedID)
            prefix = [tool("setpriv"), "--reuid=\(id)", "--regid=\(id)", "--clear-groups", "--"]
        }
        var mounts = ["--ro-bind", "/usr", "/usr"]
        for link in ["/bin", "/sbin", "/lib", "/lib64"] {
            if let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: link) {
                mounts += ["--symlink", destination, link]  // merged /usr
            } else if FileManager.default.fileExists(atPath: link) {
                mounts += ["--ro-bind", link, link]
            }
        }
        for file in ["/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"]
        where FileManager.default.fileExists(atPath: file) {
            mounts += ["--ro-bind", file, file]
        }
        return prefix + [
            tool("bwrap"),
            "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL",
        ] + mounts + extraMounts + [
            "--proc", "/proc", "--dev", "/dev",
            "--size", String(writeLimitMB << 20), "--tmpfs", "/tmp", "--remount-ro", "/", "--chdir", "/tmp",
            "--info-fd", String(SandboxProcess.infoDescriptor),
            "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "PYTHONHASHSEED", "0", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
            "--",
        ]
    }

    /// For an interpreter given by an absolute path outside `/usr`, its installation prefix, read-only.
    private static func pythonMounts(_ python: String) -> [String] {
        guard python.hasPrefix("/") else { return [] }
        let real = URL(fileURLWithPath: python).resolvingSymlinksInPath()
        let prefix = real.deletingLastPathComponent().deletingLastPathComponent().path
        if prefix == "/usr" || prefix.hasPrefix("/usr/") || prefix == "/" { return [] }
        return ["--ro-bind", prefix, prefix]
    }

    /// `name` in `/usr/bin` or `/bin`, else the bare name for `PATH` to find.
    private static func tool(_ name: String) -> String {
        for folder in ["/usr/bin", "/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        return name
    }

    /// Why namespaces cannot be made here (bwrap's own words), or `nil`; checked once.
    static let namespaceProblem: String? = {
        guard tool("bwrap").hasPrefix("/") else { return "bubblewrap (bwrap) is not installed" }
        do {
            let probe = try SandboxProcess.run(
                confined([], writeLimitMB: 1) + ["/bin/true"], environment: [], input: [], timeout: 20, outputLimit: 4096,
                reportsChild: true)
            if case .exited(0) = probe.status, !probe.timedOut { return nil }
            return "bubblewrap cannot create namespaces on this host (\(probe.lastLine ?? "no message"))"
        } catch {
            return "bubblewrap cannot be started (\(error))"
        }
    }()
}
