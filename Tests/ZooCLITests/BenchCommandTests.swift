import Foundation
import XCTest
import ZooTestSupport

/// `zoo bench --model` on a checkpoint directory and on a GGUF file (bench/compare runs both).
final class BenchCommandTests: XCTestCase {
    private struct Report: Decodable {
        let model: String
        let precision: String
        let prompt_tokens: Int
        let decode_tokens: Int
        let prefill_tokens_per_second: Double
        let decode_tokens_per_second: Double
    }

    private func bench(_ model: String, _ extra: [String] = []) throws -> ZooProcess.Output {
        try ZooProcess.run(["bench", "--model", model, "--prompt-tokens", "8", "--decode-tokens", "2", "--repeat", "1",
                            "--threads", "1", "--json"] + extra)
    }

    func testBenchReadsACheckpointDirectoryAndGGUFFiles() throws {
        let gguf = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/gguf")
        for (model, precision) in [(Qwen2Reference.directory("gqa-f32-untied").path, "auto"),
                                   (gguf.appendingPathComponent("gqa-f32-untied.f32.gguf").path, "auto"),
                                   (gguf.appendingPathComponent("gqa-f32-untied.q8_0.gguf").path, "auto"),
                                   (gguf.appendingPathComponent("gqa-f16.f16.gguf").path, "q4_0")] {
            let out = try bench(model, ["--precision", precision])
            XCTAssertEqual(out.status, 0, out.stderr)
            let report = try JSONDecoder().decode(Report.self, from: Data(out.stdout.utf8))
            XCTAssertEqual(report.model, model)
            XCTAssertEqual(report.precision, precision)
            XCTAssertEqual(report.prompt_tokens, 8)
            XCTAssertEqual(report.decode_tokens, 2)
            XCTAssertGreaterThan(report.prefill_tokens_per_second, 0)
            XCTAssertGreaterThan(report.decode_tokens_per_second, 0)
        }
    }

    /// `--batch B` decodes B sequences in one forward pass per step and reports their aggregate rate.
    func testBatchedDecodeReportsTheBatch() throws {
        struct Batched: Decodable { let batch: Int; let decode_tokens_per_second: Double }
        let model = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/gguf/gqa-f32-untied.q8_0.gguf").path
        let out = try bench(model, ["--batch", "3"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let report = try JSONDecoder().decode(Batched.self, from: Data(out.stdout.utf8))
        XCTAssertEqual(report.batch, 3)
        XCTAssertGreaterThan(report.decode_tokens_per_second, 0)
        let refused = try bench(model, ["--batch", "0"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--batch"), refused.stderr)
    }

    func testMissingGGUFFileIsAOneLineError() throws {
        let out = try bench("/nonexistent/model.gguf")
        XCTAssertNotEqual(out.status, 0)
        XCTAssertEqual(out.stdout, "")
        XCTAssertTrue(out.stderr.contains("/nonexistent/model.gguf"), out.stderr)
        XCTAssertEqual(out.stderr.split(separator: "\n").count, 1, out.stderr)
    }
}
