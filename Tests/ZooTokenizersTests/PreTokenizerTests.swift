import XCTest
@testable import ZooTokenizers

/// The hand-written scanner against what Qwen's regex (tiktoken / `regex`) yields.
final class PreTokenizerTests: XCTestCase {
    func pieces(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes in
            var out: [String] = []
            PreTokenizer.split(bytes) { out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)) }
            return out
        }
    }

    func testBacktrackingWhitespace() {
        // \s+(?!\S) gives back one space so that " x" stays together.
        XCTAssertEqual(pieces("   x"), ["  ", " x"])
        XCTAssertEqual(pieces("a   "), ["a", "   "])
        XCTAssertEqual(pieces(" x"), [" x"])
        XCTAssertEqual(pieces("a \u{3000}b"), ["a", " ", "\u{3000}b"])
        // \s*[\r\n]+ ends at the last newline of the run.
        XCTAssertEqual(pieces("a \n \n  b"), ["a", " \n \n", " ", " b"])
        XCTAssertEqual(pieces("x\r\ny"), ["x", "\r\n", "y"])
        XCTAssertEqual(pieces("\t\tx"), ["\t", "\tx"])
        XCTAssertEqual(pieces("1 \n"), ["1", " \n"])
    }

    func testContractionsAreCaseInsensitive() {
        XCTAssertEqual(pieces("I'm don't"), ["I", "'m", " don", "'t"])
        XCTAssertEqual(pieces("IT'S THEY'RE WE'LL I'D"), ["IT", "'S", " THEY", "'RE", " WE", "'LL", " I", "'D"])
        XCTAssertEqual(pieces("we'Ll it'sx"), ["we", "'Ll", " it", "'s", "x"])
        // Unicode simple case folding: U+017F LONG S matches `s` (checked against tiktoken).
        XCTAssertEqual(pieces("'\u{17F}a"), ["'\u{17F}", "a"])
        XCTAssertEqual(pieces("'\u{212A}a"), ["'\u{212A}a"])
        XCTAssertEqual(pieces("'x"), ["'x"])
        XCTAssertEqual(pieces("'"), ["'"])
    }

    func testLettersNumbersAndPunctuation() {
        XCTAssertEqual(pieces("Hello, world! 123"), ["Hello", ",", " world", "!", " ", "1", "2", "3"])
        XCTAssertEqual(pieces("f(x):\n"), ["f", "(x", "):\n"])
        XCTAssertEqual(pieces("a ...\n\nb"), ["a", " ...\n\n", "b"])
        XCTAssertEqual(pieces("你好，世界"), ["你好", "，世界"])
        XCTAssertEqual(pieces("x²½Ⅻ"), ["x", "²", "½", "Ⅻ"])
        XCTAssertEqual(pieces("🙂🙂 a"), ["🙂🙂", " a"])
    }

    func testUnicodeWhitespaceClasses() {
        // U+001C..U+001F are not White_Space in Rust's regex (nor here); U+0085 and U+00A0 are.
        XCTAssertEqual(pieces("\u{1C} a"), ["\u{1C}", " a"])
        XCTAssertEqual(pieces("a\u{A0}b"), ["a", "\u{A0}b"])
        XCTAssertEqual(pieces("a\u{85}\u{85}b"), ["a", "\u{85}", "\u{85}b"])
        XCTAssertEqual(pieces("a\u{200B}b"), ["a", "\u{200B}b"])
    }

    func testEmptyText() {
        XCTAssertEqual(pieces(""), [])
    }
}
