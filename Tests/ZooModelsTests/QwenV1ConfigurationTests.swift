import Foundation
import XCTest
import ZooAttention
import ZooCore
import ZooModels
import ZooTestSupport

/// A temporary checkpoint folder: a config (edited from a fixture's) next to links to the fixture's files.
private func checkpointFolder(
    from fixture: URL, editing edit: (inout [String: Any]) -> Void = { _ in }
) throws -> URL {
    let dir = try Fixtures.temporaryDirectory("qwen-v1")
    let data = try Data(contentsOf: fixture.appendingPathComponent("config.json"))
    var config = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    edit(&config)
    try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
    for name in try FileManager.default.contentsOfDirectory(atPath: fixture.path) where name != "config.json" {
        try FileManager.default.createSymbolicLink(
            at: dir.appendingPathComponent(name), withDestinationURL: fixture.appendingPathComponent(name))
    }
    return dir
}

/// Qwen v1 `config.json`, its errors, the loader's tensor checks, LogN and the switches.
final class QwenV1ConfigurationTests: XCTestCase {
    private func decode(_ json: String) throws -> QwenV1Configuration {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("config.json")
        try Data(json.utf8).write(to: url)
        return try ConfigFile(url).decode(QwenV1Configuration.self)
    }

    private let base = """
        "model_type": "qwen", "vocab_size": 400, "hidden_size": 64, "intermediate_size": 192,
        "num_hidden_layers": 2, "num_attention_heads": 4, "kv_channels": 16, "seq_length": 16
        """

    func testFieldsAndDefaults() throws {
        let c = try decode("{\(base)}")
        XCTAssertEqual(c.ffnWidth, 96)
        XCTAssertEqual(c.rotaryDim, 16)
        XCTAssertEqual(c.rotaryEmbBase, 10000)
        XCTAssertEqual(c.layerNormEpsilon, 1e-6)
        XCTAssertTrue(c.useDynamicNTK && c.useLogNAttention && c.noBias)
        XCTAssertFalse(c.tieWordEmbeddings)
        let partial = try decode("{\(base), \"rotary_pct\": 0.5, \"use_dynamic_ntk\": false, \"eos_token_id\": 7}")
        XCTAssertEqual(partial.rotaryDim, 8)
        XCTAssertFalse(partial.useDynamicNTK)
        XCTAssertEqual(partial.eosTokenIDs, [7])
    }

    func testBadFieldsAreNamed() {
        let cases: [(String, String)] = [
            ("{\(base.replacingOccurrences(of: ", \"seq_length\": 16", with: ""))}", "seq_length: required field is missing"),
            ("{\(base.replacingOccurrences(of: "\"kv_channels\": 16", with: "\"kv_channels\": \"16\""))}", "kv_channels: expected a number"),
            ("{\(base.replacingOccurrences(of: "\"kv_channels\": 16", with: "\"kv_channels\": 32"))}", "kv_channels: 32 × num_attention_heads (4) must equal hidden_size (64)"),
            ("{\(base.replacingOccurrences(of: "192", with: "191"))}", "intermediate_size: must be even"),
            ("{\(base), \"rotary_pct\": 1.5}", "rotary_pct: must be in (0, 1]"),
            ("{\(base), \"rotary_pct\": 0.1}", "rotary_pct: kv_channels × rotary_pct = 1 rotary dimensions"),
            ("{\(base.replacingOccurrences(of: "\"seq_length\": 16", with: "\"seq_length\": 0"))}", "seq_length: must be positive"),
            ("{\(base), \"layer_norm_epsilon\": 0}", "layer_norm_epsilon: must be positive"),
        ]
        for (json, message) in cases {
            XCTAssertThrowsError(try decode(json), message) {
                XCTAssertTrue("\($0)".contains("/config.json: " + message), "\($0)")
            }
        }
    }

    func testRegisteredNextToQwen2() {
        XCTAssertEqual(ArchitectureRegistry.shared.modelTypes.filter { $0.hasPrefix("qwen") }, ["qwen", "qwen2"])
    }

    func testOptionsFollowTheConfigAndCanBeOverridden() throws {
        let c = try decode("{\(base)}")
        XCTAssertEqual(QwenV1Model.Options(c), .init(rope: .dynamicNTK(trainedLength: 16), logNAttention: true))
        XCTAssertEqual(QwenV1Model.Options(c, useDynamicNTK: false), .init(rope: .standard, logNAttention: true))
        XCTAssertEqual(QwenV1Model.Options(c, useLogNAttention: false).logNAttention, false)
    }

    // MARK: Tensors (the Checkpoint names them)

    func testMissingTensorIsNamed() throws {
        let dir = try checkpointFolder(from: QwenV1Reference.directory("v1-plain")) { $0["num_hidden_layers"] = 4 }
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("transformer.h.3.ln_1.weight"), "\($0)")
        }
    }

    func testWrongShapeIsNamed() throws {
        // FFN width 81 instead of 80.
        let dir = try checkpointFolder(from: QwenV1Reference.directory("v1-plain")) { $0["intermediate_size"] = 162 }
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("transformer.h.0.mlp.w1.weight"), "\($0)")
        }
    }

    func testUnusedTensorsAreReported() throws {
        let dir = try checkpointFolder(from: QwenV1Reference.directory("v1-plain")) { $0["num_hidden_layers"] = 2 }
        XCTAssertThrowsError(try ArchitectureRegistry.shared.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("transformer.h.2."), "\($0)")
        }
    }

    func testShardedCheckpointWithIgnoredBuffers() throws {
        // The v1-plain tensors over three shards plus the buffers the reference does not persist.
        let fixture = QwenV1Reference.directory("v1-plain")
        let source = try Checkpoint(directory: fixture)
        let dir = try checkpointFolder(from: fixture)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        var shards: [[SafetensorsWriter.Tensor]] = [[], [], []]
        for (i, name) in source.tensorNames.enumerated() {
            let shape = try XCTUnwrap(source.info(name)).shape
            shards[i % 3].append(SafetensorsWriter.tensorF32(name, shape, try source.floats(name, shape: shape).toArray()))
        }
        shards[0].append(SafetensorsWriter.tensorF32("transformer.h.0.attn.rotary_emb.inv_freq", [8], Array(repeating: 1, count: 8)))
        shards[1].append(SafetensorsWriter.tensorF32("transformer.h.1.attn.masked_bias", [1], [-1e4]))
        var map: [String: String] = [:]
        for (i, tensors) in shards.enumerated() {
            let file = "model-0000\(i + 1)-of-00003.safetensors"
            try SafetensorsWriter.file(tensors).write(to: dir.appendingPathComponent(file))
            for t in tensors { map[t.name] = file }
        }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": map])
        try index.write(to: dir.appendingPathComponent("model.safetensors.index.json"))

        let model = try ArchitectureRegistry.shared.load(directory: dir)
        let reference = try QwenV1Reference.load("v1-plain").cases[0]
        let logits = try model.forward(reference.ids, cache: model.makeCache(capacity: nil), logits: .last)
        XCTAssertLessThanOrEqual(maxAbsDifference(logits.values, reference.logits.last!), 1e-4)
    }

    // MARK: Context length and the LogN buffer

    func testContextLengthIsCappedByTheLogNBuffer() throws {
        let fixture = QwenV1Reference.directory("v1-ntk-logn")
        let long = try checkpointFolder(from: fixture) { $0["max_position_embeddings"] = 40000 }
        XCTAssertEqual(try ArchitectureRegistry.shared.load(directory: long).contextLength, 32767)
        let noLogN = try checkpointFolder(from: fixture) {
            $0["max_position_embeddings"] = 40000
            $0["use_logn_attn"] = false
        }
        XCTAssertEqual(try ArchitectureRegistry.shared.load(directory: noLogN).contextLength, 40000)
    }

    func testPositionsBeyondTheLogNBufferAreAnError() throws {
        /// A cache that claims to hold 32766 tokens; the model must refuse before touching it.
        final class FullCache: KVCache {
            var count: Int { 32766 }
            var capacity: Int { 100_000 }
            func write(layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, tokens: Int) throws
                -> KVLayerView { XCTFail("written"); throw ContextOverflowError(requested: 0, capacity: 0) }
            func commit(tokens: Int) { XCTFail("committed") }
            func truncate(to length: Int) {}
        }
        let model = try ArchitectureRegistry.shared.load(directory: QwenV1Reference.directory("v1-ntk-logn"))
        XCTAssertThrowsError(try model.forward([1, 2], cache: FullCache(), logits: .last)) {
            XCTAssertEqual("\($0)", "the sequence needs 32768 positions but the context holds 32767")
        }
    }
}

/// The LogN factor `max(1, ln(p+1)/ln S)` against values computed from the formula (Python
/// `math.log(p + 1, S)`, as the reference's `logn_list`).
final class QwenV1LogNTests: XCTestCase {
    func testFactorFollowsTheFormula() {
        let s8192 = LogNAttentionScaling(trainedLength: 8192)
        XCTAssertEqual(s8192.factor(position: 0), 1)
        XCTAssertEqual(s8192.factor(position: 8191), 1, "p + 1 = S")
        XCTAssertEqual(s8192.factor(position: 8192), Float(1.0000135461143418))
        XCTAssertEqual(s8192.factor(position: 16383), Float(1.0769230769230769), "spec: 1.076923")
        XCTAssertEqual(s8192.factor(position: 32766), Float(1.1538427670591969), "spec: 1.153843, the last entry")
        let s16 = LogNAttentionScaling(trainedLength: 16)
        XCTAssertEqual(s16.factor(position: 15), 1)
        XCTAssertEqual(s16.factor(position: 16), Float(1.021865710312585))
        XCTAssertEqual(s16.factor(position: 23), Float(1.1462406251802892))
        XCTAssertEqual(s16.factor(position: 39), Float(1.3304820237218407))
    }

    func testApplyScalesWholeRowsByPosition() {
        let scaling = LogNAttentionScaling(trainedLength: 16)
        var q = [Float](repeating: 2, count: 3 * 4)
        q.withUnsafeMutableBufferPointer { scaling.apply(to: $0.baseAddress!, tokens: 3, width: 4, firstPosition: 15) }
        XCTAssertEqual(Array(q[0..<4]), [2, 2, 2, 2])
        XCTAssertEqual(Array(q[4..<8]), Array(repeating: 2 * scaling.factor(position: 16), count: 4))
        XCTAssertEqual(Array(q[8..<12]), Array(repeating: 2 * scaling.factor(position: 17), count: 4))
    }
}

/// `rope_scaling` in Qwen2 configs: YaRN and linear are accepted, other kinds named and rejected.
final class QwenV1RopeKindsInQwen2ConfigTests: XCTestCase {
    private func decode(_ extra: String) throws -> Qwen2Configuration {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("config.json")
        let json = """
            {"model_type": "qwen2", "vocab_size": 100, "hidden_size": 64, "intermediate_size": 96,
             "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 4096\(extra)}
            """
        try Data(json.utf8).write(to: url)
        return try ConfigFile(url).decode(Qwen2Configuration.self)
    }

    func testQwen25YaRNBlock() throws {
        let c = try decode(#", "rope_theta": 1000000.0, "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}"#)
        XCTAssertEqual(c.ropeType, "yarn")
        XCTAssertEqual(c.ropeTheta, 1_000_000)
        XCTAssertEqual(c.ropeScaling, .yarn(YaRNParameters(factor: 4, originalContextLength: 32768)))
    }

    func testTransformers5YaRNWithDefaultsAndOverrides() throws {
        let c = try decode(#", "rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 2.0, "beta_fast": 16, "truncate": false}"#)
        XCTAssertEqual(c.ropeTheta, 10000)
        XCTAssertEqual(c.ropeScaling, .yarn(YaRNParameters(factor: 2, originalContextLength: 4096, betaFast: 16, truncate: false)))
    }

    func testLinear() throws {
        XCTAssertEqual(try decode(#", "rope_scaling": {"rope_type": "linear", "factor": 2.0}"#).ropeScaling, .linear(factor: 2))
        XCTAssertEqual(try decode(#", "rope_scaling": null"#).ropeScaling, .standard)
    }

    func testBadRopeScalingIsNamed() {
        let cases: [(String, String)] = [
            (#", "rope_scaling": {"type": "yarn"}"#, "rope_scaling.factor: required for RoPE type \"yarn\""),
            (#", "rope_scaling": {"type": "yarn", "factor": 0.5}"#, "rope_scaling.factor: must be at least 1.0"),
            (#", "rope_scaling": {"type": "linear", "factor": "2"}"#, "rope_scaling.factor: expected a number"),
            (#", "rope_parameters": {"rope_type": "longrope", "factor": 2.0}"#,
             "rope_parameters: RoPE type \"longrope\" is not supported (supported: default, linear, yarn)"),
        ]
        for (extra, message) in cases {
            XCTAssertThrowsError(try decode(extra), message) {
                XCTAssertTrue("\($0)".contains("/config.json: " + message), "\($0)")
            }
        }
    }

    func testQwen2ModelUsesTheScaledRoPE() throws {
        // The same weights with YaRN give other logits (exact parity with transformers needs a fixture
        // from the fixture script; a hand check against transformers 5.23 agreed within 3e-5).
        let fixture = Qwen2Reference.directory("gqa-f32-untied")
        let reference = try Qwen2Reference.load("gqa-f32-untied").cases.last!
        let yarn = try checkpointFolder(from: fixture) {
            $0["rope_scaling"] = ["type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64]
        }
        let model = try ArchitectureRegistry.shared.load(directory: yarn)
        let logits = try model.forward(reference.ids, cache: model.makeCache(capacity: nil), logits: .last)
        XCTAssertGreaterThan(maxAbsDifference(logits.values, reference.logits.last!), 1)
    }
}
