import XCTest
import ZooCore
import ZooTestSupport

@testable import QwenZoo

/// A voting variant on a greedy manifest samples its votes (K copies of one greedy answer would
/// make self-consistency meaningless), says so, and a chain the caller gives still wins.
final class GreedyVotingTests: XCTestCase {
    private func nanoMath(votes: Int) throws -> LoadedModel {
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        return try LoadedModel.load(try loader.load("nano-math").manifest).withVariantOptions(["votes": .number(Double(votes))])
    }

    func testVotesOnAGreedyManifestSampleAndSaySo() throws {
        let zoo = try nanoMath(votes: 4)
        XCTAssertTrue(zoo.manifest.sampler.isEmpty, "nano-math decodes greedily")
        let completion = try zoo.generate(.problem("What is 38 minus 9?"), options: GenerationOptions(maxTokens: 40, seed: 5))
        XCTAssertEqual(completion.samples.count, 4)
        XCTAssertTrue(completion.warnings.contains { $0.contains("votes sample with temperature 0.7, top_p 0.95") }, "\(completion.warnings)")
        XCTAssertGreaterThan(Set(completion.samples.map(\.tokens)).count, 1, "the votes differ")
    }

    func testAGivenChainAndASingleVoteAreLeftAlone() throws {
        let greedy = [SamplerStageSpec("greedy")]
        let voted = try nanoMath(votes: 3).generate(
            .problem("What is 38 minus 9?"), options: GenerationOptions(maxTokens: 40, seed: 5, sampler: greedy))
        XCTAssertTrue(voted.warnings.isEmpty, "\(voted.warnings)")
        XCTAssertEqual(Set(voted.samples.map(\.tokens)).count, 1, "a greedy chain asked for gives one answer")
        XCTAssertTrue(try nanoMath(votes: 1).generate(.problem("What is 38 minus 9?"), options: GenerationOptions(maxTokens: 40)).warnings.isEmpty)
    }
}
