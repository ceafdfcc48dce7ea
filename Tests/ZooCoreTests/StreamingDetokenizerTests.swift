import XCTest
import ZooCore

final class StreamingDetokenizerTests: XCTestCase {
    func testACharacterSplitAcrossTokensIsHeldBack() {
        var d = StreamingDetokenizer()
        // "栈" is E6 A0 88; Qwen id 51461 is " \xe6\xa0", the next token carries the last byte.
        XCTAssertEqual(d.append([0x20, 0xE6, 0xA0]), " ")
        XCTAssertEqual(d.append([0x88, 0x21]), "栈!")
        XCTAssertEqual(d.flush(), "")
    }

    func testFourByteCharacterOneByteAtATime() {
        var d = StreamingDetokenizer()
        let bytes = Array("🙂".utf8)
        var out = ""
        for b in bytes { out += d.append([b]) }
        XCTAssertEqual(out, "🙂")
    }

    func testInvalidBytesAreReplacedNotHeld() {
        var d = StreamingDetokenizer()
        XCTAssertEqual(d.append([0xFF, 0x41]), "\u{FFFD}A")
        // A lead byte followed by a byte that cannot continue it is emitted at once.
        XCTAssertEqual(d.append([0xE0, 0x80]), "\u{FFFD}\u{FFFD}")
    }

    func testFlushEmitsAnIncompleteTailAsReplacement() {
        var d = StreamingDetokenizer()
        XCTAssertEqual(d.append([0x61, 0xF0, 0x9F]), "a")
        XCTAssertEqual(d.flush(), "\u{FFFD}")
    }

    func testConcatenationEqualsWholeDecodeForEverySplit() {
        let text = "héllo 你好 🙂👍🏽 end"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var d = StreamingDetokenizer()
            let out = d.append(Array(bytes[..<cut])) + d.append(Array(bytes[cut...])) + d.flush()
            XCTAssertEqual(out, text, "cut at \(cut)")
        }
    }
}
