import Foundation
import XCTest
import ZooTestSupport
@testable import QwenZoo

/// Constraint stages written in a manifest's `sampler:` list compose with the other stages.
final class ConstraintManifestTests: XCTestCase {
    func testAManifestSchemaStageConstrainsEveryRequest() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let base = APITest.zooFolder.appendingPathComponent("tiny-base.yaml").path
        try """
            extends: \(base)
            name: tiny-json
            sampler:
              - json_schema: {type: object, properties: {n: {type: integer, minimum: 1, maximum: 5}, ok: {type: boolean}}, required: [n, ok]}
              - temperature: 1.5
              - top_k: 40
            """.write(to: dir.appendingPathComponent("tiny-json.yaml"), atomically: true, encoding: .utf8)
        let zoo = try await Zoo.model(named: "tiny-json", searchPaths: [dir])
        for seed: UInt64 in 0..<5 {
            let completion = try zoo.generate(zoo.variant.request(forPrompt: "JSON:"), options: GenerationOptions(maxTokens: 60, seed: seed))
            let text = completion.samples[0].text
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
            XCTAssertTrue((1...5).contains(object["n"] as? Int ?? 0), text)
            XCTAssertNotNil(object["ok"] as? Bool, text)
            XCTAssertEqual(completion.samples[0].finishReason, .stopToken(360))
        }
    }

    func testABadSchemaInAManifestFailsAtLoadNamingTheStageAndPath() async throws {
        let dir = try Fixtures.temporaryDirectory()
        let base = APITest.zooFolder.appendingPathComponent("tiny-base.yaml").path
        try """
            extends: \(base)
            name: tiny-bad
            sampler:
              - json_schema: {type: array, items: {type: string, contains: {const: a}}}
            """.write(to: dir.appendingPathComponent("tiny-bad.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try await Zoo.model(named: "tiny-bad", searchPaths: [dir])
            XCTFail("a bad schema must fail at load")
        } catch {
            XCTAssertTrue("\(error)".contains("stage 1: json_schema at $.items.contains: unsupported keyword \"contains\""), "\(error)")
        }
    }
}
