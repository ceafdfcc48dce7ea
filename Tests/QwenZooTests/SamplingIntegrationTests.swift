import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Manifest sampler chains, per-request seeds, self-consistency votes and receipts.
final class SamplingIntegrationTests: XCTestCase {
    private var loader: ManifestLoader {
        ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
    }

    private func load(_ name: String, _ overrides: [String] = []) throws -> (LoadedModel, ResolvedManifest) {
        let resolved = try loader.load(name, overrides: overrides)
        return (try LoadedModel.load(resolved.manifest), resolved)
    }

    private let chat = VariantRequest.chat([ChatMessage(.user, "Hello, who are you?")])
    private let hot = ["sampler=[{top_k: 50}, {temperature: 1.5}]"]

    func testSameSeedSameTokensDifferentSeedDifferentTokens() throws {
        let (zoo, _) = try load("tiny-chat", hot)
        let a = try zoo.generate(chat, options: GenerationOptions(seed: 1)).samples[0].tokens
        let b = try zoo.generate(chat, options: GenerationOptions(seed: 1)).samples[0].tokens
        XCTAssertEqual(a, b)
        let others = try (2...6).map { try zoo.generate(chat, options: GenerationOptions(seed: UInt64($0))).samples[0].tokens }
        XCTAssertTrue(others.contains { $0 != a }, "different seeds give different samples")
    }

    func testTemperatureZeroIsGreedy() throws {
        let (zoo, _) = try load("tiny-chat", ["sampler=[{temperature: 0}]"])
        let greedy = try load("tiny-chat").0
        XCTAssertEqual(try zoo.generate(chat, options: GenerationOptions(seed: 9)).samples[0].tokens,
                       try greedy.generate(chat).samples[0].tokens)
    }

    func testChainFromTheRequestReplacesTheManifests() throws {
        let (zoo, _) = try load("tiny-chat", hot)
        let greedy = try zoo.generate(chat, options: GenerationOptions(seed: 1, sampler: [])).samples[0].tokens
        XCTAssertEqual(greedy, [313, 330, 379, 362])
    }

    func testBadStageInAManifestFailsAtLoadNamingTheLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("bad.yaml")
        try Data("""
            extends: \(Fixtures.repositoryRoot.path)/zoo/tiny-chat.yaml
            name: bad
            sampler:
              - top_k: 20
              - top_p: 1.5
            """.utf8).write(to: file)
        XCTAssertThrowsError(try LoadedModel.load(try ManifestLoader(searchPaths: [dir]).load(file.path).manifest)) {
            XCTAssertTrue("\($0)".contains("bad.yaml:4: sampler, stage 2: top_p: must be in (0, 1], found 1.5"), "\($0)")
        }
    }

    func testVotesUseOneSeedEach() throws {
        let (zoo, _) = try load("tiny-math", hot + ["variant.votes=3"])
        let completion = try zoo.generate(.problem("What is 2+3?"), options: GenerationOptions(seed: 4))
        XCTAssertEqual(completion.samples.count, 3)
        XCTAssertEqual(Set(completion.samples.map(\.tokens)).count, 3, "three different samples")
        guard case .answer(_, let answer) = completion.output else { return XCTFail("math gives an answer") }
        XCTAssertEqual(answer.samples, 3)
        let again = try zoo.generate(.problem("What is 2+3?"), options: GenerationOptions(seed: 4))
        XCTAssertEqual(again.samples.map(\.tokens), completion.samples.map(\.tokens))
    }

    func testReceiptReplaysIdenticallyAndNoticesAChangedManifest() throws {
        let dir = try Fixtures.temporaryDirectory()
        let manifest = dir.appendingPathComponent("m.yaml")
        try Data("extends: \(Fixtures.repositoryRoot.path)/zoo/tiny-chat.yaml\nname: m\nseed: 3\nsampler: [{top_k: 40}, {temperature: 1.3}]\n".utf8)
            .write(to: manifest)
        let (zoo, resolved) = try load(manifest.path)
        let completion = try zoo.generate(chat)
        var plan = try zoo.plan(chat)
        plan.tokens = completion.promptTokens
        let receipt = Receipt(
            manifest: manifest.path, overrides: [], resolved: resolved, tokenizer: zoo.tokenizer, seed: 3,
            chain: zoo.manifest.samplerStages, plan: plan, maxTokens: 16, outputIDs: completion.samples[0].tokens)
        let file = dir.appendingPathComponent("receipt.json")
        try receipt.write(to: file)
        let read = try Receipt.read(from: file)
        XCTAssertEqual(read, receipt)
        XCTAssertEqual(try read.replay(loader: loader), receipt.outputIDs)

        try Data("extends: \(Fixtures.repositoryRoot.path)/zoo/tiny-chat.yaml\nname: m\nseed: 4\n".utf8).write(to: manifest)
        XCTAssertThrowsError(try read.replay(loader: loader)) {
            XCTAssertTrue("\($0)".contains("changed since the receipt"), "\($0)")
        }
    }
}
