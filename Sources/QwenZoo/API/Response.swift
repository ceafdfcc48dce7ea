/// One event of a streamed response, in order: text chunks (and token ids, when asked for) as
/// they are generated, then ``done(_:)`` once.
public enum GenerationEvent: Sendable, Equatable {
    /// The next piece of output text. Chunks never split a UTF-8 character, and text that might
    /// be the start of a stop string is held back until it is known not to be one.
    case text(String)
    /// The id just generated (only with ``GenerationOptions/includeTokenIDs``), stop ids included.
    case token(Int)
    /// The last event: the whole response, with its usage and timing.
    case done(Response)
}

/// Token counts of one request.
public struct TokenUsage: Sendable, Equatable {
    /// The ids of the rendered prompt.
    public var promptTokens: Int
    /// Prompt ids taken from the session's cache rather than computed (the first sample's).
    public var cachedPromptTokens: Int
    /// Generated ids, over every sample of the request.
    public var generatedTokens: Int

    /// Counts as a session reports them.
    public init(promptTokens: Int, cachedPromptTokens: Int, generatedTokens: Int) {
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.generatedTokens = generatedTokens
    }
}

/// Where the time of one request went.
public struct GenerationTiming: Sendable, Equatable {
    /// From the start of the request (once the session was free) to the first generated id:
    /// prompt rendering, prefill and the first sampling step.
    public var timeToFirstToken: Duration
    /// The whole request, every sample included.
    public var total: Duration
    /// Ids generated after the first one, per second of the time after it (0 with one id).
    public var tokensPerSecond: Double

    /// Timings as a session measures them.
    public init(timeToFirstToken: Duration, total: Duration, tokensPerSecond: Double) {
        self.timeToFirstToken = timeToFirstToken
        self.total = total
        self.tokensPerSecond = tokensPerSecond
    }
}

/// The answer to one request of a ``Session`` or ``ChatSession``.
public struct Response: Sendable, Equatable {
    /// The output text of the first sample (stop ids and stop strings removed).
    public var text: String
    /// What the variant made of the samples: text, code, or a worked solution with its answer.
    public var output: VariantOutput
    /// Every sample; more than one when the variant votes (self-consistency).
    public var samples: [GeneratedSample]
    /// Why the first sample ended.
    public var finishReason: FinishReason { samples[0].finishReason }
    /// The rendered prompt's ids.
    public var promptTokens: [Int]
    /// Prompt, cached and generated token counts.
    public var usage: TokenUsage
    /// Time to the first token, total time and decoding speed.
    public var timing: GenerationTiming
    /// Things the user should know, e.g. a prompt truncated to fit the context, or a tool call that did not
    /// parse or whose arguments do not match the tool's schema.
    public var warnings: [String]
    /// The tools the reply calls, in order (only in a conversation with tools; see <doc:ToolCalling>).
    public var toolCalls: [ToolCall] = []
    /// The reply's text without the markup of its tool calls (equal to ``text`` when it calls none).
    public var content: String

    /// A response of `samples` (at least one), the first of which gave `text`.
    public init(text: String, output: VariantOutput, samples: [GeneratedSample], promptTokens: [Int],
                usage: TokenUsage, timing: GenerationTiming, warnings: [String] = []) {
        precondition(!samples.isEmpty, "a response has at least one sample")
        self.text = text
        self.output = output
        self.samples = samples
        self.promptTokens = promptTokens
        self.usage = usage
        self.timing = timing
        self.warnings = warnings
        content = text
    }
}

/// Code from a code variant: a completion or an infill.
public struct CodeResponse: Sendable, Equatable {
    /// The code (for an infill, what belongs between the prefix and the suffix).
    public var code: String
    /// The full response.
    public var response: Response
}

/// A worked solution from a math variant and its final answer.
public struct AnswerResponse: Sendable, Equatable {
    /// The first sample's solution text.
    public var solution: String
    /// The final answer (the last `\boxed{…}`), with the votes it got when the variant samples
    /// several solutions.
    public var answer: ExtractedAnswer
    /// The full response.
    public var response: Response
}

/// Why a session could not serve a request.
public enum SessionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The variant's output did not have the kind the typed call expects (e.g. ``Session/solve(_:options:)``
    /// on a manifest whose variant writes plain text).
    case unexpectedOutput(expected: String, variant: String)

    /// The message to show a user.
    public var description: String {
        switch self {
        case .unexpectedOutput(let expected, let variant):
            "the manifest's variant \"\(variant)\" does not produce \(expected); use a manifest with a matching variant"
        }
    }
}
