import Foundation
import XCTest
import ZooTestSupport
@testable import QwenZoo

/// Issue 16's validity criterion: a random-weight model (unconstrained, it emits noise) constrained
/// by JSON Schemas, GBNF grammars and regular expressions produces output that validators
/// independent of QwenZoo accept, for every one of 20 seeds. The outputs are checked by
/// `scripts/check_constrained.py` (Python's `jsonschema`, a Lark re-statement of each grammar,
/// `re.fullmatch`) run from the venv `scripts/setup.sh` installs under `.build/venv-check`.
final class ConstrainedValidityTests: XCTestCase {
    static let seeds: Range<UInt64> = 0..<20
    static let fixtures = Fixtures.url("constrained")

    /// Regular expressions in Python's syntax, each checked with `re.fullmatch`.
    static let regexes = [
        #"[A-Z]{2}-\d{3}"#, #"(\+\d{1,3} )?\(\d{3}\) \d{3}-\d{4}"#, #"[a-z]{1,8}@[a-z]{1,8}\.(com|org|net)"#,
        "(yes|no|maybe)", #"\d{4}-\d{2}-\d{2}"#, #"-?\d{1,4}(\.\d{1,2})?"#, #"[^\s]{1,6} [^\s]{1,6}"#,
        "(ab|cd)*x?", ".{1,10}", #"[\u00e0-\u00ff]{2,5}!"#,
    ]

    private struct Job {
        var kind: String
        var name: String
        var stage: SamplerStageSpec
        /// The checker's extra field (`schema` as JSON, or `pattern`).
        var extra: (key: String, value: JSONValue)?
    }

    private func jobs() throws -> [Job] {
        var jobs: [Job] = []
        let schemas = try JSONValue(parsing: String(contentsOf: Self.fixtures.appendingPathComponent("schemas.json"), encoding: .utf8))
        guard case .object(let members) = schemas else { throw XCTSkip("schemas.json is not an object") }
        for (name, schema) in members.members {
            jobs.append(Job(kind: "schema", name: name, stage: .jsonSchema(JSONWriter.compact(schema)), extra: ("schema", schema)))
        }
        let folder = Self.fixtures.appendingPathComponent("grammars")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".gbnf") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            jobs.append(Job(kind: "grammar", name: String(file.dropLast(5)), stage: .grammar(text)))
        }
        for (i, pattern) in Self.regexes.enumerated() {
            jobs.append(Job(kind: "regex", name: "regex-\(i)", stage: .regex(pattern), extra: ("pattern", .string(pattern))))
        }
        return jobs
    }

    func testRandomWeightModelOutputsValidateUnderIndependentCheckers() async throws {
        let python = Fixtures.repositoryRoot.appendingPathComponent(".build/venv-check/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            // Never a skip: a test that passes because a tool is missing proves nothing.
            return XCTFail("the validators are missing: scripts/setup.sh installs them into .build/venv-check")
        }
        // tiny-base: random weights, a 382-id byte-level BPE vocabulary, stops at <|endoftext|>.
        let zoo = try await APITest.model("tiny-base", ["max_tokens=220"])
        let jobs = try jobs()
        XCTAssertGreaterThanOrEqual(jobs.filter { $0.kind == "schema" }.count, 30)
        XCTAssertGreaterThanOrEqual(jobs.filter { $0.kind == "grammar" }.count, 10)
        var lines: [String] = []
        for job in jobs {
            for seed in Self.seeds {
                let options = GenerationOptions(seed: seed, sampler: [job.stage])
                let completion = try zoo.generate(zoo.variant.request(forPrompt: "Output:"), options: options)
                let sample = completion.samples[0]
                var record: [(String, JSONValue)] = [
                    ("kind", .string(job.kind)), ("name", .string(job.name)), ("seed", .integer(Int(seed))),
                    ("text", .string(sample.text)),
                    ("finish", .string(sample.finishReason.summary)),
                ]
                if let extra = job.extra { record.append(extra) }
                lines.append(JSONWriter.compact(.object(JSONObject(record))))
            }
        }
        let dir = try Fixtures.temporaryDirectory("constrained")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outputs = dir.appendingPathComponent("outputs.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: outputs, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = python
        process.arguments = [Fixtures.repositoryRoot.appendingPathComponent("scripts/check_constrained.py").path, outputs.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
        XCTAssertEqual(report["checked"], .integer(lines.count))
        guard case .array(let failures)? = report["failures"] else { return XCTFail("the checker printed no report") }
        for failure in failures.prefix(10) { XCTFail("invalid output: \(JSONWriter.compact(failure))") }
        XCTAssertEqual(failures.count, 0, "\(failures.count) of \(lines.count) outputs failed their checker")
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
