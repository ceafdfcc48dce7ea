import Foundation
import XCTest
import ZooTestSupport

/// `zoo logits` and `zoo generate` against the transformers reference, and their error reporting.
final class ModelCommandTests: XCTestCase {
    private let fixture = "gqa-f32-untied"
    private var model: String { Qwen2Reference.directory(fixture).path }

    func testLogitsPrintsEveryPositionWithinTolerance() throws {
        let reference = try Qwen2Reference.load(fixture).cases[1]
        let out = try ZooProcess.run(["logits", "--model", model, "--ids", reference.ids.map(String.init).joined(separator: ",")])
        XCTAssertEqual(out.status, 0, out.stderr)
        struct Printed: Decodable { let logits: [[Float]] }
        let printed = try JSONDecoder().decode(Printed.self, from: Data(out.stdout.utf8))
        XCTAssertEqual(printed.logits.count, reference.ids.count)
        for (row, expected) in zip(printed.logits, reference.logits) {
            XCTAssertLessThanOrEqual(maxAbsDifference(row, expected), 1e-4)
        }
    }

    func testGeneratePrintIdsEqualsTransformersGenerate() throws {
        for reference in try Qwen2Reference.load(fixture).cases {
            let out = try ZooProcess.run([
                "generate", "--model", model, "--ids", reference.ids.map(String.init).joined(separator: ","),
                "--max-tokens", "\(reference.greedy.max_new_tokens)", "--print-ids",
            ])
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertEqual(out.stdout, "[" + reference.greedy.ids.map(String.init).joined(separator: ", ") + "]\n")
        }
    }

    private func assertFails(_ arguments: [String], stdin: String = "", mentioning needles: [String],
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try ZooProcess.run(arguments, stdin: stdin)
        XCTAssertNotEqual(out.status, 0, "expected failure", file: file, line: line)
        XCTAssertEqual(out.stdout, "", file: file, line: line)
        for needle in needles {
            XCTAssertTrue(out.stderr.contains(needle), "stderr \(out.stderr.debugDescription) lacks \(needle)",
                          file: file, line: line)
        }
    }

    func testMissingModelDirectory() throws {
        try assertFails(["logits", "--model", "/nonexistent/model", "--ids", "1"], mentioning: ["/nonexistent/model"])
    }

    func testMalformedIds() throws {
        try assertFails(["logits", "--model", model, "--ids", "1,x,3"], mentioning: ["--ids", "\"x\""])
    }

    func testIdOutsideTheEmbedding() throws {
        try assertFails(["logits", "--model", model, "--ids", "1,300"], mentioning: ["300"])
    }

    func testTruncatedWeightsNameFileAndTensor() throws {
        let dir = try Fixtures.temporaryDirectory()
        let source = Qwen2Reference.directory(fixture)
        for file in ["config.json", "generation_config.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
        let weights = try Data(contentsOf: source.appendingPathComponent("model.safetensors"))
        try weights.prefix(weights.count - 1000).write(to: dir.appendingPathComponent("model.safetensors"))
        try assertFails(["logits", "--model", dir.path, "--ids", "1"], mentioning: ["model.safetensors", "tensor"])
        let stderr = try ZooProcess.run(["logits", "--model", dir.path, "--ids", "1"]).stderr
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, "one line: \(stderr)")
    }

    func testGenerateNeedsExactlyOnePromptForm() throws {
        let out = try ZooProcess.run(["generate", "--model", model, "--max-tokens", "3"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("--prompt"), out.stderr)
    }
}
