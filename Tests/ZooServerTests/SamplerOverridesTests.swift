import QwenZoo
import XCTest
@testable import ZooServer

final class SamplerOverridesTests: XCTestCase {
    private let qwenChain = [
        SamplerStageSpec("repetition_penalty", ["value": .number(1.05), "window": .number(64)]),
        SamplerStageSpec("temperature", value: 0.7), SamplerStageSpec("top_k", value: 20), SamplerStageSpec("top_p", value: 0.8),
    ]

    func testAFieldReplacesItsStageInPlaceAndKeepsItsOtherOptions() {
        var overrides = SamplerOverrides()
        overrides.set("repetition_penalty", 1.2)
        overrides.set("top_p", 0.5)
        XCTAssertEqual(ChainSyntax.format(overrides.apply(to: qwenChain)),
                       "repetition_penalty(value=1.2,window=64),temperature=0.7,top_k=20,top_p=0.5")
    }

    func testAMissingStageGoesWhereTheDefaultOrderPutsIt() {
        var overrides = SamplerOverrides()
        overrides.set("min_p", 0.05)
        overrides.set("presence_penalty", 0.5)
        XCTAssertEqual(ChainSyntax.format(overrides.apply(to: qwenChain)),
                       "repetition_penalty(value=1.05,window=64),presence_penalty=0.5,temperature=0.7,top_k=20,top_p=0.8,min_p=0.05")
    }

    func testTopKZeroRemovesTheStage() {
        var overrides = SamplerOverrides()
        overrides.removed.insert("top_k")
        XCTAssertFalse(overrides.apply(to: qwenChain).contains { $0.name == "top_k" })
    }

    func testAGreedyChainStaysGreedyUnderPenaltiesAndSamplesUnderATemperature() {
        var penalties = SamplerOverrides()
        penalties.set("frequency_penalty", 0.5)
        XCTAssertEqual(ChainSyntax.format(penalties.apply(to: [])), "frequency_penalty=0.5,greedy")
        var sampling = SamplerOverrides()
        sampling.set("temperature", 0.9)
        XCTAssertEqual(ChainSyntax.format(sampling.apply(to: [SamplerStageSpec("greedy")])), "temperature=0.9")
        var zero = SamplerOverrides()
        zero.set("temperature", 0)
        XCTAssertEqual(ChainSyntax.format(zero.apply(to: [])), "temperature=0,greedy")
    }

    func testNoFieldsKeepTheManifestChain() {
        XCTAssertEqual(SamplerOverrides().apply(to: qwenChain), qwenChain)
    }
}
