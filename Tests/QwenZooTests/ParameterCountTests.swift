import QwenZoo
import XCTest

/// Parameter counts from config values, against the totals in qwen-spec §1.1 and §2.4
/// (Qwen-7B's from its index.json total_size; Qwen2.5's from the model cards).
final class ParameterCountTests: XCTestCase {
    func testQwenV1Sizes() {
        func v1(_ H: Int, _ L: Int, _ heads: Int, _ I: Int, _ V: Int) -> Int? {
            ParameterCount.estimate(config: [
                "model_type": "qwen", "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": heads,
                "kv_channels": 128, "intermediate_size": I, "vocab_size": V,
            ])
        }
        XCTAssertEqual(v1(4096, 32, 32, 22016, 151936), 7_721_324_544)
        XCTAssertEqual(v1(2048, 24, 16, 11008, 151936), 1_836_828_672)
        XCTAssertEqual(v1(5120, 40, 40, 27392, 152064), 14_167_290_880)
    }

    func testQwen2Sizes() {
        func q2(_ H: Int, _ L: Int, _ heads: Int, _ kv: Int, _ I: Int, _ V: Int, tied: Bool) -> Int? {
            ParameterCount.estimate(config: [
                "model_type": "qwen2", "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": heads,
                "num_key_value_heads": kv, "intermediate_size": I, "vocab_size": V, "tie_word_embeddings": tied,
            ])
        }
        XCTAssertEqual(q2(896, 24, 14, 2, 4864, 151936, tied: true), 494_032_768)
        XCTAssertEqual(q2(1536, 28, 12, 2, 8960, 151936, tied: true), 1_543_714_304)
        XCTAssertEqual(q2(3584, 28, 28, 4, 18944, 152064, tied: false), 7_615_616_512)
    }

    func testUnknownArchitecture() {
        XCTAssertNil(ParameterCount.estimate(config: ["model_type": "llama"]))
    }
}
