import Foundation

/// One evaluated item, as a line of `--out results.jsonl`: what was asked (by hash), what the model said,
/// what was read from it, and the verdict.
public struct EvaluationRecord: Codable, Sendable, Equatable {
    /// The item's id (``BenchmarkItem/id``).
    public var id: String
    /// The hash of the protocol's name, the run's settings (model, votes, chain, token limit), the item's seed and
    /// the prompt's token ids; a resumed run checks it, so records of different runs never mix.
    public var promptHash: String
    /// The greedy output as the protocol keeps it (cut, or the extracted code), or the chosen letter.
    public var output: String
    /// The answer read from the output; nil when none was found.
    public var extracted: String?
    /// The gold answer.
    public var gold: String
    /// Whether the greedy answer is correct under the protocol.
    public var correct: Bool
    /// The answers read from the K sampled votes (`--votes K`), "" for a vote without an answer.
    public var votes: [String]?
    /// The majority answer of the votes (ties go to the answer seen first).
    public var majority: String?
    /// Whether the majority answer is correct.
    public var majorityCorrect: Bool?
    /// `--task math`: how many of the votes gave the majority answer (the variant votes without
    /// listing each answer).
    public var majorityVotes: Int?
    /// `--task math`: how many solutions voted.
    public var voteCount: Int?
    /// `--task code`: each sample's verdict in the sandbox, `passed`, `failed` or `timed_out`.
    public var outcomes: [String]?
    /// The item's subject (MMLU, C-Eval, CMMLU) or problem type (MATH), for the summary tables.
    public var subject: String?
    /// MATH's difficulty level, for the summary tables.
    public var level: String?

    /// A record with the given fields (votes and majority unset).
    public init(id: String, promptHash: String, output: String, extracted: String?, gold: String, correct: Bool,
                subject: String? = nil, level: String? = nil) {
        self.id = id
        self.promptHash = promptHash
        self.output = output
        self.extracted = extracted
        self.gold = gold
        self.correct = correct
        self.subject = subject
        self.level = level
    }

    enum CodingKeys: String, CodingKey {
        case id, output, extracted, gold, correct, votes, majority, outcomes, subject, level
        case promptHash = "prompt_hash"
        case majorityCorrect = "majority_correct"
        case majorityVotes = "majority_votes"
        case voteCount = "vote_count"
    }

    /// The share of votes that agree with the majority answer (nil without votes).
    public var agreement: Double? {
        if let majorityVotes, let voteCount { return Double(majorityVotes) / Double(max(1, voteCount)) }
        guard let votes, !votes.isEmpty, let majority else { return nil }
        return Double(votes.filter { $0 == majority }.count) / Double(votes.count)
    }
}

/// The `--out` file: one ``EvaluationRecord`` per line, appended and flushed as each item finishes, so a
/// killed run can be resumed from it.
public final class EvaluationResultsFile {
    /// The records already in the file, by item id.
    public private(set) var records: [String: EvaluationRecord] = [:]
    private let handle: FileHandle
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Opens `url`: with `resume`, keeps the records it holds (a last line cut short by a kill is dropped);
    /// without, starts it afresh. Throws for a record line that is not valid, naming the file and line.
    public init(_ url: URL, resume: Bool) throws {
        var keep = Data()
        if resume, let data = FileManager.default.contents(atPath: url.path) {
            let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where !line.isEmpty {
                let isLast = index == lines.count - 1
                do {
                    let record = try JSONDecoder().decode(EvaluationRecord.self, from: Data(line))
                    records[record.id] = record
                    keep += line + [UInt8(ascii: "\n")]
                } catch where isLast {
                    break  // a line whose writing was interrupted
                } catch {
                    throw EvaluationError("\(url.path):\(index + 1): not a result record (\(error))")
                }
            }
        }
        guard FileManager.default.createFile(atPath: url.path, contents: keep) else {
            throw EvaluationError("\(url.path): cannot write the results file")
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// The record of `id` already in the file, nil when there is none; throws when it was made with
    /// another `hash` (``RecordHash``: another prompt, model or settings), so runs never mix.
    public func kept(_ id: String, hash: String) throws -> EvaluationRecord? {
        guard let record = records[id] else { return nil }
        guard record.promptHash == hash else {
            throw EvaluationError("the results file holds \(id) for another prompt or settings (model, task or protocol, data, few-shot, seed, votes or samples, chain or token limit changed); remove it or use another --out")
        }
        return record
    }

    /// Appends one record as a line and flushes it.
    public func append(_ record: EvaluationRecord) throws {
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        try handle.write(contentsOf: line)
        records[record.id] = record
    }
}
