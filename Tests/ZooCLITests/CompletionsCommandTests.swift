import Foundation
import XCTest
import ZooTestSupport

/// `zoo eval --task code --completions`: scoring another engine's samples without a model.
final class CompletionsCommandTests: XCTestCase {
    /// A problems file and a samples file (one right, one wrong completion) in a fresh folder.
    private func files() throws -> (data: URL, samples: URL) {
        let dir = try Fixtures.temporaryDirectory()
        let data = dir.appendingPathComponent("problems.jsonl")
        try Data("""
            {"task_id": "t/0", "prompt": "def add(a, b):\\n", "entry_point": "add", "test": "def check(f):\\n    assert f(1, 2) == 3\\n"}
            {"task_id": "t/1", "prompt": "def neg(a):\\n", "entry_point": "neg", "test": "def check(f):\\n    assert f(1) == -1\\n"}

            """.utf8).write(to: data)
        let samples = dir.appendingPathComponent("samples.jsonl")
        try Data("""
            {"task_id": "t/0", "completion": "    return a + b\\n"}
            {"task_id": "t/1", "completion": "    return a\\n"}

            """.utf8).write(to: samples)
        return (data, samples)
    }

    func testScoresASamplesFileWithoutAModel() throws {
        let (data, samples) = try files()
        let run = try ZooProcess.run(["eval", "--task", "code", "--data", data.path, "--completions", samples.path, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["passed"] as? Int, 1)
        XCTAssertEqual(object["problems"] as? Int, 2)
        XCTAssertEqual(object["pass_at_1"] as? Double, 0.5)
        let wrongTask = try ZooProcess.run(["eval", "--task", "math", "--data", data.path, "--completions", samples.path])
        XCTAssertTrue(wrongTask.stderr.contains("--completions works with --task code only"), wrongTask.stderr)
    }

    /// Where namespaces cannot be made (here: inside a sandbox that forbids nested user namespaces),
    /// generated code is refused with the reason, unless --unsafe-no-sandbox is given.
    func testRefusesUnconfinedCodeUnlessAskedWhereNamespacesFail() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") else { throw XCTSkip("bubblewrap is not installed") }
        let (data, samples) = try files()
        let noNesting = (geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [])
            + ["/usr/bin/bwrap", "--unshare-user", "--disable-userns", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--", ZooProcess.executable.path, "eval", "--task", "code", "--data", data.path, "--completions", samples.path, "--json"]
        func run(_ extra: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: noNesting[0])
            process.arguments = Array(noNesting.dropFirst()) + extra
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }
        let refused = try run([])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("refusing to run generated code unconfined: bubblewrap cannot create namespaces"),
                      refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--unsafe-no-sandbox"), refused.stderr)
        let unsafe = try run(["--unsafe-no-sandbox"])
        XCTAssertEqual(unsafe.status, 0, unsafe.stderr)
        XCTAssertTrue(unsafe.stdout.contains("\"passed\":1"), unsafe.stdout)
    }
}
