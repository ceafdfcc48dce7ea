import Foundation
import XCTest
import ZooCore
import ZooTokenizers

/// The encoding vectors and special tokens of the Qwen spec (§3.3–§3.5), on `qwen.tiktoken`.
final class SpecVectorTests: XCTestCase {
    static let vectors: [(String, [Int])] = [
        ("Hello world", [9707, 1879]),
        ("Hello, world!", [9707, 11, 1879, 0]),
        ("Hello, world! 123", [9707, 11, 1879, 0, 220, 16, 17, 18]),
        ("你好，世界", [108386, 3837, 99489]),
        ("  def f(x):\n    return x**2\n", [220, 707, 282, 2075, 982, 262, 470, 856, 334, 17, 198]),
        ("12345", [16, 17, 18, 19, 20]),
        ("3.14159", [18, 13, 16, 19, 16, 20, 24]),
        ("What is the capital of France?", [3838, 374, 279, 6722, 315, 9625, 30]),
        ("I'm don't", [40, 2776, 1513, 944]),
        ("\t\tx", [197, 10225]),
        ("a  b", [64, 220, 293]),
        ("x\r\ny", [87, 319, 88]),
        ("e\u{301}", [963]),
        ("🙂", [145080]),
        ("\n", [198]), ("\n\n", [271]), ("\n\n\n", [1406]),
        ("user", [872]), ("assistant", [77091]), ("system", [8948]),
        (" A", [362]), (" B", [425]), (" C", [356]), (" D", [422]),
        ("Observation:", [37763, 367, 25]),
        ("\\boxed{18}", [59, 79075, 90, 16, 23, 92]),
    ]

    func testEncodingVectors() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        for (text, ids) in Self.vectors {
            XCTAssertEqual(tokenizer.encode(text), ids, "encoding \(String(reflecting: text))")
            XCTAssertEqual(tokenizer.encode(text, specialTokens: .allowed), ids)
        }
    }

    func testVectorsThroughEveryLoader() throws {
        for tokenizer in [try TestTokenizers.qwen2JSON.get(), try TestTokenizers.qwen2Files.get()] {
            for (text, ids) in Self.vectors {
                XCTAssertEqual(tokenizer.encode(text), ids, "encoding \(String(reflecting: text))")
            }
        }
    }

    func testSpecialTokensInText() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        let text = #"print("<|endoftext|>")"#
        XCTAssertEqual(tokenizer.encode(text, specialTokens: .asText), [1350, 9639, 91, 8691, 723, 427, 91, 82598])
        XCTAssertEqual(tokenizer.encode(text, specialTokens: .allowed), [1350, 445, 151643, 899])
        XCTAssertEqual(tokenizer.encode("<|im_end|>"), [27, 91, 318, 6213, 91, 29])
        XCTAssertEqual(tokenizer.encode("<|im_start|>user<|extra_204|>", specialTokens: .allowed), [151644, 872, 151850])
        // `<|extra_2|>` is a prefix of `<|extra_20|>`: the longer surface wins.
        XCTAssertEqual(tokenizer.encode("<|extra_20|><|extra_2|>", specialTokens: .allowed), [151666, 151648])
    }

    func testSpecialTokenTable() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        XCTAssertEqual(tokenizer.count, 151_851)
        XCTAssertEqual(tokenizer.specialTokenID("<|endoftext|>"), 151_643)
        XCTAssertEqual(tokenizer.specialTokenID("<|im_start|>"), 151_644)
        XCTAssertEqual(tokenizer.specialTokenID("<|im_end|>"), 151_645)
        XCTAssertEqual(tokenizer.specialTokenID("<|extra_0|>"), 151_646)
        XCTAssertEqual(tokenizer.specialTokenID("<|extra_204|>"), 151_850)
        XCTAssertNil(tokenizer.specialTokenID("<|extra_205|>"))
        XCTAssertNil(tokenizer.specialTokenID("Hello"))
        XCTAssertTrue(tokenizer.isSpecial(151_643))
        XCTAssertTrue(tokenizer.isSpecial(151_850))
        XCTAssertFalse(tokenizer.isSpecial(9707))
        XCTAssertEqual(tokenizer.bytes(of: 151_645), Array("<|im_end|>".utf8))
        XCTAssertEqual(tokenizer.bytes(of: 9707), Array("Hello".utf8))
        XCTAssertEqual(tokenizer.bytes(of: 51461), [0x20, 0xE6, 0xA0])
        XCTAssertNil(tokenizer.bytes(of: 151_851))
        XCTAssertNil(tokenizer.bytes(of: -1))
    }

    func testQwen25AddedTokens() throws {
        let tokenizer = try TestTokenizers.qwen2JSON.get()
        XCTAssertEqual(tokenizer.count, 151_665)
        XCTAssertEqual(tokenizer.specialTokenID("<|fim_prefix|>"), 151_659)
        XCTAssertEqual(tokenizer.specialTokenID("<tool_call>"), 151_657)
        XCTAssertTrue(tokenizer.isSpecial(151_656))
        XCTAssertFalse(tokenizer.isSpecial(151_657), "<tool_call> is added but not special")
        // Added tokens are matched whole even when not special.
        XCTAssertEqual(tokenizer.encode("<|fim_prefix|>", specialTokens: .allowed), [151_659])
        XCTAssertEqual(tokenizer.encode("<|fim_prefix|>", specialTokens: .asText), [27, 91, 69, 318, 13974, 91, 29])
    }

    func testByteOrderOfSingleBytes() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        XCTAssertEqual(tokenizer.encode("!"), [0])
        XCTAssertEqual(tokenizer.encode(" "), [220])
        XCTAssertEqual(tokenizer.encode("\u{0}"), [188])
        for id in 0..<256 { XCTAssertEqual(tokenizer.bytes(of: id)?.count, 1) }
    }
}
