import Foundation
import XCTest
import ZooCore
import ZooTestSupport
@testable import ZooSamplers

/// Each HF-defined stage against transformers' logits processors
/// (Tests/Fixtures/samplers/hf_processors.json, from scripts/make_sampler_fixtures.py).
final class ParityTests: XCTestCase {
    struct Fixture: Decodable {
        struct Input: Decodable {
            let name: String
            let logits: [Double?]
            let history: [Int]
        }
        struct Case: Decodable {
            let stage: String
            let value: Double
            let input: String
            let kept: [Int]
            let values: [Double]
        }
        let inputs: [Input]
        let cases: [Case]
    }

    func testStagesMatchTransformersWithin1e6() throws {
        let data = try Data(contentsOf: Fixtures.url("samplers/hf_processors.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let inputs = Dictionary(uniqueKeysWithValues: fixture.inputs.map { ($0.name, $0) })
        var checked: Set<String> = []
        for c in fixture.cases {
            let input = try XCTUnwrap(inputs[c.input])
            let logits = input.logits.map { $0.map(Float.init) ?? -.infinity }
            let spec = "\(c.stage)=\(ChainSyntax.format(.number(c.value)))"
            let out = try applyStage(spec, logits, history: input.history)
            let kept = out.indices.filter { out[$0] > -.infinity }
            XCTAssertEqual(kept, c.kept, "\(spec) on \(c.input): candidate set")
            guard kept == c.kept else { continue }
            for (id, expected) in zip(c.kept, c.values) {
                let tolerance = 1e-6 * max(1, abs(expected))
                XCTAssertEqual(Double(out[id]), expected, accuracy: tolerance, "\(spec) on \(c.input), token \(id)")
            }
            checked.insert(c.stage)
        }
        XCTAssertEqual(checked, [
            "temperature", "top_k", "top_p", "min_p", "typical_p", "epsilon_cutoff", "eta_cutoff",
            "repetition_penalty", "no_repeat_ngram",
        ])
    }

    func testRandomGeneratorMatchesTheIndependentReference() throws {
        struct Streams: Decodable {
            struct Stream: Decodable {
                let seed: String
                let next: [String]
                let doubles: [Double]
            }
            let streams: [Stream]
        }
        let data = try Data(contentsOf: Fixtures.url("samplers/rng.json"))
        let streams = try JSONDecoder().decode(Streams.self, from: data).streams
        XCTAssertEqual(streams.count, 4)
        for s in streams {
            var a = SeededRandom(seed: UInt64(s.seed)!)
            var b = SeededRandom(seed: UInt64(s.seed)!)
            XCTAssertEqual(s.next.map { UInt64($0)! }, (0..<s.next.count).map { _ in a.next() }, "seed \(s.seed)")
            XCTAssertEqual(s.doubles, (0..<s.doubles.count).map { _ in b.nextDouble() }, "seed \(s.seed)")
        }
    }
}
