import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// The bundled nano models (zoo/models, trained by scripts/train_nano.py) answer in QwenZoo exactly
/// as in PyTorch: the variants render the reference prompt ids and greedy decoding gives the
/// reference ids (Tests/Fixtures/nano/*.json, written by the training script from the saved weights).
final class NanoParityTests: XCTestCase {
    struct Reference: Decodable {
        struct Greedy: Decodable {
            let eos_token_id: [Int]
            let max_new_tokens: Int
            let ids: [Int]
        }
        struct Request: Decodable {
            let kind: String
            let prompt: String?
            let question: String?
            let prefix: String?
            let suffix: String?
            let messages: [ChatMessage]?
        }
        struct Case: Decodable {
            let name: String
            let request: Request
            let prompt_ids: [Int]
            let greedy: Greedy
        }
        let manifest: String
        let cases: [Case]
    }

    private func request(_ r: Reference.Request) throws -> VariantRequest {
        switch r.kind {
        case "completion": return .completion(r.prompt!)
        case "problem": return .problem(r.question!)
        case "infill": return .infill(prefix: r.prefix!, suffix: r.suffix!)
        case "chat": return .chat(r.messages!)
        default: throw XCTSkip("unknown request kind \(r.kind)")
        }
    }

    func testEveryNanoModelMatchesPyTorch() throws {
        let folder = Fixtures.url("nano")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files.count, 4, "nano-base, nano-chat, nano-code, nano-math")
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        var checked = 0
        for file in files {
            let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent(file)))
            let zoo = try LoadedModel.load(try loader.load(reference.manifest).manifest)
            for c in reference.cases {
                let plan = try zoo.plan(try request(c.request))
                XCTAssertEqual(plan.tokens, c.prompt_ids, "\(reference.manifest) \(c.name): prompt ids")
                var generator = Generator(model: zoo.model, stopIDs: Set(c.greedy.eos_token_id))
                let result = try generator.generate(prompt: c.prompt_ids, maxTokens: c.greedy.max_new_tokens)
                XCTAssertEqual(result.tokens, c.greedy.ids, "\(reference.manifest) \(c.name): greedy ids")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 12)
    }

    func testNanoBasePerplexityEqualsPyTorch() throws {
        // zoo/models/metrics.json holds what the training script measured in PyTorch on the same file.
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("zoo/models/metrics.json"))) as! [String: Any]
        let base = metrics["nano-base"] as! [String: Any]
        let loader = ManifestLoader(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")], environment: [:])
        let zoo = try LoadedModel.load(try loader.load("nano-base").manifest)
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("zoo/models/nano-base/eval-perplexity.txt"), encoding: .utf8)
        let result = try PerplexityEvaluation().run(zoo, text: text)
        XCTAssertEqual(result.tokens, base["ppl_tokens"] as? Int)
        XCTAssertEqual(result.perplexity, base["perplexity"] as! Double, accuracy: 1e-4)
    }
}
