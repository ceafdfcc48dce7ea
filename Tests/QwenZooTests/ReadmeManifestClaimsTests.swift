import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Manifest keys and variant options the README's Manifests and Chat sections promise, that no other
/// test exercised: `architecture`, `tokenizer.kind`, `stop`, the v1 chat budget and nano-chat's budget.
final class ReadmeManifestClaimsTests: XCTestCase {
    static let root = Fixtures.repositoryRoot
    static let nanoChat = "\(root.path)/zoo/nano-chat.yaml"

    /// Writes `yaml` as NAME.yaml in a fresh folder and loads it.
    private func manifest(_ name: String, _ yaml: String) throws -> Manifest {
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("\(name).yaml")
        try Data(yaml.utf8).write(to: file)
        return try ManifestLoader(searchPaths: [dir]).load(file.path).manifest
    }

    private func lastLogits(_ zoo: LoadedModel, _ ids: [Int]) throws -> [Float] {
        try zoo.model.forward(ids, cache: zoo.model.makeCache(capacity: nil), logits: .last).values
    }

    func testArchitectureKeysReachTheModel() throws {
        let m = try manifest("arch", """
            extends: \(Self.nanoChat)
            architecture: {context_length: 64, use_dynamic_ntk: false, use_logn_attn: true}
            """)
        XCTAssertEqual(m.architecture.contextLength, 64)
        XCTAssertEqual(m.architecture.useDynamicNTK, false)
        XCTAssertEqual(m.architecture.useLogNAttention, true)
        XCTAssertEqual(try LoadedModel.load(m).model.contextLength, 64)

        // rope_scaling replaces config.json's: a linear factor moves every position but the first.
        let plain = try LoadedModel.load(try manifest("plain", "extends: \(Self.nanoChat)\n"))
        let scaled = try LoadedModel.load(try manifest("scaled", """
            extends: \(Self.nanoChat)
            architecture: {rope_scaling: {type: linear, factor: 4.0}}
            """))
        let ids = Array(plain.tokenizer.encode("What is the capital of Japan?").prefix(8))
        XCTAssertEqual(try lastLogits(plain, [ids[0]]), try lastLogits(scaled, [ids[0]]), "position 0 does not rotate")
        XCTAssertNotEqual(try lastLogits(plain, ids), try lastLogits(scaled, ids))
        XCTAssertThrowsError(try manifest("bad", "extends: \(Self.nanoChat)\narchitecture: {context_lenght: 64}\n")) {
            XCTAssertTrue("\($0)".contains("context_lenght"), "\($0)")
        }
    }

    func testTokenizerKinds() throws {
        let weights = "\(Self.root.path)/zoo/models/nano-chat"
        let reference = try Zoo.loadTokenizer(path: URL(fileURLWithPath: weights)).encode("Hello, world!")
        for kind in ["auto", "hf"] {
            let zoo = try LoadedModel.load(try manifest("k", "extends: \(Self.nanoChat)\ntokenizer: {kind: \(kind), path: \(weights)}\n"))
            XCTAssertEqual(zoo.tokenizer.encode("Hello, world!"), reference, kind)
        }
        // tiktoken reads a ranks file: the real vocabulary, which is too large for nano-chat's embedding.
        let tiktoken = try manifest("t", "extends: \(Self.nanoChat)\ntokenizer: {kind: tiktoken, path: \(Fixtures.qwenTiktoken.path)}\n")
        XCTAssertThrowsError(try LoadedModel.load(tiktoken)) {
            XCTAssertTrue("\($0)".contains("the tokenizer defines 151") && "\($0)".contains("embedding"), "\($0)")
        }
        let hf = try manifest("h", "extends: \(Self.nanoChat)\ntokenizer: {kind: hf, path: \(Fixtures.qwenTiktoken.path)}\n")
        XCTAssertThrowsError(try LoadedModel.load(hf)) {
            XCTAssertTrue("\($0)".contains("kind \"hf\" expects tokenizer.json"), "\($0)")
        }
    }

    func testStopStringsAndIDsEndAGeneration() throws {
        let base = "extends: \(Self.root.path)/zoo/nano-base.yaml\nmax_tokens: 24\n"
        let free = try LoadedModel.load(try manifest("free", base)).generate(.completion("The"))
        let tokens = free.samples[0].tokens
        XCTAssertGreaterThan(tokens.count, 6, "a long enough run to cut")

        let byID = try LoadedModel.load(try manifest("ids", base + "stop: {ids: [\(tokens[4])]}\n")).generate(.completion("The"))
        XCTAssertLessThanOrEqual(byID.samples[0].tokens.count, 5)
        XCTAssertEqual(Array(byID.samples[0].tokens.prefix(4)), Array(tokens.prefix(4)))

        let text = free.samples[0].text
        let cut = String(text.dropFirst(text.count / 2).prefix(3))
        let byString = try LoadedModel.load(try manifest("strings", base + "stop: {strings: [\(jsonString(cut))]}\n"))
            .generate(.completion("The"))
        XCTAssertFalse(byString.samples[0].text.contains(cut), "\(byString.samples[0].text) ends before \(cut.debugDescription)")
        XCTAssertLessThan(byString.samples[0].tokens.count, tokens.count)
    }

    func testV1ChatHistoryBudgetDefaultsTo6144() throws {
        let chat = try ZooComponents.shared.variants.factory("chat")
        XCTAssertEqual(try chat(ComponentOptions(["format": .string("v1")], context: "variant")).historyBudget, 6144)
        XCTAssertNil(try chat(ComponentOptions(["format": .string("qwen2.5")], context: "variant")).historyBudget)
        XCTAssertEqual(try chat(ComponentOptions(["format": .string("v1"), "history_budget": .number(100)], context: "variant")).historyBudget, 100)
    }

    func testNanoChatSetsAHistoryBudgetOf512() throws {
        let m = try ManifestLoader(searchPaths: [Self.root.appendingPathComponent("zoo")]).load("nano-chat").manifest
        XCTAssertEqual(m.variant.options.values["history_budget"], .number(512))
        XCTAssertEqual(try ZooComponents.shared.variants.factory("chat")(m.variant.options).historyBudget, 512)
    }

    private func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
