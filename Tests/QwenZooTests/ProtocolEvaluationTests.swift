import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Protocol runs on the nano models: the GSM8K format scores as today's format does, results files resume,
/// and the summary groups by subject and level.
final class ProtocolEvaluationTests: XCTestCase {
    private func load(_ name: String) throws -> LoadedModel {
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        return try LoadedModel.load(try loader.load(name).manifest)
    }

    private var heldOut: URL { Fixtures.repositoryRoot.appendingPathComponent("zoo/models/nano-math/eval-math.jsonl") }

    /// nano-math's held-out set rewritten in GSM8K's published form (a worked answer with `<<…>>`
    /// annotations ending in `#### N`, thousands with commas).
    private func gsm8kCopy() throws -> URL {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("test.jsonl")
        var lines: [String] = []
        for item in try EvaluationDataReader.math(heldOut) {
            let n = Int(item.answer)!
            let grouped = NumberFormatter.localizedString(from: NSNumber(value: n), number: .decimal)
                .replacingOccurrences(of: "\u{00A0}", with: ",").replacingOccurrences(of: ".", with: ",")
            let answer = "Work it out: <<\(n)=\(n)>>\(n) in all.\n#### \(n >= 1000 ? grouped : String(n))"
            let object = try JSONSerialization.data(withJSONObject: ["question": item.question, "answer": answer], options: [.sortedKeys])
            lines.append(String(decoding: object, as: UTF8.self))
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// Acceptance: the whole held-out set scores the same in GSM8K format as in the harness's format.
    func testNanoMathScoresTheSameInGSM8KFormat() throws {
        let today = try EvaluationDataReader.math(heldOut)
        let published = try EvaluationDataReader.math(try gsm8kCopy())
        XCTAssertEqual(try BenchmarkFormat.detect(try gsm8kCopy()), .gsm8k)
        XCTAssertEqual(published.map(\.question), today.map(\.question))
        XCTAssertEqual(published.map(\.answer), today.map(\.answer), "the gold is the number after ####, commas removed")
        let zoo = try load("nano-math")
        let a = try MathEvaluation().run(zoo, items: today)
        let b = try MathEvaluation().run(zoo, items: published)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.accuracy, 0.98, accuracy: 1e-9, "the README's greedy figure")
    }

    /// A results file cut short (a killed run, its last line half written) resumes to the same records.
    func testResumedRunEqualsUninterruptedRun() throws {
        let zoo = try load("nano-math")
        let items = try EvaluationDataReader.benchmark(try gsm8kCopy(), limit: 6)
        let run = ProtocolEvaluation(.qwen25Math, votes: 2, seed: 3)
        let dir = try Fixtures.temporaryDirectory()
        let whole = dir.appendingPathComponent("whole.jsonl"), cut = dir.appendingPathComponent("cut.jsonl")
        let reference = try run.run(zoo, items: items, results: try EvaluationResultsFile(whole, resume: false))
        let lines = try String(contentsOf: whole, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 6)
        try Data((lines.prefix(2).joined(separator: "\n") + "\n" + lines[2].prefix(30)).utf8).write(to: cut)
        let file = try EvaluationResultsFile(cut, resume: true)
        XCTAssertEqual(file.records.count, 2, "the half-written line is dropped")
        let resumed = try run.run(zoo, items: items, results: file)
        XCTAssertEqual(resumed, reference)
        XCTAssertEqual(try String(contentsOf: cut, encoding: .utf8), try String(contentsOf: whole, encoding: .utf8))
        XCTAssertNotNil(reference.overall.majorityAccuracy)
        XCTAssertNotNil(reference.meanAgreement)

        // The same file under another protocol, or with other votes or seed, holds other records: refused, not mixed.
        for other in [ProtocolEvaluation(.qwenChatGSM8K), ProtocolEvaluation(.qwen25Math, votes: 3, seed: 3), ProtocolEvaluation(.qwen25Math, votes: 2)] {
            XCTAssertThrowsError(try other.run(zoo, items: items, results: try EvaluationResultsFile(cut, resume: true))) {
                XCTAssertTrue("\($0)".contains("for another prompt or settings"), "\($0)")
            }
        }
    }

    func testSummaryGroupsBySubjectAndLevel() {
        func record(_ id: String, _ subject: String, _ level: String?, _ correct: Bool) -> EvaluationRecord {
            EvaluationRecord(id: id, promptHash: "", output: "", extracted: "1", gold: "1", correct: correct, subject: subject, level: level)
        }
        let summary = EvaluationSummary(protocolName: "qwen2.5-math", records: [
            record("1", "Algebra", "Level 1", true), record("2", "Algebra", "Level 5", false), record("3", "Geometry", "Level 5", true),
        ], votes: 1)
        XCTAssertEqual(summary.overall.correct, 2)
        XCTAssertEqual(summary.bySubject.map(\.name), ["Algebra", "Geometry"])
        XCTAssertEqual(summary.bySubject.map(\.accuracy), [0.5, 1])
        XCTAssertEqual(summary.byLevel.map(\.name), ["Level 1", "Level 5"])
        XCTAssertEqual(summary.byLevel.map(\.correct), [1, 1])
        XCTAssertNil(summary.meanAgreement)
        XCTAssertEqual(summary.headline, 2.0 / 3, accuracy: 1e-12, "MATH reports the share of all items")
        var ceval = summary
        ceval.protocolName = EvaluationProtocol.qwenCEval.rawValue
        XCTAssertEqual(ceval.headline, 0.75, accuracy: 1e-12, "cal_ceval averages the subjects' accuracies: (50 + 100) / 2")
    }

    /// The 5-shot choice protocols need the dev split, and say so.
    func testChoiceProtocolsAskForTheDevSplit() throws {
        let zoo = try load("nano-base")
        let items = try EvaluationDataReader.benchmark(
            Fixtures.repositoryRoot.appendingPathComponent("zoo/models/nano-base/eval-choice.jsonl"), limit: 2)
        XCTAssertThrowsError(try ProtocolEvaluation(.qwenMMLU).run(zoo, items: items)) {
            XCTAssertTrue("\($0)".contains("--fewshot"), "\($0)")
        }
        let dev = ["": Array(repeating: ChoiceRow(question: "1 + 1?", choices: ["1", "2", "3", "4"], answer: "B"), count: 5)]
        let summary = try ProtocolEvaluation(.qwenMMLU, fewShot: dev).run(zoo, items: items)
        XCTAssertEqual(summary.records.count, 2)
        XCTAssertTrue(summary.records.allSatisfy { QwenMultipleChoice.letters.contains($0.output) })
    }

    /// A prompt longer than the model's context (the 8-shot GSM8K prompt on a nano model) is an error naming
    /// the item, before anything is generated.
    func testPromptBeyondTheContextNamesTheItem() throws {
        let zoo = try load("nano-base")
        let item = BenchmarkItem(id: "test.jsonl:1", content: .problem(question: "What is 2 + 3?", solution: "#### 5", gold: "5"))
        XCTAssertThrowsError(try ProtocolEvaluation(.qwenGSM8K).run(zoo, items: [item])) {
            XCTAssertTrue("\($0)".hasPrefix("test.jsonl:1: the qwen-gsm8k prompt has "), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix("but nano-base's context holds 1024"), "\($0)")
        }
    }
}
