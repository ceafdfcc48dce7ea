import Foundation
import XCTest
import ZooCore
import ZooModels
import ZooTestSupport

/// A manifest's architecture overrides reach the model as if config.json said them.
final class ModelOptionsTests: XCTestCase {
    private let fixture = Qwen2Reference.directory("gqa-f32-untied")

    func testRopeScalingOverrideEqualsTheSameValueInConfig() throws {
        let scaling: [String: OptionValue] = ["type": .string("linear"), "factor": .number(2)]
        let overridden = try ArchitectureRegistry.shared.load(directory: fixture, options: ModelOptions(ropeScaling: scaling))

        // The same checkpoint with rope_scaling written into its config.json.
        let dir = try Fixtures.temporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: fixture.path) where file != "config.json" {
            try FileManager.default.createSymbolicLink(
                at: dir.appendingPathComponent(file), withDestinationURL: fixture.appendingPathComponent(file))
        }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("config.json"))) as! [String: Any]
        config["rope_scaling"] = ["type": "linear", "factor": 2.0]
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        let configured = try ArchitectureRegistry.shared.load(directory: dir)
        let plain = try ArchitectureRegistry.shared.load(directory: fixture)

        let ids = [5, 17, 42, 99, 3, 250, 7, 61]
        let a = try overridden.forward(ids, cache: overridden.makeCache(capacity: nil), logits: .all)
        let b = try configured.forward(ids, cache: configured.makeCache(capacity: nil), logits: .all)
        let c = try plain.forward(ids, cache: plain.makeCache(capacity: nil), logits: .all)
        XCTAssertEqual(a.values, b.values)
        XCTAssertGreaterThan(maxAbsDifference(a.values, c.values), 0.01, "linear scaling must change the logits")
    }

    func testBadRopeScalingOverrideNamesTheField() {
        let scaling: [String: OptionValue] = ["type": .string("linear")]
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: fixture, options: ModelOptions(ropeScaling: scaling))) {
            XCTAssertTrue("\($0)".contains("rope_scaling"), "\($0)")
        }
    }

    func testContextLengthOverride() throws {
        let model = try ArchitectureRegistry.shared.load(directory: fixture, options: ModelOptions(contextLength: 64))
        XCTAssertEqual(model.contextLength, 64)
    }

    func testYaRNFixtureIsSensitiveToTheScaling() throws {
        // Without its rope_scaling the YaRN fixture's reference logits are far off: the parity test
        // on it really checks YaRN.
        let source = Qwen2Reference.directory("yarn-f32-untied")
        let dir = try Fixtures.temporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where file != "config.json" {
            try FileManager.default.createSymbolicLink(
                at: dir.appendingPathComponent(file), withDestinationURL: source.appendingPathComponent(file))
        }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as! [String: Any]
        config["rope_scaling"] = NSNull()
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        let plain = try ArchitectureRegistry.shared.load(directory: dir)
        let reference = try Qwen2Reference.load("yarn-f32-untied").cases[2]
        let logits = try plain.forward(reference.ids, cache: plain.makeCache(capacity: nil), logits: .all)
        XCTAssertGreaterThan(maxAbsDifference(logits.values, reference.logits.flatMap { $0 }), 0.5)
    }
}
