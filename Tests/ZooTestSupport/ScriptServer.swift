import Foundation

/// A test server written in Python under `scripts/` (standard library only), on a free loopback port:
/// started with `--port-file` and `--log`, stopped by ``stop()``.
public final class ScriptServer: @unchecked Sendable {
    /// A script that did not start (python3 missing, or a crash).
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    private let process = Process()
    /// Where the script logs each request, one line each.
    public let log: URL
    /// `http://127.0.0.1:PORT`.
    public let endpoint: String

    /// Runs `scripts/<script>` with `arguments` and waits (at most 20 s) until it listens; its
    /// port and log files go into `directory`.
    public init(script: String, _ arguments: [String], directory: URL) throws {
        let name = (script as NSString).deletingPathExtension
        log = directory.appendingPathComponent("\(name)-requests.log")
        let portFile = directory.appendingPathComponent("\(name)-port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.repositoryRoot.appendingPathComponent("scripts/\(script)").path,
                             "--log", log.path, "--port-file", portFile.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile.path) {
            guard process.isRunning, Date() < deadline else {
                process.terminate()
                throw StartError(description: "scripts/\(script) did not start listening within 20 s")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        endpoint = "http://127.0.0.1:" + (try String(contentsOf: portFile, encoding: .utf8))
    }

    /// The log's lines so far.
    public var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
