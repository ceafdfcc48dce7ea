import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a command in its own process group with `input` on stdin, collects its output up to a
/// cap, and kills the whole group on timeout or overflow.
enum SandboxProcess {
    /// How the command's first process ended.
    enum Status: Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// What ``run(_:environment:input:timeout:outputLimit:)`` saw.
    struct Finished {
        var status: Status
        var timedOut: Bool
        var outputOverflowed: Bool
        /// The last non-empty line of the output, if any.
        var lastLine: String?
    }

    /// The descriptor on which bubblewrap writes `{"child-pid": …}` (`--info-fd`).
    static let infoDescriptor: Int32 = 3

    /// Runs `arguments` (the first is a path) with exactly `environment` ("NAME=value"). With
    /// `reportsChild`, the command is bubblewrap reporting on ``infoDescriptor``: a timeout kills
    /// the namespace's first process, and the call returns only once every process in it is gone.
    static func run(_ arguments: [String], environment: [String], input: [UInt8], timeout: Double,
                    outputLimit: Int, reportsChild: Bool = false) throws -> Finished {
        let stdinFile = try inputFile(input)
        defer { close(stdinFile) }
        let output = try makePipe()
        defer { close(output.read) }
        let info = reportsChild ? try makePipe() : nil
        defer { if let info { close(info.read) } }
        let pid: pid_t
        do {
            pid = try spawn(arguments, environment: environment, stdin: stdinFile, output: output.write,
                            info: info?.write, closing: [output.read] + (info.map { [$0.read] } ?? []))
        } catch {
            close(output.write)
            if let info { close(info.write) }
            throw error
        }
        close(output.write)
        if let info { close(info.write) }
        let deadline = Date().addingTimeInterval(timeout)
        let namespaceChild = info.flatMap { childPID(reportedOn: $0.read, before: deadline) }
        var collected = OutputTail(limit: outputLimit)
        var timedOut = !collect(output.read, into: &collected, before: deadline)
        var killedAt: Date?
        func stop() {
            if let namespaceChild { kill(namespaceChild, SIGKILL) } else { kill(-pid, SIGKILL) }
            killedAt = Date()
        }
        if timedOut || collected.overflowed { stop() }
        // Wait for the first process without reaping it (so its process-group id stays reserved).
        while !hasExited(pid) {
            if let killedAt {
                if Date().timeIntervalSince(killedAt) > 5 { kill(-pid, SIGKILL) }
            } else if deadline.timeIntervalSinceNow <= 0 {
                timedOut = true
                stop()
            }
            usleep(2000)
        }
        kill(-pid, SIGKILL)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        let status: Status = (raw & 0x7f) == 0 ? .exited((raw >> 8) & 0xff) : .signaled(raw & 0x7f)
        return Finished(status: status, timedOut: timedOut, outputOverflowed: collected.overflowed,
                        lastLine: collected.lastLine)
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw EvaluationError("sandbox: cannot make a pipe (errno \(errno))") }
        return (ends[0], ends[1])
    }

    /// Reads `descriptor` into `collected` until the end of the output, the cap, or `deadline`;
    /// false when the deadline came first.
    private static func collect(_ descriptor: Int32, into collected: inout OutputTail, before deadline: Date) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !collected.overflowed {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            guard let count = readSome(descriptor, into: &buffer, waiting: remaining) else { continue }
            if count <= 0 { return true }
            collected.append(buffer[0..<count])
        }
        return true
    }

    /// One `read` once `descriptor` is ready within `seconds` (at most 1 s): the count, 0 at the
    /// end or on an error, or `nil` when nothing came yet.
    private static func readSome(_ descriptor: Int32, into buffer: inout [UInt8], waiting seconds: Double) -> Int? {
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let polled = poll(&ready, 1, Int32(min(seconds, 1) * 1000) + 1)
        if polled < 0 { return errno == EINTR ? nil : 0 }
        if polled == 0 { return nil }
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EINTR || errno == EAGAIN ? nil : 0 }
        return count
    }

    /// The `child-pid` bubblewrap writes on `descriptor`, read until its `}` or `deadline`.
    private static func childPID(reportedOn descriptor: Int32, before deadline: Date) -> pid_t? {
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !text.contains(UInt8(ascii: "}")), deadline.timeIntervalSinceNow > 0 {
            guard let count = readSome(descriptor, into: &buffer, waiting: deadline.timeIntervalSinceNow) else { continue }
            if count <= 0 { break }
            text += buffer[0..<count]
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any],
              let child = object["child-pid"] as? Int else { return nil }
        return pid_t(child)
    }

    /// Whether `pid` has ended, leaving it to be reaped (so its process-group id stays reserved).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return result == 0 && info.si_signo != 0 || result < 0 && errno != EINTR
    }

    /// The program for stdin: a pipe that already holds all of it (so no writable temporary folder
    /// is needed and nothing has to feed the child), or, for a program larger than a pipe can be
    /// made to hold, an unlinked temporary file positioned at its start.
    private static func inputFile(_ input: [UInt8]) throws -> Int32 {
        let ends = try makePipe()
        #if os(Linux)
        let (setSize, getSize): (Int32, Int32) = (1031, 1032)  // F_SETPIPE_SZ, F_GETPIPE_SZ
        if input.count > 65536 { _ = fcntl(ends.write, setSize, Int32(clamping: input.count)) }
        let capacity = Int(fcntl(ends.write, getSize))
        #else
        let capacity = 16384
        #endif
        if input.count <= capacity {
            let wrote = writeAll(input, to: ends.write)
            close(ends.write)
            guard wrote else { close(ends.read); throw EvaluationError("sandbox: cannot write the program (errno \(errno))") }
            return ends.read
        }
        close(ends.read)
        close(ends.write)
        var template = Array((NSTemporaryDirectory() + "/zoo-sandbox-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw EvaluationError("sandbox: cannot create a temporary file (errno \(errno))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        guard writeAll(input, to: fd) else { close(fd); throw EvaluationError("sandbox: cannot write the program (errno \(errno))") }
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// `posix_spawn` in a new process group with stdin from `stdin`, stdout and stderr to `output`,
    /// and `info` (if any) as ``infoDescriptor``.
    private static func spawn(_ arguments: [String], environment: [String], stdin: Int32, output: Int32,
                              info: Int32?, closing others: [Int32]) throws -> pid_t {
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        if let info { posix_spawn_file_actions_adddup2(&actions, info, infoDescriptor) }
        for other in others { posix_spawn_file_actions_addclose(&actions, other) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw EvaluationError("sandbox: cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }
}

/// The output's size so far and its last 4 KiB, for the failure message.
private struct OutputTail {
    let limit: Int
    private(set) var total = 0
    private var tail: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    var overflowed: Bool { total > limit }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        total += bytes.count
        tail.append(contentsOf: bytes)
        if tail.count > 4096 { tail.removeFirst(tail.count - 4096) }
    }

    var lastLine: String? {
        String(decoding: tail, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init)
    }
}
