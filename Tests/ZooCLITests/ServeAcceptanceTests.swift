import Foundation
import XCTest
import ZooTestSupport

/// `zoo serve` driven from outside by the official `openai` Python client
/// (scripts/serve_acceptance.py; issue #15's acceptance list). The script starts the built `zoo`
/// on a free loopback port and checks each answer against the CLI or the same request alone.
final class ServeAcceptanceTests: XCTestCase {
    func testOfficialOpenAIClientAgainstZooServe() throws {
        let root = Fixtures.repositoryRoot
        let python = root.appendingPathComponent(".build/venv-serve/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            return XCTFail("\(python.path) is missing: run scripts/setup.sh (it installs the pinned openai client there)")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [root.appendingPathComponent("scripts/serve_acceptance.py").path, "--zoo", ZooProcess.executable.path]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(text)
        XCTAssertEqual(process.terminationStatus, 0, "serve_acceptance.py failed:\n\(text)")
        XCTAssertTrue(text.contains("serve_acceptance: 0 failed"), text)
    }
}
