import Foundation
import XCTest
import ZooTestSupport

/// `zoo tokenize` / `zoo detokenize` on the real Qwen vocabulary (values from qwen-spec §3.4–3.5, tiktoken).
final class TokenizerCommandTests: XCTestCase {
    private var tiktoken: String { Fixtures.qwenTiktoken.path }
    private var hfDirectory: String { Fixtures.url("tokenizer/qwen2-hf").path }

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: tiktoken) else {
            XCTFail("missing \(tiktoken): run scripts/fetch_vocab.sh")
            throw XCTSkip("vocabulary missing")
        }
    }

    func testTokenizeWithBothVocabularyFormats() throws {
        for path in [tiktoken, hfDirectory] {
            let out = try ZooProcess.run(["tokenize", "--tokenizer", path], stdin: "Hello, world! 123")
            XCTAssertEqual(out.status, 0, out.stderr)
            XCTAssertEqual(out.stdout, "[9707, 11, 1879, 0, 220, 16, 17, 18]\n", path)
        }
    }

    func testSpecialTokensOnlyWhenAllowed() throws {
        let text = "print(\"<|endoftext|>\")"
        let plain = try ZooProcess.run(["tokenize", "--tokenizer", tiktoken], stdin: text)
        XCTAssertEqual(plain.stdout, "[1350, 9639, 91, 8691, 723, 427, 91, 82598]\n")
        let special = try ZooProcess.run(["tokenize", "--tokenizer", tiktoken, "--allow-special"], stdin: text)
        XCTAssertEqual(special.stdout, "[1350, 445, 151643, 899]\n")
    }

    func testDetokenizeRoundTrip() throws {
        let text = "你好，世界 🙂\n\tdef f(x): return x**2"
        let ids = try ZooProcess.run(["tokenize", "--tokenizer", tiktoken], stdin: text).stdout
        let back = try ZooProcess.run(["detokenize", "--tokenizer", tiktoken], stdin: ids)
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(back.stdout, text)
    }

    func testNonUTF8InputIsAnError() throws {
        let out = try ZooProcess.run(["tokenize", "--tokenizer", tiktoken], stdin: Data([0x61, 0xFF, 0x62]))
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("UTF-8"), out.stderr)
    }

    func testDetokenizeRejectsBadInput() throws {
        for (stdin, needle) in [("[1, 2", "JSON array"), ("[1, \"a\"]", "element 1"), ("[1, 999999]", "999999")] {
            let out = try ZooProcess.run(["detokenize", "--tokenizer", tiktoken], stdin: stdin)
            XCTAssertNotEqual(out.status, 0, stdin)
            XCTAssertTrue(out.stderr.contains(needle), "\(stdin): \(out.stderr)")
        }
    }

    func testBrokenTokenizerFilesNameTheFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        let truncated = dir.appendingPathComponent("cut.tiktoken")
        let full = try Data(contentsOf: Fixtures.qwenTiktoken)
        try full.prefix(1000).dropLast(3).write(to: truncated)
        let binary = dir.appendingPathComponent("binary.tiktoken")
        try Data([0x49, 0xFF, 0xFE, 0x20, 0x30, 0x0A]).write(to: binary)
        for path in [truncated.path, binary.path, dir.appendingPathComponent("absent.tiktoken").path] {
            let out = try ZooProcess.run(["tokenize", "--tokenizer", path], stdin: "hi")
            XCTAssertNotEqual(out.status, 0, path)
            XCTAssertTrue(out.stderr.hasPrefix("zoo: error: ") && out.stderr.contains(path), out.stderr)
        }
    }

    func testPromptThroughAMismatchedTokenizerIsAnError() throws {
        let model = Qwen2Reference.directory("gqa-f32-untied").path
        let out = try ZooProcess.run(["generate", "--model", model, "--tokenizer", tiktoken, "--prompt", "Hello world"])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("9707"), out.stderr)
    }
}
