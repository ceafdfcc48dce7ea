import Foundation
import XCTest
import ZooTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The built `zoo serve` on a free loopback port (`--port 0`; the port is read from its
/// "listening on" line), stopped by ``stop()``.
final class ZooServeProcess: @unchecked Sendable {
    private let process = Process()
    /// `http://127.0.0.1:PORT`.
    let endpoint: String

    /// Serves `manifests` (bundled names, run from the repository) and waits, at most 120 s, until it listens.
    init(manifests: [String], arguments: [String] = []) throws {
        process.executableURL = ZooProcess.executable
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"] + manifests.flatMap { ["--manifest", $0] } + arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let found = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var line: String?
        DispatchQueue.global().async {
            var text = ""
            while true {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
                if let range = text.range(of: #"listening on http://\S+"#, options: .regularExpression) {
                    line = String(text[range].dropFirst("listening on ".count))
                    break
                }
            }
            found.signal()
        }
        guard found.wait(timeout: .now() + 120) == .success, let line else {
            process.terminate()
            throw XCTSkip("zoo serve did not start listening within 120 s")
        }
        endpoint = line
    }

    /// `GET path`'s body.
    func get(_ path: String) throws -> String {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: Result<String, any Error> = .failure(URLError(.timedOut))
        URLSession.shared.dataTask(with: URL(string: endpoint + path)!) { data, _, error in
            body = error.map { .failure($0) } ?? .success(String(decoding: data ?? Data(), as: UTF8.self))
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 30)
        return try body.get()
    }

    /// A gauge or counter of `/metrics`, e.g. `zoo_running_sequences` of `model` (nil: an unlabelled one).
    func metric(_ name: String, model: String? = nil) throws -> Double? {
        let prefix = model.map { "\(name){model=\"\($0)\"} " } ?? "\(name) "
        return try get("/metrics").split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
