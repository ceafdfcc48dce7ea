import Foundation
import QwenZoo
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Programs that try to get out of ``CodeSandbox``: each is stopped, the outside world is checked
/// to be untouched afterwards, and the next program runs normally.
final class SandboxEscapeTests: XCTestCase {
    private let sandbox = CodeSandbox(timeout: 3, memoryLimitMB: 512)
    private let token = "zoo-escape-\(UUID().uuidString.prefix(8))"

    override func setUpWithError() throws {
        // Not a skip: scripts/setup.sh installs bubblewrap, and the escapes must really be tried.
        if let problem = CodeSandbox.namespaceProblem {
            throw EvaluationError("this host cannot confine programs: \(problem)")
        }
    }

    /// The evaluation goes on: a plain program still passes.
    private func assertStillRunning(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try sandbox.run("print('still here')\n"), .passed, "the next program runs", file: file, line: line)
    }

    /// A Python string literal holding `text`.
    private func literal(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text])
        return String(decoding: data, as: UTF8.self).dropFirst().dropLast().description
    }

    /// `body` re-run with the token on its command line, so its processes can be found in `/proc`.
    private func tagged(_ body: String) -> String {
        "import os, sys\nos.execv(sys.executable, [sys.executable, '-I', '-c', \(literal(body)), \(literal(token))])\n"
    }

    /// The host processes whose command line holds the token.
    private func tokenProcesses() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) && Int32($0) != getpid() }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(token)
        }
    }

    func testWritesOutsideTheTemporaryDirectoryFail() throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        let targets = ["\(home)/\(token)", "\(tree)/\(token)", "/var/tmp/\(token)", "/\(token)", "/usr/\(token)"]
        let program = """
            import sys
            wrote = []
            for path in \(targets):
                try:
                    open(path, 'w').write('escaped')
                    wrote.append(path)
                except OSError:
                    pass
            open('/tmp/\(token)', 'w').write('private')  # allowed: the sandbox's own /tmp
            sys.exit(0 if wrote else 3)
            """
        guard case .failed = try sandbox.run(program) else { return XCTFail("a write outside /tmp succeeded") }
        for path in targets + [NSTemporaryDirectory() + token, "/tmp/\(token)"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(path) appeared on the host")
        }
        assertStillRunning()
    }

    func testLoopbackConnectionsFail() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                XCTAssertEqual(bind(listener, $0, size), 0)
                XCTAssertEqual(listen(listener, 4), 0)
                XCTAssertEqual(getsockname(listener, $0, &size), 0)
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let program = """
            import socket
            s = socket.create_connection(('127.0.0.1', \(port)), timeout=2)
            s.sendall(b'escaped')
            """
        guard case .failed(let message) = try sandbox.run(program) else { return XCTFail("the connection was made") }
        XCTAssertTrue(message.contains("Error"), message)
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)
        XCTAssertLessThan(accept(listener, nil, nil), 0, "nothing reached the listening port")
        assertStillRunning()
    }

    func testForkBombIsContained() throws {
        let start = Date()
        let outcome = try sandbox.run(tagged("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"))
        XCTAssertNotEqual(outcome, .passed)
        XCTAssertLessThan(Date().timeIntervalSince(start), 15)
        XCTAssertEqual(tokenProcesses(), [], "no process of the bomb is left")
        assertStillRunning()
    }

    func testSleepingForeverIsKilledWithItsChildren() throws {
        let start = Date()
        let body = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(10**6)\ntime.sleep(10**6)\n"
        XCTAssertEqual(try sandbox.run(tagged(body)), .timedOut)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertEqual(tokenProcesses(), [], "the detached child was killed too")
        assertStillRunning()
    }

    func testTenGigabyteAllocationFails() throws {
        let start = Date()
        let outcome = try sandbox.run("b = bytearray(10 * 2**30)\nb[-1] = 1\n")
        guard case .failed(let message) = outcome else { return XCTFail("allocating 10 GB: \(outcome)") }
        XCTAssertTrue(message.contains("MemoryError"), message)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        assertStillRunning()
    }

    func testEndlessOutputIsCapped() throws {
        let start = Date()
        guard case .failed(let message) = try sandbox.run("while True:\n    print('x' * 1000)\n") else {
            return XCTFail("endless output was not stopped")
        }
        XCTAssertTrue(message.contains("output"), message)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        assertStillRunning()
    }

    func testKillingTheParentFails() throws {
        let program = """
            import os, signal
            for pid in (os.getppid(), \(getpid()), \(getppid()), -1):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            """
        _ = try sandbox.run(program)
        XCTAssertEqual(kill(getpid(), 0), 0, "this process is alive")
        assertStillRunning()
    }

    func testUserFilesAndShadowAreUnreadable() throws {
        let secretFile = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".\(token)")
        try "secret \(token)".write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        let tree = URL(fileURLWithPath: #filePath).path
        let program = """
            import os, sys
            seen = []
            for path in ['/etc/shadow', \(literal(secretFile.path)), \(literal(tree))]:
                try:
                    seen.append(open(path).read(100))
                except OSError:
                    pass
            for folder in [\(literal(FileManager.default.homeDirectoryForCurrentUser.path)), '/home', '/root', '/work']:
                try:
                    seen.extend(os.listdir(folder))
                except OSError:
                    pass
            print(seen)
            sys.exit(0 if seen else 3)
            """
        XCTAssertEqual(try sandbox.run(program), .failed("[]"))
        XCTAssertEqual(try String(contentsOf: secretFile, encoding: .utf8), "secret \(token)", "the file is unchanged")
        assertStillRunning()
    }
}

/// The unconfined mode (`--unsafe-no-sandbox`) still limits time and output.
final class UnconfinedSandboxTests: XCTestCase {
    func testUnconfinedModeKeepsItsLimits() throws {
        let sandbox = CodeSandbox(timeout: 2, confinement: .unconfinedUnsafe)
        XCTAssertEqual(try sandbox.run("print('hello')\n"), .passed)
        XCTAssertEqual(try sandbox.run("import time\ntime.sleep(100)\n"), .timedOut)
        guard case .failed(let message) = try sandbox.run("while True:\n    print('x' * 1000)\n") else {
            return XCTFail("endless output was not stopped")
        }
        XCTAssertTrue(message.contains("output"), message)
    }
}

/// Programs reach the interpreter whole, however long (through a pipe made large enough, or a file).
final class SandboxInputTests: XCTestCase {
    func testALongProgramRunsWhole() throws {
        let program = "x = 1\n" + String(repeating: "# padding\n", count: 300_000) + "assert x == 1\nprint('end')\n"
        XCTAssertEqual(try CodeSandbox(timeout: 20).run(program), .passed)
        XCTAssertEqual(try CodeSandbox(timeout: 20, confinement: .unconfinedUnsafe).run(program), .passed)
    }
}
