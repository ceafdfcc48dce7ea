import Foundation

/// Where the Hub is, who we are to it, and where its files are cached: read from the same
/// environment variables as `huggingface_hub`, so both tools share one cache and one login.
public struct HubSettings: Sendable {
    /// The Hub or a mirror (`HF_ENDPOINT`, default `https://huggingface.co`), without a trailing slash.
    public var endpoint: String
    /// The access token for gated and private repositories: `HF_TOKEN`, else the file
    /// `huggingface-cli login` writes (`HF_TOKEN_PATH`, default `$HF_HOME/token`).
    public var token: String?
    /// The hub cache (`HF_HUB_CACHE`, default `$HF_HOME/hub`; `HF_HOME` defaults to
    /// `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`).
    public var cacheRoot: URL

    /// Settings read from `environment` (default: the process environment).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        func expanded(_ path: String) -> URL {
            URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL
        }
        var endpoint = value("HF_ENDPOINT") ?? "https://huggingface.co"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        let home = value("HF_HOME").map(expanded)
            ?? expanded(value("XDG_CACHE_HOME") ?? "~/.cache").appendingPathComponent("huggingface")
        cacheRoot = value("HF_HUB_CACHE").map(expanded) ?? home.appendingPathComponent("hub")
        let tokenFile = value("HF_TOKEN_PATH").map(expanded) ?? home.appendingPathComponent("token")
        token = value("HF_TOKEN")
            ?? (try? String(contentsOf: tokenFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
    }

    /// Settings with every value given.
    public init(endpoint: String, token: String?, cacheRoot: URL) {
        self.endpoint = endpoint
        self.token = token
        self.cacheRoot = cacheRoot
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
