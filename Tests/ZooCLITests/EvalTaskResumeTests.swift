import Foundation
import XCTest
import ZooTestSupport

/// `zoo eval --task … --out FILE` killed part-way and resumed (`--resume`, or `--resume FILE`) gives the
/// numbers and the `--out` file of an uninterrupted run.
final class EvalTaskResumeTests: XCTestCase {
    func testKilledMathTaskResumesToTheNumbersAndRecordsOfAWholeRun() throws {
        func run(seed: String) -> [String] {
            ["eval", "--manifest", "nano-math", "--task", "math", "--data", "zoo/models/nano-math/eval-math.jsonl",
             "--limit", "6", "--votes", "2", "--seed", seed, "--json"]
        }
        let killed = try checkResume(run(seed: "1"), items: 6, keys: ["accuracy", "maj_at_k", "agreement", "answered", "problems"],
                                     resume: { ["--out", $0, "--resume"] })
        // Records of another run (another seed) are refused, not mixed in.
        let other = try ZooProcess.run(run(seed: "2") + ["--out", killed, "--resume"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("for another prompt or settings"), other.stderr)
    }

    func testKilledChatTaskResumesFromTheFileGivenToResume() throws {
        let base = ["eval", "--manifest", "nano-chat", "--task", "chat", "--data", "zoo/models/nano-chat/eval-chat.jsonl",
                    "--limit", "12", "--seed", "1", "--json"]
        try checkResume(base, items: 12, keys: ["ends_with_im_end", "non_empty", "conversations"], resume: { ["--resume", $0] })
    }

    func testKilledCodeTaskWithSamplesResumes() throws {
        let base = ["eval", "--manifest", "nano-code", "--task", "code", "--data", "zoo/models/nano-code/eval-code.jsonl",
                    "--limit", "6", "--samples", "2", "--seed", "1", "--json"]
        try checkResume(base, items: 6, keys: ["pass_at_1", "pass_at_2", "timed_out", "problems"], resume: { ["--out", $0, "--resume"] })
    }

    func testOutAndResumeAreRefusedWhereNoRecordsAreKept() throws {
        let choice = try ZooProcess.run(["eval", "--manifest", "nano-base", "--task", "choice", "--data", "zoo/models/nano-base/eval-choice.jsonl",
                                         "--out", "results.jsonl"])
        XCTAssertNotEqual(choice.status, 0)
        XCTAssertTrue(choice.stderr.contains("--out and --resume go with --protocol and the math, code and chat tasks"), choice.stderr)
        let perplexity = try ZooProcess.run(["eval", "--manifest", "nano-base", "--task", "perplexity", "--data",
                                             "zoo/models/nano-base/eval-perplexity.txt", "--resume", "results.jsonl"])
        XCTAssertTrue(perplexity.stderr.contains("--out and --resume go with --protocol and the math, code and chat tasks"), perplexity.stderr)
        let suite = try ZooProcess.run(["eval", "--manifest", "nano-math", "--suite", "report", "--data-dir", ".", "--out", "results.jsonl"])
        XCTAssertTrue(suite.stderr.contains("--out and --resume go with --protocol or --task, not --suite"), suite.stderr)
        let two = try ZooProcess.run(["eval", "--manifest", "nano-chat", "--task", "chat", "--data", "zoo/models/nano-chat/eval-chat.jsonl",
                                      "--out", "a.jsonl", "--resume", "b.jsonl"])
        XCTAssertNotEqual(two.status, 0)
        XCTAssertTrue(two.stderr.contains("name two files"), two.stderr)
    }

    /// Runs `base` whole into one file and, into another, kills it part-way and resumes it with the
    /// arguments `resume` gives for that file; the numbers under `keys` and the two files must be equal.
    /// Returns the resumed file.
    @discardableResult
    private func checkResume(_ base: [String], items: Int, keys: [String], resume: (String) -> [String],
                             file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let dir = try Fixtures.temporaryDirectory()
        let whole = dir.appendingPathComponent("whole.jsonl").path, killed = dir.appendingPathComponent("killed.jsonl").path
        let reference = try json(try ZooProcess.run(base + ["--out", whole]))
        let partial = try ZooProcess.runKilled(base + ["--out", killed], whenLinesIn: killed, reach: 2)
        XCTAssertGreaterThan(partial, 0, "some records were written before the kill", file: file, line: line)
        XCTAssertLessThan(partial, items, "killed before the end", file: file, line: line)
        let resumed = try json(try ZooProcess.run(base + resume(killed)))
        for key in keys {
            XCTAssertNotNil(reference[key], key, file: file, line: line)
            XCTAssertEqual("\(resumed[key] ?? "none")", "\(reference[key] ?? "none")", key, file: file, line: line)
        }
        XCTAssertEqual(try String(contentsOfFile: killed, encoding: .utf8), try String(contentsOfFile: whole, encoding: .utf8),
                       "the records, in item order, of an uninterrupted run", file: file, line: line)
        return killed
    }
}
