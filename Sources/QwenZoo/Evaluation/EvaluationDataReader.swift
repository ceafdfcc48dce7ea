import Foundation

/// Reads the data files of `zoo eval`'s tasks, in the harness's own JSONL or any published format
/// (``BenchmarkFormat``, detected from the file unless given).
public enum EvaluationDataReader {
    /// Word problems (GSM8K, MATH or `{"question", "answer"}`) as ``MathEvaluation/Item``s whose answer is
    /// the gold final answer (GSM8K: the number after `####`; MATH: the last `\boxed{}`).
    public static func math(_ url: URL, format: BenchmarkFormat? = nil, limit: Int? = nil) throws -> [MathEvaluation.Item] {
        try items(url, format: format, limit: limit, task: "math") {
            guard case .problem(let question, _, let gold) = $0.content else { return nil }
            return MathEvaluation.Item(question: question, answer: gold, id: $0.id)
        }
    }

    /// Programming problems (HumanEval, MBPP) as ``CodeEvaluation/Item``s.
    public static func code(_ url: URL, format: BenchmarkFormat? = nil, limit: Int? = nil) throws -> [CodeEvaluation.Item] {
        try items(url, format: format, limit: limit, task: "code") {
            guard case .code(let prompt, let entryPoint, let test) = $0.content else { return nil }
            return CodeEvaluation.Item(task_id: $0.id, prompt: prompt, entry_point: entryPoint ?? "", test: test)
        }
    }

    /// Multiple-choice questions (MMLU jsonl or CSV, C-Eval, CMMLU, or the harness's) as ``ChoiceEvaluation/Item``s.
    public static func choice(_ url: URL, format: BenchmarkFormat? = nil, limit: Int? = nil) throws -> [ChoiceEvaluation.Item] {
        try items(url, format: format, limit: limit, task: "choice") {
            guard case .choice(let row) = $0.content else { return nil }
            return row
        }
    }

    /// Reads `{"messages": […]}` lines for the chat task.
    public static func chat(_ url: URL, limit: Int? = nil) throws -> [ChatEvaluation.Item] {
        try EvaluationData.read(ChatEvaluation.Item.self, from: url, limit: limit)
    }

    /// The items of `url` (a file, or a folder whose `.jsonl`/`.csv` files are read in name order), in
    /// `format` or the format each file shows.
    public static func benchmark(_ url: URL, format: BenchmarkFormat? = nil, limit: Int? = nil) throws -> [BenchmarkItem] {
        var items: [BenchmarkItem] = []
        for file in try files(url) {
            let remaining = limit.map { $0 - items.count }
            if let remaining, remaining <= 0 { break }
            items += try (format ?? BenchmarkFormat.detect(file)).read(file, limit: remaining)
        }
        return items
    }

    /// The dev split for the 5-shot choice protocols (`--fewshot`): its questions by subject, in file order.
    public static func fewShot(_ url: URL) throws -> [String: [ChoiceRow]] {
        var rows: [String: [ChoiceRow]] = [:]
        for item in try benchmark(url) {
            guard case .choice(let row) = item.content else {
                throw EvaluationError("\(url.path): \(item.id) is not a multiple-choice question; --fewshot takes a dev split")
            }
            rows[item.subject ?? "", default: []].append(row)
        }
        return rows
    }

    /// `url` itself, or the `.jsonl` and `.csv` files of the folder it names, sorted by name.
    public static func files(_ url: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw EvaluationError("\(url.path): no such file or folder")
        }
        guard isDirectory.boolValue else { return [url] }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".csv") }.sorted()
        guard !names.isEmpty else { throw EvaluationError("\(url.path): no .jsonl or .csv files") }
        return names.map { url.appendingPathComponent($0) }
    }

    private static func items<Item>(_ url: URL, format: BenchmarkFormat?, limit: Int?, task: String,
                                     _ convert: (BenchmarkItem) -> Item?) throws -> [Item] {
        try benchmark(url, format: format, limit: limit).map { item in
            guard let converted = convert(item) else {
                throw EvaluationError("\(url.path): \(item.id) is not an item of the \(task) task; check --task or --format")
            }
            return converted
        }
    }
}
