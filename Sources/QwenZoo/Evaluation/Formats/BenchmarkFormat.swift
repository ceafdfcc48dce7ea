import Foundation

/// The published layouts `zoo eval` reads, chosen with `--format` or detected from a file's fields.
public enum BenchmarkFormat: String, Sendable, CaseIterable {
    /// The harness's own JSONL: math `{"question", "answer"}` (the answer is the final answer itself),
    /// choice `{"question", "choices", "answer": letter}`, code as HumanEval.
    case zoo
    /// GSM8K (openai/grade-school-math): `{"question", "answer"}`, the answer a worked solution with
    /// `<<…>>` annotations ending in `#### N`; the gold is N without commas.
    case gsm8k
    /// MATH (hendrycks/competition_math): `{"problem", "solution", "level", "type"}`; the gold is the last
    /// `\boxed{…}` of the solution.
    case math
    /// HumanEval (openai/human-eval): `{"task_id", "prompt", "entry_point", "test"}`.
    case humaneval
    /// MBPP (google-research/mbpp): `{"task_id", "text", "code", "test_list", "test_setup_code"}`.
    case mbpp
    /// MMLU as `cais/mmlu` exports it: `{"question", "subject", "choices": [4], "answer": 0…3}`.
    case mmlu
    /// MMLU's original CSV (hendrycks `data.tar`): no header; question, A, B, C, D, answer letter. The
    /// subject is the file name without `_test`/`_dev`/`_val`.
    case mmluCSV = "mmlu-csv"
    /// C-Eval CSV (`ceval-exam`): header `id,question,A,B,C,D,answer[,explanation]`; the subject is the
    /// file name without `_val`/`_dev`/`_test`.
    case ceval
    /// CMMLU CSV: header `,Question,A,B,C,D,Answer`; the subject is the file name.
    case cmmlu

    /// The format of `url`: by its header for a `.csv`, else by the first JSONL line's fields.
    public static func detect(_ url: URL) throws -> BenchmarkFormat {
        let text = try BenchmarkFile.text(url)
        if url.pathExtension.lowercased() == "csv" {
            guard let header = try CSVRecords.parse(text, path: url.path).first?.fields else {
                throw EvaluationError("\(url.path): no rows")
            }
            if header.count >= 6, header[1] == "question", header[2] == "A" { return .ceval }
            if header.count >= 7, header[1] == "Question", header[6] == "Answer" { return .cmmlu }
            return .mmluCSV
        }
        guard let (line, first) = try BenchmarkFile.jsonLines(text, path: url.path).first else {
            throw EvaluationError("\(url.path): no items")
        }
        let keys = Set(first.keys)
        if keys.isSuperset(of: ["problem", "solution"]) { return .math }
        if keys.isSuperset(of: ["text", "test_list"]) { return .mbpp }
        if keys.isSuperset(of: ["task_id", "prompt", "entry_point", "test"]) { return .humaneval }
        if keys.isSuperset(of: ["question", "choices", "answer"]) { return first["answer"] is String ? .zoo : .mmlu }
        if keys.isSuperset(of: ["question", "answer"]) {
            return (first["answer"] as? String)?.contains("####") == true ? .gsm8k : .zoo
        }
        throw EvaluationError(
            "\(url.path):\(line): cannot tell the format from the fields \(keys.sorted()); give --format (\(allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    /// The items of `url` in this format, the first `limit` if given. Errors name the file, line and field.
    public func read(_ url: URL, limit: Int? = nil) throws -> [BenchmarkItem] {
        let text = try BenchmarkFile.text(url)
        var items: [BenchmarkItem] = []
        switch self {
        case .mmluCSV, .ceval, .cmmlu:
            var records = try CSVRecords.parse(text, path: url.path)
            if self != .mmluCSV {
                guard let header = records.first?.fields, header.count >= 7 else {
                    throw EvaluationError("\(url.path):1: the header has no answer column (\(columns)); C-Eval's test split keeps its answers secret, use val")
                }
                records = Array(records.dropFirst())
            }
            let subject = BenchmarkFile.subject(of: url)
            for (line, fields) in records {
                if let limit, items.count >= limit { break }
                items.append(try choiceItem(fields, at: BenchmarkFile.Location(path: url.path, line: line), subject: subject))
            }
        case .zoo, .gsm8k, .math, .humaneval, .mbpp, .mmlu:
            for (line, object) in try BenchmarkFile.jsonLines(text, path: url.path) {
                if let limit, items.count >= limit { break }
                items.append(try jsonItem(BenchmarkFile.Fields(object, at: .init(path: url.path, line: line))))
            }
        }
        guard !items.isEmpty else { throw EvaluationError("\(url.path): no items") }
        return items
    }

    private func jsonItem(_ f: BenchmarkFile.Fields) throws -> BenchmarkItem {
        let at = f.location.description
        switch self {
        case .zoo:
            if f.has("choices") {
                let row = ChoiceRow(question: try f.string("question"), choices: try f.strings("choices", count: 4), answer: try f.letter("answer"))
                return BenchmarkItem(id: at, subject: try f.optionalString("subject"), content: .choice(row))
            }
            if f.has("task_id") { return try BenchmarkFormat.humaneval.jsonItem(f) }
            let answer = try f.string("answer")
            return BenchmarkItem(id: at, content: .problem(question: try f.string("question"), solution: answer, gold: answer))
        case .gsm8k:
            let solution = try f.string("answer")
            guard let gold = GoldAnswer.gsm8k(solution) else { throw f.error("answer", "has no final \"#### N\"") }
            return BenchmarkItem(id: at, content: .problem(question: try f.string("question"), solution: solution, gold: gold))
        case .math:
            let solution = try f.string("solution")
            guard let gold = GoldAnswer.lastBoxed(solution) else { throw f.error("solution", "has no \\boxed{…} answer") }
            return BenchmarkItem(
                id: try f.optionalString("unique_id") ?? at, subject: try f.optionalString("type"), level: try f.optionalString("level"),
                content: .problem(question: try f.string("problem"), solution: solution, gold: gold))
        case .humaneval:
            return BenchmarkItem(
                id: try f.string("task_id"),
                content: .code(prompt: try f.string("prompt"), entryPoint: try f.string("entry_point"), test: try f.string("test")))
        case .mbpp:
            let tests = try f.strings("test_list", count: nil)
            let setup = try f.optionalString("test_setup_code") ?? ""
            let id = try f.identifier("task_id")
            let prompt = "\"\"\"\n\(try f.string("text"))\n\(tests.first ?? "")\n\"\"\"\n"
            return BenchmarkItem(id: "MBPP/\(id)", content: .code(prompt: prompt, entryPoint: nil, test: setup + "\n" + tests.joined(separator: "\n") + "\n"))
        case .mmlu:
            let index = try f.int("answer")
            guard (0..<4).contains(index) else { throw f.error("answer", "must be 0…3, found \(index)") }
            let row = ChoiceRow(question: try f.string("question"), choices: try f.strings("choices", count: 4), answer: QwenMultipleChoice.letters[index])
            return BenchmarkItem(id: at, subject: try f.optionalString("subject"), content: .choice(row))
        case .mmluCSV, .ceval, .cmmlu:
            preconditionFailure("CSV formats are read by rows")
        }
    }

    private func choiceItem(_ fields: [String], at location: BenchmarkFile.Location, subject: String) throws -> BenchmarkItem {
        // mmlu-csv: question,A,B,C,D,answer; ceval: id,question,A,B,C,D,answer[,explanation]; cmmlu: index,Question,A,B,C,D,Answer.
        let offset = self == .mmluCSV ? 0 : 1
        guard fields.count >= offset + 6 else {
            throw EvaluationError("\(location): expected \(offset + 6) columns (\(self.columns)), found \(fields.count)")
        }
        let answer = fields[offset + 5].trimmingCharacters(in: .whitespaces)
        guard QwenMultipleChoice.letters.contains(answer) else {
            throw EvaluationError("\(location): column \"\(self == .cmmlu ? "Answer" : "answer")\" must be a letter A–D, found \"\(answer)\"")
        }
        let row = ChoiceRow(question: fields[offset], choices: Array(fields[(offset + 1)...(offset + 4)]), answer: answer)
        let id = self == .ceval ? "\(subject)/\(fields[0])" : "\(subject)/\(location.line)"
        return BenchmarkItem(id: id, subject: subject, content: .choice(row))
    }

    private var columns: String {
        switch self {
        case .ceval: "id, question, A, B, C, D, answer"
        case .cmmlu: "index, Question, A, B, C, D, Answer"
        default: "question, A, B, C, D, answer"
        }
    }
}
