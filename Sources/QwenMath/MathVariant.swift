import QwenChat
import ZooCore

/// How a math variant phrases a problem.
public enum MathStyle: String, Sendable, CaseIterable {
    /// Qwen2.5-Math-Instruct chain of thought (QwenLM/Qwen2.5-Math `evaluation/utils.py` prompt type
    /// `qwen25-math-cot`): ChatML, system `Please reason step by step, and put your final answer within \boxed{}.`
    case qwen25MathCoT = "qwen25-math-cot"
    /// Qwen2-Math-Instruct (`qwen-boxed`): system `You are a helpful assistant.`, the instruction after the question.
    case qwenBoxed = "qwen-boxed"
    /// Qwen v1 base models, GSM8K 8-shot (QwenLM/Qwen `eval/evaluate_gsm8k.py`): ``GSM8KPrompt/text`` +
    /// `"\nQuestion: " + q + "\nLet's think step by step\n"`, answer = the last integer.
    case gsm8kFewShot = "gsm8k-fewshot"
}

/// Qwen's math models: chain-of-thought prompts, final-answer extraction and normalisation, and self-consistency
/// (``samplesPerRequest`` solutions, a majority vote over their normalised answers).
///
/// Options: `style` (``MathStyle``, default `qwen25-math-cot`), `votes` (k ≥ 1 sampled solutions, default 1).
public struct MathVariant: ToolCallingVariant {
    public static let optionKeys = ["style", "votes"]
    public static let cotInstruction = #"Please reason step by step, and put your final answer within \boxed{}."#

    public var style: MathStyle
    public var votes: Int

    public init(style: MathStyle = .qwen25MathCoT, votes: Int = 1) {
        precondition(votes >= 1, "votes must be at least 1")
        self.style = style
        self.votes = votes
    }

    public init(options: ComponentOptions) throws {
        try options.rejectUnknownKeys(allowed: Self.optionKeys)
        let style: MathStyle = try options.choice("style", what: "math prompt style") ?? .qwen25MathCoT
        let votes = try options.int("votes") ?? 1
        guard votes >= 1 else { throw options.error("votes", "must be at least 1, found \(votes)") }
        self.init(style: style, votes: votes)
    }

    public var samplesPerRequest: Int { votes }

    /// A plain prompt is a problem to solve.
    public func request(forPrompt prompt: String) -> VariantRequest { .problem(prompt) }

    public func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
        let question: String
        switch request {
        case .problem(let q), .completion(let q): question = q
        case .toolChat:
            guard style == .qwen25MathCoT else {
                throw UnsupportedRequestError(
                    variant: QwenMathVariant.name, message: "tools need style qwen25-math-cot (Qwen2.5-Math-Instruct's template)")
            }
            return try toolTemplate.prepare(request, tokenizer: tokenizer)
        default:
            throw UnsupportedRequestError(
                variant: QwenMathVariant.name, message: "a math variant serves problem requests, not \(request.kind) requests")
        }
        switch style {
        case .gsm8kFewShot:
            guard let eot = tokenizer.specialTokenID("<|endoftext|>") else {
                throw UnsupportedRequestError(variant: QwenMathVariant.name, message: "the tokenizer has no <|endoftext|> token to stop on")
            }
            let text = GSM8KPrompt.text + "\nQuestion: " + question + "\nLet's think step by step\n"
            return PromptPlan(
                tokens: tokenizer.encode(text, specialTokens: .asText), stopTokenIDs: [eot],
                stopStrings: Array(AnswerExtraction.gsm8kStopStrings.dropFirst()))
        case .qwen25MathCoT:
            return try chatML(system: Self.cotInstruction, user: question, tokenizer: tokenizer)
        case .qwenBoxed:
            return try chatML(system: "You are a helpful assistant.", user: question + "\n" + Self.cotInstruction, tokenizer: tokenizer)
        }
    }

    /// Qwen2.5-Math-Instruct's tool calls: the Qwen2.5 template with its default system prompt.
    public func readToolCalls(_ generated: String, for request: ToolChatRequest) -> ToolCallReading {
        toolTemplate.readToolCalls(generated, for: request)
    }

    /// Qwen2.5-Math-Instruct's chat template: Qwen2.5-Instruct's with the chain-of-thought instruction as the default
    /// system prompt.
    private var toolTemplate: ChatVariant { ChatVariant(format: .qwen25, system: Self.cotInstruction) }

    public func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput {
        switch style {
        case .gsm8kFewShot:
            let solution = AnswerExtraction.gsm8kCut(generated)
            let answer = AnswerExtraction.gsm8kV1Answer(in: solution)
            let raw = answer.flatMap { _ in Regex.findAll(#"\d+"#, solution).last }
            return .answer(solution: solution, ExtractedAnswer(answer: raw, normalized: answer))
        case .qwen25MathCoT, .qwenBoxed:
            let raw = AnswerExtraction.rawAnswer(in: generated)
            let normalized = raw.map(AnswerExtraction.normalize)
            return .answer(solution: generated, ExtractedAnswer(answer: raw, normalized: normalized?.isEmpty == false ? normalized : nil))
        }
    }

    /// The majority vote of QwenLM/Qwen2.5-Math `rm_maj_eval.py` (`Counter.most_common`, ties to the answer seen
    /// first) over the normalised answers; solutions without an answer vote for "no answer", as their empty
    /// prediction does there. The winner is the first solution with the winning answer; `votes`/`samples` report
    /// the agreement.
    public func aggregate(_ outputs: [VariantOutput]) -> VariantOutput {
        var solutions: [(String, ExtractedAnswer)] = []
        for output in outputs {
            switch output {
            case .answer(let solution, let answer): solutions.append((solution, answer))
            case .text(let t), .code(let t): solutions.append((t, ExtractedAnswer(answer: nil, normalized: nil)))
            }
        }
        guard let (index, count) = AnswerExtraction.majority(solutions.map { $0.1.normalized ?? "" }) else {
            return outputs.first ?? .answer(solution: "", ExtractedAnswer(answer: nil, normalized: nil, votes: 0, samples: 0))
        }
        var winner = solutions[index].1
        winner.votes = count
        winner.samples = solutions.count
        return .answer(solution: solutions[index].0, winner)
    }

    /// The Qwen2.5 chat template with an explicit system prompt: `<|im_start|>system\n{system}<|im_end|>\n`
    /// `<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n`; the question is encoded as text.
    private func chatML(system: String, user: String, tokenizer: any Tokenizer) throws -> PromptPlan {
        guard let start = tokenizer.specialTokenID("<|im_start|>"), let end = tokenizer.specialTokenID("<|im_end|>") else {
            throw UnsupportedRequestError(
                variant: QwenMathVariant.name,
                message: "style \(style.rawValue) needs a ChatML tokenizer (<|im_start|>, <|im_end|>); use gsm8k-fewshot for a base model")
        }
        let nl = tokenizer.encode("\n", specialTokens: .asText)
        let tokens = [start] + tokenizer.encode("system\n" + system, specialTokens: .asText) + [end] + nl
            + [start] + tokenizer.encode("user\n" + user, specialTokens: .asText) + [end] + nl
            + [start] + tokenizer.encode("assistant\n", specialTokens: .asText)
        // Qwen2.5-Math evaluation stops on ids [151645, 151643]: <|im_end|>, <|endoftext|>.
        var stops: Set<Int> = [end]
        if let eot = tokenizer.specialTokenID("<|endoftext|>") { stops.insert(eot) }
        return PromptPlan(tokens: tokens, stopTokenIDs: stops)
    }
}

/// Registration of the math variant under the name manifests use.
public enum QwenMathVariant {
    public static let name = "math"

    public static func register(into registry: Registry<VariantFactory>) {
        registry.register(name) { options in try MathVariant(options: options) }
    }
}
