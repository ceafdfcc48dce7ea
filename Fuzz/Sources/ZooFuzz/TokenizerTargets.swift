import Foundation
import ZooCore
@testable import ZooTokenizers

/// The tokenizer files, and encode/decode on arbitrary text.
enum TokenizerTargets {
    /// `qwen.tiktoken` (base64 token, rank per line); a loaded vocabulary must encode and decode.
    static let tiktoken: FuzzTarget = { input in
        let tokenizer = try BytePairTokenizer(tiktokenFile: Scratch.file("qwen.tiktoken", input))
        exercise(tokenizer)
    }

    /// `tokenizer.json`.
    static let tokenizerJSON: FuzzTarget = { input in
        exercise(try BytePairTokenizer(huggingFaceTokenizerFile: Scratch.file("tokenizer.json", input)))
    }

    /// `vocab.json` + `merges.txt` (+ `tokenizer_config.json`), the input cut at NUL bytes.
    static let vocabMerges: FuzzTarget = { input in
        let parts = Scratch.parts(input, 3)
        let tokenizer = try BytePairTokenizer(
            vocabFile: Scratch.file("vocab.json", parts[0]), mergesFile: Scratch.file("merges.txt", parts[1]),
            tokenizerConfigFile: parts[2].isEmpty ? nil : Scratch.file("tokenizer_config.json", parts[2]))
        exercise(tokenizer)
    }

    private static func exercise(_ tokenizer: BytePairTokenizer) {
        for text in ["Hello, world! 你好 <|im_end|>", "  \n\t1234 don't"] {
            for handling in [SpecialTokenHandling.asText, .allowed] {
                let ids = tokenizer.encode(text, specialTokens: handling)
                guard ids.allSatisfy({ $0 >= 0 && $0 < tokenizer.count }) else { violated("an id outside the vocabulary") }
                _ = try? tokenizer.decode(ids)
            }
        }
        _ = try? tokenizer.decode(0..<min(tokenizer.count, 64))
    }

    /// Qwen2's real tokenizer (the committed fixture), loaded once.
    private static let qwen2: BytePairTokenizer = {
        let url = Scratch.repository.appendingPathComponent("Tests/Fixtures/tokenizer/qwen2-hf/tokenizer.json")
        return try! BytePairTokenizer(huggingFaceTokenizerFile: url)
    }()

    /// decode(encode(x)) == NFC(x) for any text (invalid UTF-8 in the input becomes U+FFFD first),
    /// with special-token strings kept as text.
    static let roundtrip: FuzzTarget = { input in
        let text = String(decoding: input, as: UTF8.self)
        let decoded = try qwen2.decode(qwen2.encode(text, specialTokens: .asText))
        let expected = text.precomposedStringWithCanonicalMapping
        guard Array(decoded.unicodeScalars) == Array(expected.unicodeScalars) else {
            violated("decode(encode(x)) != NFC(x) for \(Array(text.unicodeScalars.map(\.value)))")
        }
    }
}
