import Foundation
import XCTest
import ZooTestSupport

/// `zoo eval --protocol` and `--suite report` through the built `zoo` on the nano models.
final class EvalProtocolCommandTests: XCTestCase {
    /// Acceptance: a run killed part-way and resumed gives the numbers of an uninterrupted run.
    func testResumeAfterKillGivesTheSameNumbers() throws {
        let dir = try Fixtures.temporaryDirectory()
        let whole = dir.appendingPathComponent("whole.jsonl").path, killed = dir.appendingPathComponent("killed.jsonl").path
        let base = ["eval", "--manifest", "nano-math", "--protocol", "qwen2.5-math", "--data", "zoo/models/nano-math/eval-math.jsonl",
                    "--limit", "12", "--votes", "2", "--seed", "1", "--json"]
        let reference = try json(try ZooProcess.run(base + ["--out", whole]))
        XCTAssertNotNil(reference["maj_at_k"])
        XCTAssertNotNil(reference["agreement"])

        let partial = try ZooProcess.runKilled(base + ["--out", killed], whenLinesIn: killed, reach: 4)
        XCTAssertLessThan(partial, 12, "killed before the end")

        let resumed = try json(try ZooProcess.run(base + ["--out", killed, "--resume"]))
        for key in ["accuracy", "maj_at_k", "agreement", "items", "answered"] {
            XCTAssertEqual(resumed[key] as? Double, reference[key] as? Double, key)
        }
        XCTAssertEqual(try String(contentsOfFile: killed, encoding: .utf8), try String(contentsOfFile: whole, encoding: .utf8))
        let again = try ZooProcess.run(base + ["--out", killed])
        XCTAssertEqual(again.status, 0, "without --resume the file is started afresh: \(again.stderr)")
    }

    func testSuiteReportRunsEveryBenchmarkFound() throws {
        let dir = try Fixtures.temporaryDirectory()
        let gsm8k = dir.appendingPathComponent("gsm8k"), math = dir.appendingPathComponent("math")
        try FileManager.default.createDirectory(at: gsm8k, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: math, withIntermediateDirectories: true)
        try Data("""
            {"question": "Omar picked 81 cards on Monday and 36 cards on Tuesday. How many cards did Omar pick altogether?", "answer": "81 + 36 = <<81+36=117>>117\\n#### 117"}
            {"question": "A class had 71 apples. The teacher used 44 apples. How many apples are left?", "answer": "71 - 44 = <<71-44=27>>27\\n#### 27"}

            """.utf8).write(to: gsm8k.appendingPathComponent("test.jsonl"))
        try Data("""
            {"problem": "Zoe has 39 flowers. She buys 5 more. How many flowers does Zoe have now?", "level": "Level 1", "type": "Prealgebra", "solution": "$39 + 5 = \\\\boxed{44}$"}

            """.utf8).write(to: math.appendingPathComponent("test.jsonl"))
        let result = try ZooProcess.run(["eval", "--manifest", "nano-math", "--suite", "report", "--data-dir", dir.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("| model | GSM8K (qwen2.5-math) | MATH (qwen2.5-math) |"), result.stdout)
        XCTAssertTrue(result.stdout.contains("| nano-math | 100.0 | 100.0 |"), result.stdout)
        let empty = try ZooProcess.run(["eval", "--manifest", "nano-math", "--suite", "report", "--data-dir", try Fixtures.temporaryDirectory().path])
        XCTAssertNotEqual(empty.status, 0)
        XCTAssertTrue(empty.stderr.contains("no benchmark found"), empty.stderr)
    }

    func testProtocolPrintsPerLevelAndTypeTables() throws {
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("test.jsonl")
        try Data("""
            {"problem": "Zoe has 39 flowers. She buys 5 more. How many flowers does Zoe have now?", "level": "Level 1", "type": "Prealgebra", "solution": "$\\\\boxed{44}$"}
            {"problem": "A class had 71 apples. The teacher used 44 apples. How many apples are left?", "level": "Level 2", "type": "Algebra", "solution": "$\\\\boxed{27}$"}

            """.utf8).write(to: file)
        let result = try ZooProcess.run(["eval", "--manifest", "nano-math", "--protocol", "qwen2.5-math", "--data", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("| subject | items | accuracy |\n|---|---|---|\n| Algebra | 1 | 100.0 % |\n| Prealgebra | 1 | 100.0 % |"), result.stdout)
        XCTAssertTrue(result.stdout.contains("| level | items | accuracy |\n|---|---|---|\n| Level 1 | 1 | 100.0 % |\n| Level 2 | 1 | 100.0 % |"), result.stdout)
    }

    /// `--task math --votes K` reports the agreement rate beside maj@K, and reads GSM8K's published lines.
    func testMathTaskReportsAgreementOnGSM8KLines() throws {
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("test.jsonl")
        try Data("""
            {"question": "Omar picked 81 cards on Monday and 36 cards on Tuesday. How many cards did Omar pick altogether?", "answer": "81 + 36 = <<81+36=117>>117\\n#### 117"}

            """.utf8).write(to: file)
        let object = try json(try ZooProcess.run(
            ["eval", "--manifest", "nano-math", "--task", "math", "--data", file.path, "--votes", "3", "--seed", "1", "--json"]))
        XCTAssertEqual(object["accuracy"] as? Double, 1, "the gold is the number after ####")
        let agreement = try XCTUnwrap(object["agreement"] as? Double)
        XCTAssertTrue((1.0 / 3...1).contains(agreement), "\(agreement)")
    }
}
