import Foundation
import XCTest
import ZooTestSupport

/// The JSON object a `zoo … --json` run printed, after checking it succeeded.
func json(_ output: ZooProcess.Output, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    XCTAssertEqual(output.status, 0, output.stderr, file: file, line: line)
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], file: file, line: line)
}

/// Issue 19's evaluation bugs, each through the built `zoo` on the bundled nano models.
final class EvalRegressionTests: XCTestCase {
    /// Bug 5: without python3 the code task stops before generating, saying what is missing.
    func testCodeTaskWithoutPythonStopsUpFront() throws {
        let empty = try Fixtures.temporaryDirectory()
        let result = try ZooProcess.run(
            ["eval", "--manifest", "nano-code", "--task", "code", "--data", "zoo/models/nano-code/eval-code.jsonl", "--limit", "2"],
            environment: ["PATH": empty.path])
        XCTAssertNotEqual(result.status, 0, result.stdout)
        XCTAssertTrue(result.stderr.contains("needs python3 to run the tests, and it is not on PATH"), "status \(result.status): \(result.stderr) \(result.stdout)")
        XCTAssertFalse(result.stderr.contains("code ["), "no completion is generated: \(result.stderr)")
    }

    /// Bug 10 (first half): a chat manifest asked for math hears that math needs a math variant.
    func testMathTaskOnChatManifestNamesTheVariant() throws {
        let result = try ZooProcess.run(
            ["eval", "--manifest", "nano-chat", "--task", "math", "--data", "zoo/models/nano-math/eval-math.jsonl", "--limit", "1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("needs a math variant"), result.stderr)
        XCTAssertFalse(result.stderr.contains("unknown option"), result.stderr)
    }

    /// Bug 12: perplexity scores only the first --limit documents.
    func testPerplexityHonoursLimit() throws {
        let base = ["eval", "--manifest", "nano-base", "--task", "perplexity", "--data", "zoo/models/nano-base/eval-perplexity.txt", "--json"]
        let one = try json(try ZooProcess.run(base + ["--limit", "1"]))
        let three = try json(try ZooProcess.run(base + ["--limit", "3"]))
        let oneTokens = try XCTUnwrap(one["tokens"] as? Int), threeTokens = try XCTUnwrap(three["tokens"] as? Int)
        XCTAssertGreaterThan(oneTokens, 0)
        XCTAssertGreaterThan(threeTokens, oneTokens)
    }

    /// Issue 19 (cosmetic): stderr that is not a terminal gets no `\r`-redrawn progress bar.
    func testProgressIsOneLineWhenStderrIsNotATerminal() throws {
        let result = try ZooProcess.run(["eval", "--manifest", "nano-base", "--task", "perplexity", "--data",
                                         "zoo/models/nano-base/eval-perplexity.txt", "--limit", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("\r"), result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "\n").filter { $0.contains("/") }.count, 1, result.stderr)
    }

    /// Bug 13: every pass@k asked with --k is reported, and a k above --samples is refused.
    func testCodeSamplesReportEveryAskedK() throws {
        let args = ["eval", "--manifest", "nano-code", "--task", "code", "--data", "zoo/models/nano-code/eval-code.jsonl",
                    "--limit", "2", "--samples", "4", "--seed", "1", "--json"]
        let object = try json(try ZooProcess.run(args + ["--k", "1,2,4"]))
        for k in [1, 2, 4] { XCTAssertNotNil(object["pass_at_\(k)"], "pass@\(k) in \(object)") }
        let defaults = try json(try ZooProcess.run(args))
        XCTAssertNotNil(defaults["pass_at_4"], "by default pass@N is reported too: \(defaults)")
        let tooBig = try ZooProcess.run(args + ["--k", "8"])
        XCTAssertNotEqual(tooBig.status, 0)
        XCTAssertTrue(tooBig.stderr.contains("--k 8"), tooBig.stderr)
    }
}
