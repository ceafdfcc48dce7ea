import Foundation
import XCTest
import ZooModels
import ZooTestSupport

/// `config.json` in both layouts, and the errors a broken one gives.
final class ConfigurationTests: XCTestCase {
    private func decode(_ json: String) throws -> Qwen2Configuration {
        let dir = try Fixtures.temporaryDirectory()
        let url = dir.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: url)
        return try ConfigFile(url).decode(Qwen2Configuration.self)
    }

    private let base = """
        "model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 2, "num_attention_heads": 4
        """

    func testReleaseLayoutWithTopLevelRopeTheta() throws {
        let c = try decode("{\(base), \"rope_theta\": 1000000.0, \"torch_dtype\": \"bfloat16\", \"num_key_value_heads\": 2, \"eos_token_id\": 7}")
        XCTAssertEqual(c.ropeTheta, 1_000_000)
        XCTAssertEqual(c.dtype, "bfloat16")
        XCTAssertEqual(c.numKeyValueHeads, 2)
        XCTAssertEqual(c.headDim, 16)
        XCTAssertEqual(c.eosTokenIDs, [7])
    }

    func testTransformers5LayoutWithRopeParameters() throws {
        let c = try decode("{\(base), \"rope_parameters\": {\"rope_theta\": 500000.0, \"rope_type\": \"default\"}, \"dtype\": \"float32\", \"eos_token_id\": [3, 4]}")
        XCTAssertEqual(c.ropeTheta, 500_000)
        XCTAssertEqual(c.dtype, "float32")
        XCTAssertEqual(c.numKeyValueHeads, 4, "MHA when num_key_value_heads is absent")
        XCTAssertEqual(c.eosTokenIDs, [3, 4])
    }

    func testCheckpointFixturesUseBothLayouts() throws {
        let new = try ConfigFile(Qwen2Reference.directory("mha-f32-tied").appendingPathComponent("config.json"))
        let old = try ConfigFile(Qwen2Reference.directory("gqa-f32-untied").appendingPathComponent("config.json"))
        XCTAssertEqual(try new.decode(Qwen2Configuration.self).ropeTheta, 10000)
        XCTAssertEqual(try old.decode(Qwen2Configuration.self).ropeTheta, 1_000_000)
    }

    func testMissingFieldIsNamed() {
        XCTAssertThrowsError(try decode("{\"model_type\": \"qwen2\", \"vocab_size\": 100}")) {
            XCTAssertTrue("\($0)".hasSuffix("/config.json: hidden_size: required field is missing"), "\($0)")
        }
    }

    func testWrongTypeIsNamed() {
        XCTAssertThrowsError(try decode("{\(base.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": \"two\""))}")) {
            XCTAssertTrue("\($0)".hasSuffix("/config.json: num_hidden_layers: expected a number"), "\($0)")
        }
    }

    func testInvalidJSONNamesTheFile() {
        XCTAssertThrowsError(try decode("{\"model_type\": ")) {
            XCTAssertTrue("\($0)".contains("/config.json: not valid JSON"), "\($0)")
        }
    }

    func testInconsistentHeadsAreRejected() {
        XCTAssertThrowsError(try decode("{\(base), \"num_key_value_heads\": 3}")) {
            XCTAssertTrue("\($0)".contains("num_key_value_heads"), "\($0)")
        }
    }

    func testUnsupportedRopeScalingIsRejected() {
        XCTAssertThrowsError(try decode("{\(base), \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 4.0}}")) {
            XCTAssertTrue("\($0)".contains("dynamic"), "\($0)")
        }
    }

    func testUnsupportedModelTypeListsTheSupportedOnes() throws {
        let dir = try Fixtures.temporaryDirectory()
        try Data("{\"model_type\": \"llama\"}".utf8).write(to: dir.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: dir)) {
            XCTAssertEqual("\($0)", dir.path + "/config.json: model_type: \"llama\" is not a supported architecture (supported: qwen, qwen2)")
        }
    }

    func testMissingDirectoryAndMissingConfig() throws {
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: URL(fileURLWithPath: "/nonexistent/ckpt"))) {
            XCTAssertTrue("\($0)".contains("/nonexistent/ckpt"), "\($0)")
        }
        let empty = try Fixtures.temporaryDirectory()
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: empty)) {
            XCTAssertEqual("\($0)", empty.path + "/config.json: file not found")
        }
    }

    func testGenerationConfigEosOverridesConfig() throws {
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory("gqa-bf16-tied"))
        let generation = try GenerationConfig.load(directory: Qwen2Reference.directory("gqa-bf16-tied"))
        XCTAssertEqual(model.endOfSequenceIDs, generation?.eosTokenIDs)
    }
}
