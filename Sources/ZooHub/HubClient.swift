import Foundation
import ZooHTTP

/// A repository's files at one commit, from `GET /api/models/{repo}/revision/{revision}?blobs=true`.
public struct HubRepoInfo: Sendable {
    /// The commit the revision points at (`sha`).
    public var commit: String
    /// Every file of the commit (`siblings`).
    public var files: [HubFile]
}

/// One file of a repository, as the Hub API lists it.
public struct HubFile: Sendable, Equatable {
    /// The path in the repository (`rfilename`), e.g. `model.safetensors` or `onnx/model.onnx`.
    public var name: String
    /// Its size in bytes, when the API gives it.
    public var size: Int64?
    /// The sha256 of an LFS file's content (`lfs.sha256`); `nil` for a file kept in git.
    public var lfsSHA256: String?
}

/// What the Hub says of one file before it is fetched (the headers of `HEAD /{repo}/resolve/{commit}/{file}`).
public struct HubFileMetadata: Sendable {
    /// `X-Repo-Commit`.
    public var commit: String
    /// `X-Linked-Etag`, else `ETag`, unquoted: the blob's name in the cache.
    public var etag: String
    /// `X-Linked-Size`, else `Content-Length`.
    public var size: Int64?
    /// Where the bytes are (the redirect's `Location`, e.g. a CDN), or the resolve URL itself.
    public var downloadURL: String
}

/// The Hub's HTTP API, as much of it as a download needs.
public struct HubClient: Sendable {
    /// Endpoint, token and cache.
    public var settings: HubSettings
    /// The HTTP layer.
    public var transport: HTTPTransport

    /// A client of the Hub `settings` name.
    public init(settings: HubSettings, transport: HTTPTransport = HTTPTransport()) {
        self.settings = settings
        self.transport = transport
    }

    var authorization: [(name: String, value: String)] {
        settings.token.map { [("Authorization", "Bearer \($0)")] } ?? []
    }

    /// The commit and file list of `revision`.
    public func repoInfo(_ repo: HubRepoID, revision: String) async throws -> HubRepoInfo {
        let url = "\(settings.endpoint)/api/models/\(repo.id)/revision/\(Self.escape(revision))?blobs=true"
        let response = try await transport.send(HTTPRequest(url: url, headers: authorization))
        let body = try await response.collect(limit: 64 << 20)
        try check(response.head, body: body, repo: repo, revision: revision, file: nil)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw HubError.malformed(url: url, reason: "the body is not a JSON object")
        }
        guard let commit = object["sha"] as? String, HubCache.isCommit(commit) else {
            throw HubError.malformed(url: url, reason: "no commit id (\"sha\")")
        }
        guard let siblings = object["siblings"] as? [[String: Any]] else {
            throw HubError.malformed(url: url, reason: "no file list (\"siblings\")")
        }
        let files = try siblings.map { sibling -> HubFile in
            guard let name = sibling["rfilename"] as? String, Self.isSafeRelativePath(name) else {
                throw HubError.malformed(url: url, reason: "a file without a usable name (\"rfilename\")")
            }
            let lfs = sibling["lfs"] as? [String: Any]
            let size = (lfs?["size"] as? NSNumber ?? sibling["size"] as? NSNumber)?.int64Value
            return HubFile(name: name, size: size, lfsSHA256: lfs?["sha256"] as? String)
        }
        return HubRepoInfo(commit: commit, files: files)
    }

    /// The headers of `file` at `commit`: its commit, ETag, size and where its bytes are.
    public func metadata(_ repo: HubRepoID, commit: String, file: String) async throws -> HubFileMetadata {
        let url = resolveURL(repo, revision: commit, file: file)
        // A redirect to the CDN carries X-Linked-Etag and X-Linked-Size itself and says where the bytes
        // are; one within the Hub's host (a renamed repository) is followed, as huggingface_hub does.
        var request = HTTPRequest(url: url, method: "HEAD", headers: authorization + [("Accept-Encoding", "identity")])
        var response = try await transport.send(request, followingRedirects: 0)
        var hops = 0
        while response.head.isRedirect, let location = response.head.header("Location"), let next = request.resolving(location),
              request.isSameOrigin(as: next), hops < 5 {
            request.url = next
            response = try await transport.send(request, followingRedirects: 0)
            hops += 1
        }
        let head = response.head
        if !head.isRedirect { try check(head, body: [], repo: repo, revision: commit, file: file) }
        guard let repoCommit = head.header("X-Repo-Commit") else {
            throw HubError.malformed(url: request.url, reason: "no X-Repo-Commit header (is HF_ENDPOINT a Hugging Face Hub or mirror?)")
        }
        guard let rawTag = head.header("X-Linked-Etag") ?? head.header("ETag") else {
            throw HubError.malformed(url: request.url, reason: "no ETag header")
        }
        let etag = Self.normalizeETag(rawTag)
        guard !etag.isEmpty, !etag.contains("/"), etag != ".", etag != ".." else {
            throw HubError.malformed(url: request.url, reason: "an unusable ETag \(rawTag)")
        }
        let size = (head.header("X-Linked-Size") ?? head.header("Content-Length")).flatMap { Int64($0) }
        let location = head.isRedirect ? head.header("Location").flatMap { request.resolving($0) } : nil
        return HubFileMetadata(commit: repoCommit, etag: etag, size: size, downloadURL: location ?? request.url)
    }

    /// `{endpoint}/{repo}/resolve/{revision}/{file}`.
    public func resolveURL(_ repo: HubRepoID, revision: String, file: String) -> String {
        "\(settings.endpoint)/\(repo.id)/resolve/\(Self.escape(revision))/\(file.split(separator: "/").map { Self.escape(String($0)) }.joined(separator: "/"))"
    }

    /// `W/"abc"` and `"abc"` → `abc`.
    static func normalizeETag(_ tag: String) -> String {
        var text = Substring(tag.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }

    /// A repository path that stays inside the snapshot folder.
    static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
    }

    /// Turns a refusal into a ``HubError`` from the Hub's `X-Error-Code` (as `huggingface_hub` reads it).
    func check(_ head: HTTPHead, body: [UInt8], repo: HubRepoID, revision: String, file: String?) throws {
        guard !(200..<300).contains(head.status) else { return }
        let code = head.header("X-Error-Code")
        let message = head.header("X-Error-Message") ?? Self.jsonError(body) ?? ""
        let hasToken = settings.token != nil
        switch code {
        case "GatedRepo": throw HubError.gated(repo: repo.id, hasToken: hasToken, endpoint: settings.endpoint)
        case "RepoNotFound": throw HubError.repositoryNotFound(repo: repo.id, hasToken: hasToken)
        case "RevisionNotFound": throw HubError.revisionNotFound(repo: repo.id, revision: revision)
        case "EntryNotFound": throw HubError.fileNotFound(repo: repo.id, file: file ?? "?", suggestion: nil)
        default: break
        }
        if head.status == 401 || (head.status == 404 && file == nil) {
            throw HubError.repositoryNotFound(repo: repo.id, hasToken: hasToken)
        }
        if head.status == 403, message.lowercased().contains("gated") {
            throw HubError.gated(repo: repo.id, hasToken: hasToken, endpoint: settings.endpoint)
        }
        throw HubError.refused(url: head.url, status: head.status, message: message)
    }

    private static func jsonError(_ body: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
    }
}
