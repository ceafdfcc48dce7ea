import Foundation

extension Manifest {
    /// Where a manifest's generation runs.
    public enum Engine: Sendable, Equatable {
        /// In this process, on the manifest's weights (the default).
        case local
        /// On a remote OpenAI-compatible server; the weights are not loaded here.
        case openai(RemoteEngine)
    }

    /// `engine: {kind: openai, url, model, api_key_env, max_concurrency, timeout, prompt}`.
    public struct RemoteEngine: Sendable, Equatable {
        /// The server's base URL, e.g. `http://gpu-node:8000` (`engine.url`, required).
        public var url: String
        /// The model id the server serves (`engine.model`, required).
        public var model: String
        /// The environment variable holding the API key (`engine.api_key_env`); `nil` sends none.
        public var apiKeyEnvironmentVariable: String?
        /// Requests in flight at once (`engine.max_concurrency`, default 8).
        public var maxConcurrency: Int
        /// Seconds to wait for a connection, an answer or the next byte of a stream (`engine.timeout`, default 60).
        public var timeout: Double
        /// `ids` (default: token ids, the remote never re-tokenizes the prompt) or `text` (`engine.prompt`).
        public var prompt: String

        /// A remote engine as a manifest describes it.
        public init(url: String, model: String, apiKeyEnvironmentVariable: String? = nil, maxConcurrency: Int = 8,
                    timeout: Double = 60, prompt: String = "ids") {
            self.url = url
            self.model = model
            self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
            self.maxConcurrency = maxConcurrency
            self.timeout = timeout
            self.prompt = prompt
        }
    }

    static func engine(_ node: ManifestNode?) throws -> Engine {
        guard let node else { return .local }
        if case .string(let kind) = node.value {
            guard kind == "local" else {
                throw ManifestError(origin: node.origin, field: "engine",
                                    message: kind == "openai" ? "an openai engine needs url and model: engine: {kind: openai, url: http://host:8000, model: …}"
                                        : "\"\(kind)\" is not one of local, openai" + didYouMean(kind, in: ["local", "openai"]))
            }
            return .local
        }
        let e = try FieldReader(node, path: "engine")
        let kind = try e.string("kind") ?? "local"
        try e.check(kind, in: ["local", "openai"], key: "kind")
        if kind == "local" {
            try e.rejectUnknownKeys(["kind"])
            return .local
        }
        try e.rejectUnknownKeys(["kind", "url", "model", "api_key_env", "max_concurrency", "timeout", "prompt"])
        let url = try e.requiredString("url")
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw e.error("url", "expected an http(s) URL such as http://gpu-node:8000, found \"\(url)\"")
        }
        let model = try e.requiredString("model")
        guard !model.isEmpty else { throw e.error("model", "the model id is empty") }
        let keyVariable = try e.string("api_key_env")
        if let keyVariable, keyVariable.isEmpty || keyVariable.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw e.error("api_key_env", "expected the name of an environment variable, e.g. VLLM_API_KEY")
        }
        var timeout = 60.0
        if let t = e.node("timeout") {
            guard case .number(let seconds) = t.value, seconds > 0 else {
                throw e.error("timeout", "expected a positive number of seconds, found \(t.typeName)")
            }
            timeout = seconds
        }
        let prompt = try e.string("prompt") ?? "ids"
        try e.check(prompt, in: ["ids", "text"], key: "prompt")
        return .openai(RemoteEngine(url: url, model: model, apiKeyEnvironmentVariable: keyVariable,
                                    maxConcurrency: try e.positiveInt("max_concurrency") ?? 8, timeout: timeout, prompt: prompt))
    }
}
