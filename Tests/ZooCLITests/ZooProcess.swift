import Foundation
import XCTest
import ZooTestSupport

/// Runs the built `zoo` executable and captures what it prints.
struct ZooProcess {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `zoo` binary next to the test bundle (SwiftPM builds it because the tests depend on it).
    static let executable: URL = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [besideTests, besideTests.deletingLastPathComponent(),
                    Fixtures.repositoryRoot.appendingPathComponent(".build/debug")] {
            let candidate = dir.appendingPathComponent("zoo")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        fatalError("cannot find the zoo executable near \(besideTests.path)")
    }()

    /// Runs `zoo arguments` in `directory` (default: the repository, whose zoo/ holds the manifests);
    /// `environment` replaces the inherited environment's variables it names.
    static func run(_ arguments: [String], stdin: Data = Data(), directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // Manifests are found by name in ./zoo, so run where the repository's zoo/ is.
        process.currentDirectoryURL = directory ?? Fixtures.repositoryRoot
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = error.fileHandleForReading.readDataToEndOfFile() }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs `zoo arguments` on a pseudo-terminal (util-linux `script`) with `keys` typed ahead, and
    /// returns the exit status and everything the terminal showed; skips the test without `script`.
    static func runInTerminal(_ arguments: [String], keys: String) throws -> (status: Int32, screen: String) {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: script.path), "needs util-linux script")
        let process = Process()
        process.executableURL = script
        process.arguments = ["-qec", ([executable.path] + arguments).joined(separator: " "), "/dev/null"]
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(keys.utf8))
        try input.fileHandleForWriting.close()
        let screen = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, screen)
    }

    /// Starts `zoo arguments`, kills it (SIGKILL) once `file` holds `lines` lines (or after 120 s),
    /// and returns how many lines it holds then: a run cut off mid-way, for `--resume` to continue.
    static func runKilled(_ arguments: [String], whenLinesIn file: String, reach lines: Int,
                          environment: [String: String] = [:]) throws -> Int {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").count >= lines { break }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count
    }

    static func run(_ arguments: [String], stdin text: String, directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Output {
        try run(arguments, stdin: Data(text.utf8), directory: directory, environment: environment)
    }
}
