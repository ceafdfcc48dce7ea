import ArgumentParser
import Foundation
import QwenZoo

extension Eval {
    /// A benchmark of the report and where `--data-dir` keeps it (the paths its distributions use).
    struct SuiteBenchmark {
        let name: String
        let data: [String]
        let fewshot: [String]
    }

    static let reportBenchmarks = [
        SuiteBenchmark(name: "GSM8K", data: ["gsm8k/test.jsonl", "grade_school_math/data/test.jsonl"], fewshot: []),
        SuiteBenchmark(name: "MATH", data: ["math/test.jsonl", "MATH/test.jsonl"], fewshot: []),
        SuiteBenchmark(name: "HumanEval", data: ["HumanEval.jsonl", "humaneval/HumanEval.jsonl"], fewshot: []),
        SuiteBenchmark(name: "MMLU", data: ["mmlu/test", "mmlu/data/test"], fewshot: ["mmlu/dev", "mmlu/data/dev"]),
        SuiteBenchmark(name: "C-Eval", data: ["ceval/val"], fewshot: ["ceval/dev"]),
        SuiteBenchmark(name: "CMMLU", data: ["cmmlu/test"], fewshot: ["cmmlu/dev"]),
    ]

    /// `zoo eval --suite report --data-dir DIR`: every benchmark present, under the protocol Qwen's report
    /// uses for the manifest's variant, in one table whose column headers name the protocols.
    func runSuite() throws {
        guard let dataDir else { return }
        try reportingErrors {
            let resolved = try manifestArguments.resolve()!
            let root = URL(fileURLWithPath: dataDir)
            let manager = FileManager.default
            var planned: [(SuiteBenchmark, URL, EvaluationProtocol, ProtocolEvaluation, [BenchmarkItem])] = []
            for benchmark in Self.reportBenchmarks {
                guard let data = benchmark.data.map({ root.appendingPathComponent($0) }).first(where: { manager.fileExists(atPath: $0.path) })
                else { continue }
                let items = try EvaluationDataReader.benchmark(data, limit: limit)
                let format = try BenchmarkFormat.detect(try EvaluationDataReader.files(data)[0])
                guard let chosen = EvaluationProtocol.standard(for: format, variant: resolved.manifest.variant.name) else { continue }
                let fewshot = benchmark.fewshot.map { root.appendingPathComponent($0) }.first { manager.fileExists(atPath: $0.path) }
                let run = try protocolRun(chosen, votes: chosen.kind == .problem ? votes : 1, fewshot: fewshot)
                planned.append((benchmark, data, chosen, run, items))
            }
            guard !planned.isEmpty else {
                throw InputError(description: "\(dataDir): no benchmark found (looked for \(Self.reportBenchmarks.flatMap(\.data).joined(separator: ", ")))")
            }
            if planned.contains(where: { $0.2.kind == .code }) { try CodeSandbox().preflight() }
            let zoo = try LoadedModel.load(resolved.manifest)
            let concurrency = inFlight(zoo)
            var headers: [String] = [], cells: [String] = [], fields: [String: Any] = [:]
            for (benchmark, _, chosen, var run, items) in planned {
                run.concurrency = concurrency
                let bar = ProgressBar(label: benchmark.name)
                let start = Date()
                let summary = try run.run(zoo, items: items, progress: bar.update)
                bar.finish(seconds: Date().timeIntervalSince(start))
                headers.append("\(benchmark.name) (\(chosen.rawValue))")
                cells.append(String(format: "%.1f", summary.headline * 100)
                             + (summary.overall.majorityAccuracy.map { String(format: " (maj@%d %.1f)", votes, $0 * 100) } ?? ""))
                fields[benchmark.name] = Self.fields(summary)
            }
            if json {
                fields["manifest"] = resolved.manifest.name
                StandardIO.write(JSONOutput.line(fields))
            } else {
                StandardIO.write("| model | " + headers.joined(separator: " | ") + " |\n|---|" + String(repeating: "---|", count: headers.count)
                                 + "\n| \(resolved.manifest.name) | " + cells.joined(separator: " | ") + " |\n")
            }
        }
    }
}
