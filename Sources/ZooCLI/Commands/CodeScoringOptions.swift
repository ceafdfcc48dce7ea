import ArgumentParser
import Foundation
import QwenZoo

/// `zoo eval`'s options for the code sandbox and for scoring given completions without a model.
struct CodeScoringOptions: ParsableArguments {
    @Option(help: """
        Score a HumanEval samples file ({"task_id","completion"} per line) against the --data problems, \
        without a model (task code only).
        """)
    var completions: String?

    @Flag(help: """
        Run generated code without namespaces (only resource limits) when the host cannot create them. \
        The code can then read and write your files and use the network.
        """)
    var unsafeNoSandbox = false

    /// The sandbox the code task runs programs in, with `timeout` seconds per program.
    func sandbox(timeout: Double = 5) -> CodeSandbox {
        CodeSandbox(timeout: timeout, confinement: unsafeNoSandbox ? .unconfinedUnsafe : .namespaces)
    }

    /// Scores ``completions`` against the problems in `data` and prints the result (a Markdown
    /// table, or one JSON object with `json`).
    func score(task: String, data: String, limit: Int?, json: Bool) throws {
        guard task == "code", let completions else {
            throw ValidationError("--completions works with --task code only")
        }
        let problems = try EvaluationDataReader.code(URL(fileURLWithPath: data), limit: limit)
        var samples = try CompletionsScoring.samples(URL(fileURLWithPath: completions))
        if limit != nil {
            let kept = Set(problems.map(\.task_id))
            samples = samples.filter { kept.contains($0.task_id) }
        }
        let bar = ProgressBar(label: "code")
        let start = Date()
        let result = try CompletionsScoring(sandbox: sandbox(timeout: 3))
            .score(samples, source: completions, problems: problems, progress: bar.update)
        bar.finish(seconds: Date().timeIntervalSince(start))
        var fields: [String: Any] = [
            "task": task, "completions": completions, "data": data, "problems": result.problems,
            "samples": result.samples, "passed": result.passed, "timed_out": result.timedOut,
        ]
        var rows = [("problems attempted", "\(result.problems)"), ("completions", "\(result.samples)"),
                    ("passed", "\(result.passed)"), ("timed out", "\(result.timedOut)")]
        for (k, value) in result.passAtK.sorted(by: { $0.key < $1.key }) {
            fields["pass_at_\(k)"] = value
            rows.append(("pass@\(k)", String(format: "%.1f %%", value * 100)))
        }
        EvaluationReport.write(fields: fields, rows: rows, title: "code: \(completions)", json: json)
    }
}

/// How `zoo eval` prints a result: every mode (tasks, protocols, given completions) goes through here.
enum EvaluationReport {
    /// `fields` as one line of JSON (``JSONOutput``), or `rows` as a two-column Markdown table under `title`
    /// followed by any further `tables`.
    static func write(fields: [String: Any], rows: [(String, String)], title: String, tables: [String] = [],
                      json: Bool) {
        if json {
            StandardIO.write(JSONOutput.line(fields))
        } else {
            var table = "| \(title) | |\n|---|---|\n"
            for (name, value) in rows { table += "| \(name) | \(value) |\n" }
            StandardIO.write(([table] + tables).joined(separator: "\n"))
        }
    }
}
