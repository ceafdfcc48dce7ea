/// Where a remote OpenAI-compatible engine is and how to talk to it (a manifest's
/// `engine: {kind: openai, url, model, api_key_env, max_concurrency, timeout, prompt}`).
public struct OpenAIEndpoint: Sendable, Equatable {
    /// How the rendered prompt is sent.
    public enum PromptForm: String, Sendable, CaseIterable {
        /// Token ids (`"prompt": [9707, 1879]`), which vLLM and llama-server accept: the remote's own
        /// chat template and tokenizer never touch the prompt.
        case ids
        /// The prompt's text, for servers that accept text only; the remote tokenizes it.
        case text
    }

    /// The server's base URL, e.g. `http://gpu-node:8000` (a trailing `/v1` is allowed).
    public var url: String
    /// The model id the server serves (`model` in every request).
    public var model: String
    /// Sent as `Authorization: Bearer …`; `nil` sends none.
    public var apiKey: String?
    /// The most requests in flight at once (a request with `n` samples counts once).
    public var maxConcurrency: Int
    /// Seconds to wait for a connection, for the answer to start, and between two bytes of a stream;
    /// also the most a busy server's `Retry-After` may make a request wait.
    public var timeout: Double
    /// Ids (default) or text.
    public var prompt: PromptForm

    /// An endpoint at `url` serving `model`.
    public init(url: String, model: String, apiKey: String? = nil, maxConcurrency: Int = 8, timeout: Double = 60,
                prompt: PromptForm = .ids) {
        self.url = url
        self.model = model
        self.apiKey = apiKey
        self.maxConcurrency = maxConcurrency
        self.timeout = timeout
        self.prompt = prompt
    }

    /// `url` without a trailing slash or `/v1`.
    public var base: String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/v1") { text.removeLast(3) }
        return text
    }

    /// `{base}/v1/completions`.
    public var completionsURL: String { base + "/v1/completions" }
    /// `{base}/v1/models`.
    var modelsURL: String { base + "/v1/models" }
}
