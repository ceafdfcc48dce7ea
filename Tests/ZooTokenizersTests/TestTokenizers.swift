import Foundation
import XCTest
import ZooTestSupport
import ZooTokenizers

/// A fixture a test needs is not on disk.
struct MissingFixture: Error, CustomStringConvertible {
    let path: String
    let hint: String
    var description: String { "missing test fixture \(path): \(hint)" }
}

/// Tokenizers shared by all test classes: loading 151k tokens is slow in debug builds, so each
/// vocabulary loads once per test process.
enum TestTokenizers {
    /// `Tests/Fixtures/vocab/qwen.tiktoken` (fetched, not committed).
    static let tiktoken: Result<BytePairTokenizer, any Error> = load(Fixtures.qwenTiktoken, hint: fetchHint) {
        try BytePairTokenizer(tiktokenFile: $0)
    }

    /// The Qwen2.5-style `tokenizer.json` built from the same vocabulary.
    static let qwen2JSON: Result<BytePairTokenizer, any Error> = load(
        Fixtures.url("tokenizer/qwen2-hf/tokenizer.json"), hint: fixturesHint
    ) { try BytePairTokenizer(huggingFaceTokenizerFile: $0) }

    /// The same vocabulary as `vocab.json` + `merges.txt` + `tokenizer_config.json`.
    static let qwen2Files: Result<BytePairTokenizer, any Error> = load(
        Fixtures.url("tokenizer/qwen2-hf/vocab.json"), hint: fixturesHint
    ) { vocab in
        let dir = vocab.deletingLastPathComponent()
        return try BytePairTokenizer(
            vocabFile: vocab, mergesFile: dir.appendingPathComponent("merges.txt"),
            tokenizerConfigFile: dir.appendingPathComponent("tokenizer_config.json"))
    }

    static let fetchHint = "run scripts/fetch_vocab.sh to download the Qwen vocabulary"
    static let fixturesHint = "the tokenizer reference fixtures come from the fixtures branch (scripts/make_fixtures.py)"

    private static func load(
        _ url: URL, hint: String, _ body: (URL) throws -> BytePairTokenizer
    ) -> Result<BytePairTokenizer, any Error> {
        guard FileManager.default.fileExists(atPath: url.path) else {
            return .failure(MissingFixture(path: url.path, hint: hint))
        }
        return Result { try body(url) }
    }

    /// Decodes a JSON fixture below `Tests/Fixtures`, failing clearly when it is absent.
    static func fixture<T: Decodable>(_ type: T.Type, _ relativePath: String) throws -> T {
        let url = Fixtures.url(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFixture(path: url.path, hint: fixturesHint)
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}

/// One case of `tokenizer/corpus.json`.
struct CorpusCase: Decodable {
    let name: String
    let text: String
    /// tiktoken on NFC(text), special strings as text.
    let ids: [Int]
    /// tiktoken on NFC(text), all Qwen v1 specials allowed.
    let idsSpecial: [Int]
    /// Hugging Face on the raw text with the Qwen2.5 added tokens.
    let idsHF: [Int]

    enum CodingKeys: String, CodingKey {
        case name, text, ids
        case idsSpecial = "ids_special", idsHF = "ids_hf"
    }

    static func all() throws -> [CorpusCase] {
        struct File: Decodable { let cases: [CorpusCase] }
        return try TestTokenizers.fixture(File.self, "tokenizer/corpus.json").cases
    }
}
