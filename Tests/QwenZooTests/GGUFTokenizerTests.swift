import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// The vocabulary in a GGUF file's metadata encodes exactly like the tokenizer.json it came from,
/// and a manifest can run a GGUF file as its weights.
final class GGUFTokenizerTests: XCTestCase {
    func testGGUFVocabularyEqualsTokenizerJSON() throws {
        let fromGGUF = try ZooComponents.shared.tokenizers.factory("gguf")(Fixtures.url("gguf/zoo-tiny.f32.gguf"), ComponentOptions())
        let fromJSON = try Zoo.loadTokenizer(path: Fixtures.url("zoo-tiny"))
        XCTAssertEqual(fromGGUF.count, fromJSON.count, "padding rows are not tokens")
        for text in ["Hello, who are you?", "def add(a, b):\n    return a + b\n", "<|im_start|>user\nhi<|im_end|>",
                     "<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>", "Café 你好 🙂  \t\n\n"] {
            for handling in [SpecialTokenHandling.asText, .allowed] {
                XCTAssertEqual(fromGGUF.encode(text, specialTokens: handling), fromJSON.encode(text, specialTokens: handling), text)
            }
        }
        XCTAssertEqual(fromGGUF.isSpecial(362), true)
        XCTAssertEqual(fromGGUF.isSpecial(376), false, "<|fim_prefix|> is added but not special")
    }

    func testManifestWithGGUFWeightsAnswersLikeTheSafetensorsOne() throws {
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        let gguf = try LoadedModel.load(try loader.load("tiny-chat-gguf").manifest)
        let safetensors = try LoadedModel.load(try loader.load("tiny-chat").manifest)
        let request = VariantRequest.chat([ChatMessage(.user, "Hello, who are you?")])
        let a = try gguf.generate(request), b = try safetensors.generate(request)
        XCTAssertEqual(a.promptTokens, b.promptTokens)
        XCTAssertEqual(a.samples[0].tokens, b.samples[0].tokens)
        XCTAssertEqual(a.samples[0].tokens, [313, 330, 379, 362])
    }
}
