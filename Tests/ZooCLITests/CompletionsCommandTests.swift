import Foundation
import XCTest
import ZooTestSupport

/// `zoo eval --task code --completions`: scoring another engine's samples without a model.
final class CompletionsCommandTests: XCTestCase {
    func testScoresASamplesFileWithoutAModel() throws {
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
        let run = try ZooProcess.run(["eval", "--task", "code", "--data", data.path, "--completions", samples.path, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["passed"] as? Int, 1)
        XCTAssertEqual(object["problems"] as? Int, 2)
        XCTAssertEqual(object["pass_at_1"] as? Double, 0.5)
        let wrongTask = try ZooProcess.run(["eval", "--task", "math", "--data", data.path, "--completions", samples.path])
        XCTAssertTrue(wrongTask.stderr.contains("--completions works with --task code only"), wrongTask.stderr)
    }
}
