import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// The evaluation harness: pass@k, the code sandbox, answer checking, perplexity parity and determinism.
final class EvaluationTests: XCTestCase {
    private func load(_ name: String) throws -> LoadedModel {
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        return try LoadedModel.load(try loader.load(name).manifest)
    }

    func testUnbiasedPassAtK() {
        XCTAssertEqual(CodeEvaluation.passAtK(n: 10, c: 3, k: 1), 0.3, accuracy: 1e-12)
        // 1 − C(7,5)/C(10,5) = 1 − 21/252
        XCTAssertEqual(CodeEvaluation.passAtK(n: 10, c: 3, k: 5), 1 - 21.0 / 252.0, accuracy: 1e-12)
        XCTAssertEqual(CodeEvaluation.passAtK(n: 10, c: 0, k: 5), 0)
        XCTAssertEqual(CodeEvaluation.passAtK(n: 10, c: 6, k: 5), 1)
        XCTAssertEqual(CodeEvaluation.passAtK(n: 1, c: 1, k: 1), 1)
    }

    func testSandboxPassesFailsAndKillsRunawayPrograms() throws {
        let sandbox = CodeSandbox(timeout: 2, memoryLimitMB: 256)
        XCTAssertEqual(try sandbox.run("def f(x):\n    return x + 1\nassert f(1) == 2\n"), .passed)
        guard case .failed(let message) = try sandbox.run("assert 1 == 2, 'wrong'\n") else { return XCTFail("should fail") }
        XCTAssertTrue(message.contains("AssertionError"), message)
        let start = Date()
        XCTAssertEqual(try sandbox.run("while True:\n    pass\n"), .timedOut)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        let hog = try sandbox.run("x = []\nwhile True:\n    x.append(' ' * 10_000_000)\n")
        XCTAssertNotEqual(hog, .passed, "a program that allocates without bound is stopped")
        XCTAssertEqual(try sandbox.run("print('still running')\n"), .passed, "the next program runs normally")
    }

    func testHumanEvalProgramAssembly() {
        let item = try! JSONDecoder().decode(CodeEvaluation.Item.self, from: Data("""
            {"task_id": "t/0", "prompt": "def add(a, b):\\n", "entry_point": "add", "test": "def check(f):\\n    assert f(1, 2) == 3\\n"}
            """.utf8))
        let program = CodeEvaluation.program(item, completion: "    return a + b\n")
        XCTAssertEqual(try CodeSandbox().run(program), .passed)
        XCTAssertTrue(program.hasSuffix("check(add)\n"))
    }

    func testMathAnswerChecking() {
        XCTAssertTrue(MathEvaluation.isCorrect("8", gold: "8"))
        XCTAssertTrue(MathEvaluation.isCorrect("8.00", gold: "8"))
        XCTAssertTrue(MathEvaluation.isCorrect("1,200", gold: "1200"))
        XCTAssertTrue(MathEvaluation.isCorrect("\\frac{1}{2}", gold: "\\dfrac{1}{2}"))
        XCTAssertFalse(MathEvaluation.isCorrect("7", gold: "8"))
        XCTAssertFalse(MathEvaluation.isCorrect(nil, gold: "8"))
    }

    func testPerplexityEqualsTransformers() throws {
        struct Reference: Decodable {
            let text: String
            let window: Int
            let ids: [Int]
            let tokens: Int
            let mean_nll: Double
        }
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: Fixtures.url("eval/perplexity.json")))
        let zoo = try load("tiny-base")
        XCTAssertEqual(zoo.tokenizer.encode(reference.text), reference.ids)
        let result = try PerplexityEvaluation(window: reference.window).run(zoo, text: reference.text)
        XCTAssertEqual(result.tokens, reference.tokens)
        XCTAssertEqual(result.meanNegativeLogLikelihood, reference.mean_nll, accuracy: 1e-5)
    }

    func testMathEvaluationIsDeterministic() throws {
        let zoo = try load("tiny-math")
        let items = [MathEvaluation.Item(question: "What is 2 + 3?", answer: "5"),
                     MathEvaluation.Item(question: "What is 4 times 2?", answer: "8")]
        let evaluation = MathEvaluation(votes: 3, seed: 7, maxTokens: 8)
        XCTAssertEqual(try evaluation.run(zoo, items: items), try evaluation.run(zoo, items: items))
    }

    func testChatEvaluationCountsRepliesEndingWithImEnd() throws {
        let zoo = try load("tiny-chat")
        let item = try JSONDecoder().decode(ChatEvaluation.Item.self, from: Data(
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hello, who are you?\"}]}".utf8))
        // The reference stops at <|im_end|> on this prompt (Tests/Fixtures/zoo-tiny/reference.json).
        XCTAssertEqual(try ChatEvaluation().run(zoo, items: [item]).endedWithImEnd, 1)
        XCTAssertEqual(try ChatEvaluation(maxTokens: 2).run(zoo, items: [item]).endedWithImEnd, 0, "cut by the token limit")
    }

    func testDataErrorsNameFileAndLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("bad.jsonl")
        try Data("{\"question\": \"q\", \"answer\": \"1\"}\n{\"question\": \"q\"}\n".utf8).write(to: file)
        XCTAssertThrowsError(try EvaluationDataReader.math(file)) {
            XCTAssertEqual("\($0)", "\(file.path):2: missing field \"answer\"")
        }
    }
}
