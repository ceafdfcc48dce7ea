import XCTest
import ZooCore
import ZooTokenizers

/// Streaming decode through ``StreamingDetokenizer`` never emits half a character.
final class StreamingDecodeTests: XCTestCase {
    /// Decodes `ids` one token at a time, returning what each step emitted.
    func stream(_ ids: [Int], _ tokenizer: some Tokenizer) throws -> [String] {
        var detokenizer = StreamingDetokenizer()
        var pieces = try ids.map { id in
            let bytes = try XCTUnwrap(tokenizer.bytes(of: id))
            return detokenizer.append(bytes)
        }
        pieces.append(detokenizer.flush())
        return pieces
    }

    func testCharacterSplitAcrossTokensIsHeldBack() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        // 51461 = " \xe6\xa0": a space and the first two bytes of a CJK character.
        XCTAssertEqual(tokenizer.bytes(of: 51461), [0x20, 0xE6, 0xA0])
        let text = " 校"  // U+6821 = E6 A0 A1
        let ids = tokenizer.encode(text)
        // Build the split by hand: 51461 then the single byte 0xA1.
        let a1 = try XCTUnwrap((0..<256).first { tokenizer.bytes(of: $0) == [0xA1] })
        let pieces = try stream([51461, a1], tokenizer)
        XCTAssertEqual(pieces, [" ", "校", ""])
        XCTAssertEqual(try tokenizer.decode([51461, a1]), text)
        XCTAssertEqual(try tokenizer.decode(ids), text)
    }

    func testEveryPrefixOfEncodedTextStreamsWholeCharacters() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        let text = "Grüße 你好世界 🙂👍🏽 naïve ☃︎ e\u{301} 한국어"
        let ids = tokenizer.encode(text)
        let pieces = try stream(ids, tokenizer)
        XCTAssertEqual(pieces.joined(), text.precomposedStringWithCanonicalMapping)
        for piece in pieces {
            XCTAssertFalse(piece.unicodeScalars.contains("\u{FFFD}"), "emitted a broken character: \(piece)")
        }
        // Emoji are split over several byte-level tokens here, so something must be held back.
        XCTAssertGreaterThan(ids.count, pieces.filter { !$0.isEmpty }.count - 1)
    }

    func testInvalidBytesBecomeReplacementCharacter() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        let ff = try XCTUnwrap((0..<256).first { tokenizer.bytes(of: $0) == [0xFF] })
        XCTAssertEqual(try stream([ff, 9707], tokenizer).joined(), "\u{FFFD}Hello")
        // A truncated character at the end of the stream is flushed as U+FFFD.
        XCTAssertEqual(try stream([51461], tokenizer), [" ", "\u{FFFD}"])
        XCTAssertThrowsError(try tokenizer.decode([151_851]))
    }

    func testSpecialTokensDecodeToTheirSurface() throws {
        let tokenizer = try TestTokenizers.tiktoken.get()
        XCTAssertEqual(try stream([151_644, 872, 198], tokenizer).joined(), "<|im_start|>user\n")
    }
}
