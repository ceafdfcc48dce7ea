import Foundation
import XCTest
import ZooTestSupport
import ZooTokenizers

/// Malformed vocabulary files throw a ``TokenizerLoadError`` naming the file and the place.
final class LoadErrorTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Fixtures.temporaryDirectory("zoo-tokenizer-errors")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `contents` to a file in the temporary directory.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> URL {
        try write(name, Data(contents.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// Asserts that `body` throws a load error at `location` whose message mentions `fragments`.
    func assertLoadError(
        _ location: TokenizerLoadError.Location?, _ fragments: String...,
        file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws(TokenizerLoadError) -> BytePairTokenizer
    ) {
        do {
            _ = try body()
            XCTFail("expected a load error", file: file, line: line)
        } catch {
            XCTAssertEqual(error.location, location, "\(error)", file: file, line: line)
            let message = error.description
            XCTAssertTrue(message.hasPrefix(error.path), message, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(message.contains(fragment), "\(message) lacks \(String(reflecting: fragment))",
                              file: file, line: line)
            }
        }
    }

    /// A valid three-token ranks file (`!`, `"`, `#`).
    let goodLines = "IQ== 0\nIg== 1\nIw== 2\n"

    // MARK: tiktoken

    func testTruncatedRanksFileIsDetected() throws {
        let cut = try write("cut.tiktoken", "IQ== 0\nIg== 1\nIw== 2")
        assertLoadError(.line(3), "truncated") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(tiktokenFile: cut, specialTokens: [])
        }
        // Whole lines missing at the end: the Qwen special tokens no longer follow the last rank.
        let short = try write("short.tiktoken", goodLines)
        assertLoadError(nil, "3 ranks", "151643", "truncated") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(tiktokenFile: short)
        }
    }

    func testGapInRanksIsAnError() throws {
        let url = try write("gap.tiktoken", "IQ== 0\nIw== 2\n")
        assertLoadError(nil, "rank 1 is missing") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(tiktokenFile: url, specialTokens: [])
        }
    }

    func testValidTinyRanksFileLoads() throws {
        let url = try write("ok.tiktoken", goodLines)
        let tokenizer = try BytePairTokenizer(tiktokenFile: url, specialTokens: [])
        XCTAssertEqual(tokenizer.count, 3)
        XCTAssertEqual(tokenizer.encode("!#\""), [0, 2, 1])
    }

    func testMissingFile() {
        let url = directory.appendingPathComponent("absent.tiktoken")
        assertLoadError(nil, "absent.tiktoken", "no such file") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(tiktokenFile: url)
        }
        assertLoadError(nil, "no such file") { () throws(TokenizerLoadError) in try BytePairTokenizer(contentsOf: url) }
    }

    func testRanksFileErrors() throws {
        let cases: [(String, Int, String)] = [
            (goodLines + "@@@@ 3\n", 4, "invalid base64"),
            (goodLines + "JA= 3\n", 4, "invalid base64"),
            (goodLines + "JA==\n", 4, "missing rank"),
            (goodLines + "JA== \n", 4, "missing rank"),
            (goodLines + "JA== three\n", 4, "not a non-negative integer"),
            (goodLines + "JA== -3\n", 4, "not a non-negative integer"),
            (goodLines + "JA== 1\n", 4, "duplicate rank 1 (first used on line 2)"),
            (goodLines + "IQ== 3\n", 4, "duplicate token: same bytes as rank 0 on line 1"),
            (" 0\n", 1, "empty token"),
            ("IQ== 0\nIg== 1\nIw", 3, "missing rank"),  // truncated
        ]
        for (index, (text, line, fragment)) in cases.enumerated() {
            let url = try write("bad\(index).tiktoken", text)
            assertLoadError(.line(line), "bad\(index).tiktoken:\(line):", fragment) { () throws(TokenizerLoadError) in
                try BytePairTokenizer(tiktokenFile: url, specialTokens: [])
            }
        }
    }

    func testRanksFileNotUTF8() throws {
        var data = Data(goodLines.utf8)
        data.append(contentsOf: [0xFF, 0xFE, 0x20, 0x33, 0x0A])
        let url = try write("binary.tiktoken", data)
        assertLoadError(.line(4), "binary.tiktoken:4:", "not valid UTF-8") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(tiktokenFile: url)
        }
    }

    func testEmptyRanksFile() throws {
        let url = try write("empty.tiktoken", "")
        assertLoadError(nil, "no tokens") { () throws(TokenizerLoadError) in try BytePairTokenizer(tiktokenFile: url) }
    }

    func testSpecialTokenCollidingWithRank() throws {
        let url = try write("clash.tiktoken", goodLines)
        let clash = [AddedToken(content: "<|x|>", id: 2, isSpecial: true)]
        assertLoadError(nil, "<|x|>", "also a rank") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(tiktokenFile: url, specialTokens: clash)
        }
    }

    // MARK: tokenizer.json

    /// A minimal valid Qwen-style tokenizer.json with `vocab` and `merges` spliced in.
    func tokenizerJSON(vocab: String = #"{"a": 0, "b": 1, "ab": 2}"#, merges: String = #"["a b"]"#) -> String {
        let pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"#
        return #"""
        {"added_tokens": [{"id": 3, "content": "<|endoftext|>", "special": true}],
         "normalizer": {"type": "NFC"},
         "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "\#(pattern)"}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
         "model": {"type": "BPE", "vocab": \#(vocab), "merges": \#(merges)}}
        """#
    }

    func testValidTinyTokenizerJSONLoads() throws {
        let url = try write("tokenizer.json", tokenizerJSON(merges: #"[["a", "b"]]"#))
        let tokenizer = try BytePairTokenizer(contentsOf: url)
        XCTAssertEqual(tokenizer.encode("abba<|endoftext|>", specialTokens: .allowed), [2, 1, 0, 3])
    }

    func testTokenizerJSONErrors() throws {
        let cases: [(String, TokenizerLoadError.Location, String)] = [
            ("{\"model\": {\"vocab\": {},\n \"merges\": []", .line(2), "invalid JSON: unexpected end of file"),
            ("{\"model\":\n\n {\"vocab\": {} \"merges\": []}}", .line(3), "invalid JSON: expected ',' or '}'"),
            (tokenizerJSON(vocab: #"{"a": "zero"}"#), .jsonPath("model.vocab.a"), "expected"),
            (tokenizerJSON(vocab: #"{"a": -1}"#), .jsonPath(#"model.vocab["a"]"#), "out of range"),
            (tokenizerJSON(vocab: #"{"a": 0, "b": 0}"#), .jsonPath(#"model.vocab["b"]"#), "also used by"),
            (tokenizerJSON(merges: #"["a b", "ab"]"#), .jsonPath("model.merges[1]"), "'left right'"),
            (tokenizerJSON(merges: #"["a b", ["a"]]"#), .jsonPath("model.merges[1]"), "2 strings"),
            (tokenizerJSON(merges: #"["a b", "b a"]"#), .jsonPath("model.merges[1]"), #"merged token "ba""#),
            (tokenizerJSON(merges: #"["a c"]"#), .jsonPath("model.merges[0]"), #""c" is not in the vocabulary"#),
            (#"{"model": {"vocab": {}}}"#, .jsonPath("model"), "missing key 'merges'"),
            (tokenizerJSON().replacingOccurrences(of: #""NFC""#, with: #""NFKC""#), .jsonPath("normalizer.type"), "NFKC"),
            (tokenizerJSON().replacingOccurrences(of: #"\\p{N}|"#, with: #"\\p{N}{1,3}|"#),
             .jsonPath("pre_tokenizer.pretokenizers[0].pattern"), "split pattern"),
            (tokenizerJSON().replacingOccurrences(of: #""use_regex": false"#, with: #""use_regex": true"#),
             .jsonPath("pre_tokenizer.pretokenizers[1].use_regex"), "GPT-2"),
        ]
        for (index, (text, path, fragment)) in cases.enumerated() {
            let url = try write("bad\(index).json", text)
            assertLoadError(path, "bad\(index).json", fragment) { () throws(TokenizerLoadError) in
                try BytePairTokenizer(huggingFaceTokenizerFile: url)
            }
        }
    }

    // MARK: vocab.json + merges.txt

    func testVocabAndMergesErrors() throws {
        let vocab = try write("vocab.json", #"{"a": 0, "b": 1, "ab": 2}"#)
        let cases: [(String, Int, String)] = [
            ("#version: 0.2\na b\nab\n", 3, "expected 'left right'"),
            ("#version: 0.2\na b\na  b\n", 3, "expected 'left right'"),
            ("#version: 0.2\n\na c\n", 3, #""c" is not in the vocabulary"#),
            ("#version: 0.2\nb a\n", 2, #"merged token "ba""#),
        ]
        for (index, (text, line, fragment)) in cases.enumerated() {
            let merges = try write("merges\(index).txt", text)
            assertLoadError(.line(line), "merges\(index).txt:\(line):", fragment) { () throws(TokenizerLoadError) in
                try BytePairTokenizer(vocabFile: vocab, mergesFile: merges)
            }
        }
        let good = try write("merges.txt", "#version: 0.2\na b\n")
        XCTAssertEqual(try BytePairTokenizer(vocabFile: vocab, mergesFile: good).encode("abab"), [2, 2])

        let binary = try write("binary.txt", Data([0x61, 0x20, 0x62, 0x0A, 0xC3, 0x28, 0x0A]))
        assertLoadError(.line(2), "binary.txt:2:", "not valid UTF-8") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(vocabFile: vocab, mergesFile: binary)
        }
        let config = try write("tokenizer_config.json", #"{"added_tokens_decoder": {"x": {"content": "<s>"}}}"#)
        assertLoadError(.jsonPath(#"added_tokens_decoder["x"]"#), "not a token id") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(vocabFile: vocab, mergesFile: good, tokenizerConfigFile: config)
        }
        let badVocab = try write("vocab2.json", #"{"a": 0, "b": [1]}"#)
        assertLoadError(.jsonPath("b"), "vocab2.json") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(vocabFile: badVocab, mergesFile: good)
        }
    }

    func testDirectoryWithoutVocabulary() throws {
        try write("readme.txt", "nothing here")
        assertLoadError(nil, "neither tokenizer.json nor vocab.json + merges.txt") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(contentsOf: directory)
        }
        let other = try write("weights.bin", "x")
        assertLoadError(nil, "unrecognized vocabulary file") { () throws(TokenizerLoadError) in
            try BytePairTokenizer(contentsOf: other)
        }
    }
}
