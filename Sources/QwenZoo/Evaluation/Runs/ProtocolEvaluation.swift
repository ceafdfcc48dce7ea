import Foundation
import QwenMath
import ZooCore
import ZooSamplers

/// Runs a benchmark under a named ``EvaluationProtocol``: builds each prompt as Qwen's script does,
/// generates greedily (and K sampled votes with `votes` > 1), reads the answer, and records the verdict.
/// Item i uses seed + 1000·i (vote v: + v), so a resumed run gives the numbers of an uninterrupted one.
public struct ProtocolEvaluation: Sendable {
    /// The protocol.
    public var evaluationProtocol: EvaluationProtocol
    /// Sampled solutions per item for self-consistency (maj@K); 1 runs greedy decoding only.
    public var votes: Int
    /// The chain that samples the votes (default temperature 0.7, top-p 0.95); the greedy answer uses none.
    public var votingChain: [SamplerStageSpec]
    /// The base seed.
    public var seed: UInt64
    /// The most tokens per answer; nil takes the manifest's `max_tokens`, then 512 (Qwen's generation config).
    public var maxTokens: Int?
    /// Few-shot rows (the dev split) by subject, for the 5-shot choice protocols.
    public var fewShot: [String: [ChoiceRow]]
    /// Where code protocols run the completed programs.
    public var sandbox: CodeSandbox
    /// Items in flight at once (`--concurrency`), to keep a remote engine busy; records are still
    /// written in item order.
    public var concurrency = 1

    /// A run of `evaluationProtocol`; a nil `votingChain` keeps ``SamplerSpecDefaults/voting``.
    public init(_ evaluationProtocol: EvaluationProtocol, votes: Int = 1, votingChain: [SamplerStageSpec]? = nil, seed: UInt64 = 0,
                maxTokens: Int? = nil, fewShot: [String: [ChoiceRow]] = [:], sandbox: CodeSandbox = CodeSandbox()) {
        self.evaluationProtocol = evaluationProtocol
        self.votes = votes
        self.votingChain = votingChain ?? SamplerSpecDefaults.voting
        self.seed = seed
        self.maxTokens = maxTokens
        self.fewShot = fewShot
        self.sandbox = sandbox
    }

    /// Evaluates `items` in order. An item already in `results` (same id and prompt) is not run again;
    /// each new record is appended to `results` as it is made. Throws ``EvaluationError`` for an item the
    /// protocol cannot ask, a model it cannot run on, or a results file written for other prompts.
    public func run(_ zoo: LoadedModel, items: [BenchmarkItem], results: EvaluationResultsFile? = nil,
                    progress: EvaluationProgress = { _, _ in }) throws -> EvaluationSummary {
        try checkSettings()
        if evaluationProtocol.kind == .code { try sandbox.preflight() }
        // Every prompt and what the results file already holds, before any item runs.
        var pending: [(item: BenchmarkItem, prompt: ProtocolPrompt, hash: String, seed: UInt64, done: EvaluationRecord?)] = []
        for (index, item) in items.enumerated() {
            let prompt = try self.prompt(for: item, zoo: zoo)
            let itemSeed = seed &+ UInt64(index) &* 1000
            let settings = RecordHash.settings(zoo, votes: votes, chain: votingChain, maxTokens: maxTokens, seed: itemSeed)
            let hash = RecordHash.of(run: evaluationProtocol.rawValue, settings: settings, tokens: prompt.plan.tokens)
            pending.append((item, prompt, hash, itemSeed, try results?.kept(item.id, hash: hash)))
        }
        var records: [EvaluationRecord] = []
        let plan = pending
        try OrderedConcurrentWork<(EvaluationRecord, isNew: Bool)>(concurrency: concurrency).run(count: plan.count) { index in
            let entry = plan[index]
            if let done = entry.done { return (done, false) }
            return (try evaluate(entry.item, prompt: entry.prompt, hash: entry.hash, zoo: zoo, seed: entry.seed), true)
        } deliver: { index, result in
            if result.isNew { try results?.append(result.0) }
            records.append(result.0)
            progress(index + 1, items.count)
        }
        return EvaluationSummary(protocolName: evaluationProtocol.rawValue, records: records, votes: votes)
    }

    private func checkSettings() throws {
        if votes > 1, evaluationProtocol.scoresLetters || evaluationProtocol.kind == .code {
            throw EvaluationError("--votes needs a protocol that generates answers; \(evaluationProtocol.rawValue) \(evaluationProtocol.kind == .code ? "runs code (use --task code --samples N for pass@k)" : "scores the letters")")
        }
    }

    // MARK: Prompts

    func prompt(for item: BenchmarkItem, zoo: LoadedModel) throws -> ProtocolPrompt {
        switch (evaluationProtocol, item.content) {
        case (.qwenGSM8K, .problem(let question, _, _)):
            return .completion(QwenGSM8K.prompt(question: question), cuts: QwenGSM8K.cuts, zoo: zoo)
        case (.qwenChatGSM8K, .problem(let question, _, _)):
            return try .chat(QwenChatGSM8K.prompt(question: question), zoo: zoo)
        case (.qwen25Math, .problem(let question, _, _)):
            guard zoo.manifest.variant.name == "math" else {
                throw EvaluationError("qwen2.5-math prompts with a math variant (variant: math); \(zoo.manifest.name) has variant \(zoo.manifest.variant.name)")
            }
            let plan = try zoo.plan(.problem(question))
            return ProtocolPrompt(text: try zoo.tokenizer.decode(plan.tokens), plan: plan)
        case (.qwenHumanEval, .code(let prompt, _, _)):
            return .completion(prompt, cuts: QwenHumanEval.cuts, zoo: zoo)
        case (.qwenChatHumanEval, .code(let prompt, let entryPoint?, _)):
            guard let text = QwenHumanEval.chatPrompt(prompt: prompt, entryPoint: entryPoint) else {
                throw EvaluationError("\(item.id): the prompt has no \"def \(entryPoint)…:\" line with a docstring, which qwen-chat-humaneval needs")
            }
            return try .chat(text, zoo: zoo)
        case (.qwenChatMMLU, .choice(let row)):
            return try .chat(QwenMultipleChoice.chatPrompt(row), zoo: zoo)
        case (.qwenChatCEval, .choice(let row)):
            return try .chat(QwenChatCEval.prompt(row), zoo: zoo)
        case (.qwenMMLU, .choice(let row)), (.qwenCEval, .choice(let row)), (.qwenCMMLU, .choice(let row)):
            let text = QwenMultipleChoice.prompt(row, dev: try shots(for: item), subject: item.subject ?? "", style: evaluationProtocol.choiceStyle)
            var tokens = zoo.tokenizer.encode(text, specialTokens: .asText)
            if evaluationProtocol == .qwenMMLU, tokens.count > QwenMultipleChoice.mmluMaxSequenceLength {
                tokens = Array(tokens.suffix(QwenMultipleChoice.mmluMaxSequenceLength - 1))
            }
            return ProtocolPrompt(text: text, plan: PromptPlan(tokens: tokens, stopTokenIDs: []))
        default:
            throw EvaluationError("\(item.id): \(evaluationProtocol.rawValue) cannot ask this kind of item (\(kindName(item)))")
        }
    }

    private func shots(for item: BenchmarkItem) throws -> [ChoiceRow] {
        if let rows = fewShot[item.subject ?? ""] { return rows }
        if fewShot.count == 1 { return fewShot.first!.value }
        if fewShot.isEmpty {
            throw EvaluationError("\(evaluationProtocol.rawValue) is 5-shot: give the dev split with --fewshot FILE or DIR")
        }
        throw EvaluationError("\(item.id): --fewshot has no dev rows for subject \"\(item.subject ?? "")\"")
    }

    private func kindName(_ item: BenchmarkItem) -> String {
        switch item.content {
        case .problem: "a word problem"
        case .code(_, let entry, _): entry == nil ? "a code problem without an entry point" : "a code problem"
        case .choice: "a multiple-choice question"
        }
    }

    // MARK: Answers

    private func evaluate(_ item: BenchmarkItem, prompt: ProtocolPrompt, hash: String, zoo: LoadedModel, seed: UInt64) throws
        -> EvaluationRecord
    {
        let context = zoo.model.contextLength
        guard prompt.plan.tokens.count < context else {
            throw EvaluationError("\(item.id): the \(evaluationProtocol.rawValue) prompt has \(prompt.plan.tokens.count) tokens but \(zoo.manifest.name)'s context holds \(context)")
        }
        var record = EvaluationRecord(
            id: item.id, promptHash: hash, output: "", extracted: nil, gold: gold(item), correct: false,
            subject: item.subject, level: item.level)
        if evaluationProtocol.scoresLetters {
            let letter = try bestLetter(prompt.plan.tokens, zoo: zoo)
            (record.output, record.extracted) = (letter, letter)
            record.correct = letter == record.gold
            return record
        }
        let limit = maxTokens ?? zoo.manifest.maxTokens ?? 512
        let greedy = try zoo.samples(prompt.plan, stages: [], seed: seed, maxTokens: limit)[0]
        let (output, extracted) = read(greedy.text, item)
        (record.output, record.extracted) = (output, extracted)
        record.correct = try judge(extracted, output: output, item)
        if votes > 1 {
            // Vote v is seeded with seed + v: one request with n = votes on a remote engine.
            let answers = try zoo.samples(prompt.plan, stages: votingChain, seed: seed, maxTokens: limit, count: votes)
                .map { read($0.text, item).extracted ?? "" }
            let winner = AnswerExtraction.majority(answers).map { answers[$0.index] } ?? ""
            record.votes = answers
            record.majority = winner
            record.majorityCorrect = try judge(winner.isEmpty ? nil : winner, output: "", item)
        }
        return record
    }

    /// What the protocol keeps of a generated text, and the answer it reads there.
    private func read(_ text: String, _ item: BenchmarkItem) -> (output: String, extracted: String?) {
        switch evaluationProtocol {
        case .qwenGSM8K:
            let cut = QwenGSM8K.cut(text)
            return (cut, QwenGSM8K.extract(cut))
        case .qwenChatGSM8K:
            return (text, QwenChatGSM8K.extract(text))
        case .qwen25Math:
            let answer = AnswerExtraction.normalizedAnswer(in: text)
            return (text, answer.isEmpty ? nil : answer)
        case .qwenHumanEval:
            return (QwenHumanEval.cut(text), nil)
        case .qwenChatHumanEval:
            guard case .code(_, let entry?, _) = item.content else { return (text, nil) }
            return (QwenHumanEval.extractCode(text, entryPoint: entry), nil)
        case .qwenChatMMLU:
            guard case .choice(let row) = item.content else { return (text, nil) }
            return (text, QwenMultipleChoice.chatAnswer(text, row: row))
        case .qwenChatCEval:
            guard case .choice(let row) = item.content else { return (text, nil) }
            return (text, QwenChatCEval.answer(text, row: row))
        case .qwenMMLU, .qwenCEval, .qwenCMMLU:
            return (text, nil)
        }
    }

    /// Whether `extracted` (or, for code, the program completed by `output`) is correct, as the script judges.
    private func judge(_ extracted: String?, output: String, _ item: BenchmarkItem) throws -> Bool {
        switch (evaluationProtocol, item.content) {
        case (.qwenGSM8K, .problem(_, let solution, let gold)):
            return QwenGSM8K.isCorrect(answer: extracted, solution: Self.gsm8kSolution(solution, gold: gold))
        case (.qwenChatGSM8K, .problem(_, let solution, let gold)):
            return QwenChatGSM8K.isCorrect(answer: extracted, solution: Self.gsm8kSolution(solution, gold: gold))
        case (.qwen25Math, .problem(_, _, let gold)):
            return MathEvaluation.isCorrect(extracted, gold: gold)
        case (.qwenChatMMLU, .choice(let row)), (.qwenChatCEval, .choice(let row)):
            return extracted == row.answer
        case (_, .code(let prompt, let entryPoint, let test)):
            var program = prompt + output + "\n" + test + "\n"
            if let entryPoint { program += "check(\(entryPoint))\n" }
            return try sandbox.run(program) == .passed
        default:
            return false
        }
    }

    /// A GSM8K solution as the scripts read it; the harness's bare answers become `#### answer`.
    static func gsm8kSolution(_ solution: String, gold: String) -> String {
        solution.contains("####") ? solution : "#### " + gold
    }

    private func gold(_ item: BenchmarkItem) -> String {
        switch item.content {
        case .problem(_, let solution, let gold):
            if evaluationProtocol == .qwenGSM8K { return QwenGSM8K.gold(Self.gsm8kSolution(solution, gold: gold)) ?? gold }
            return gold
        case .code: return "tests pass"
        case .choice(let row): return row.answer
        }
    }

    /// The letter whose scored token has the highest logit after the prompt (ties to the first, as
    /// `np.argmax`); the letters must be single tokens, as in Qwen's vocabulary.
    private func bestLetter(_ tokens: [Int], zoo: LoadedModel) throws -> String {
        let letters = evaluationProtocol.choiceStyle.scoredLetters
        let ids = letters.map { zoo.tokenizer.encode($0, specialTokens: .asText) }
        guard ids.allSatisfy({ $0.count == 1 }) else {
            throw EvaluationError("\(evaluationProtocol.rawValue) scores the tokens \(letters.map { "\"\($0)\"" }.joined(separator: ", ")), which are not single tokens in \(zoo.manifest.name)'s vocabulary")
        }
        let logits = try zoo.model.forward(tokens, cache: zoo.model.makeCache(capacity: tokens.count), logits: .last).last
        let scores = ids.map { logits[logits.startIndex + $0[0]] }
        var best = 0
        for i in scores.indices where scores[i] > scores[best] { best = i }
        return QwenMultipleChoice.letters[best]
    }
}
