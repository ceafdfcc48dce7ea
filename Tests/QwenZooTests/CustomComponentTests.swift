import Foundation
import QwenZoo
import Synchronization
import XCTest
import ZooTestSupport

/// An app registers its own variant and attention kind, and a manifest uses them by name.
final class CustomComponentTests: XCTestCase {
    /// A variant of the app's own: upper-cases the prompt and stops nowhere.
    struct ShoutVariant: Variant {
        let suffix: String
        func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
            guard case .completion(let text) = request else {
                throw UnsupportedRequestError(variant: "shout", message: "only completions")
            }
            return PromptPlan(tokens: tokenizer.encode(text.uppercased()), stopTokenIDs: [])
        }
        func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput {
            .text(generated.uppercased() + suffix)
        }
    }

    /// An attention kind of the app's own: causal attention that counts its calls.
    struct CountingAttention: Attention {
        static let calls = Atomic<Int>(0)
        let inner = CausalAttention()
        func attend(queries: UnsafePointer<Float>, tokens: Int, firstPosition: Int, cache: KVLayerView,
                    shape: AttentionShape, scale: Float, output: UnsafeMutablePointer<Float>) {
            Self.calls.add(1, ordering: .relaxed)
            inner.attend(queries: queries, tokens: tokens, firstPosition: firstPosition, cache: cache,
                         shape: shape, scale: scale, output: output)
        }
    }

    func testManifestLoadsComponentsRegisteredByTheApp() throws {
        let components = ZooComponents.shared
        components.variants.register("shout") { options in
            try options.rejectUnknownKeys(allowed: ["suffix"])
            return ShoutVariant(suffix: try options.string("suffix") ?? "")
        }
        components.attention.register("counting") { _ in CountingAttention() }

        let dir = try Fixtures.temporaryDirectory()
        let manifest = dir.appendingPathComponent("shout.yaml")
        try Data("""
            name: shout
            weights: {path: \(Fixtures.url("zoo-tiny").path)}
            variant: {name: shout, suffix: "!"}
            attention: counting
            max_tokens: 3
            """.utf8).write(to: manifest)
        let zoo = try LoadedModel.load(try ManifestLoader(searchPaths: [dir]).load(manifest.path).manifest)
        let before = CountingAttention.calls.load(ordering: .relaxed)
        let completion = try zoo.generate(.completion("def add"))
        XCTAssertEqual(completion.promptTokens, zoo.tokenizer.encode("DEF ADD"))
        XCTAssertEqual(completion.samples[0].tokens.count, 3)
        guard case .text(let text) = completion.output else { return XCTFail("expected text") }
        XCTAssertTrue(text.hasSuffix("!"))
        // Two layers, three forward calls (prefill and two decode steps).
        XCTAssertEqual(CountingAttention.calls.load(ordering: .relaxed) - before, 6)
    }

    func testUnknownOptionOfACustomComponentIsNamed() throws {
        ZooComponents.shared.variants.register("shout-strict") { options in
            try options.rejectUnknownKeys(allowed: ["suffix"])
            return ShoutVariant(suffix: "")
        }
        let dir = try Fixtures.temporaryDirectory()
        let manifest = dir.appendingPathComponent("bad.yaml")
        try Data("name: bad\nvariant: {name: shout-strict, sufix: x}\n".utf8).write(to: manifest)
        let resolved = try ManifestLoader(searchPaths: [dir]).load(manifest.path)
        XCTAssertThrowsError(try ManifestValidator.check(resolved.manifest)) {
            XCTAssertTrue("\($0)".contains("bad.yaml:2: variant: sufix: unknown option (did you mean \"suffix\"?)"), "\($0)")
        }
    }
}
