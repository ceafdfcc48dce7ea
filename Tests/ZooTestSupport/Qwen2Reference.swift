import Foundation

/// `reference.json` of a tiny Qwen2 fixture, written by `scripts/make_fixtures.py` from transformers.
public struct Qwen2Reference: Decodable, Sendable {
    public struct Greedy: Decodable, Sendable {
        public let max_new_tokens: Int
        public let ids: [Int]
        public let stopped_at_eos: Bool?
    }

    public struct Case: Decodable, Sendable {
        /// The prompt.
        public let ids: [Int]
        /// fp32 logits at every prompt position, from one full forward pass.
        public let logits: [[Float]]
        /// What `generate(do_sample=False)` returned.
        public let greedy: Greedy
    }

    public let cases: [Case]

    /// The fixture checkpoints under `Tests/Fixtures/qwen2`, by folder name.
    public static var checkpointNames: [String] {
        let root = Fixtures.url("qwen2")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/reference.json").path)
        }.sorted()
    }

    /// The checkpoint directory of a fixture.
    public static func directory(_ name: String) -> URL { Fixtures.url("qwen2/\(name)") }

    /// Loads the reference data of a fixture.
    public static func load(_ name: String) throws -> Qwen2Reference {
        let data = try Data(contentsOf: directory(name).appendingPathComponent("reference.json"))
        return try JSONDecoder().decode(Qwen2Reference.self, from: data)
    }
}

/// The largest absolute difference between two equally long float sequences.
public func maxAbsDifference(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
    precondition(a.count == b.count, "length mismatch: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
