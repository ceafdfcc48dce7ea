import Foundation
import ZooCore
import ZooHTTP

/// What ``HubPull/pull(_:revision:file:progress:)`` left in the cache.
public struct HubPullResult: Sendable {
    /// The commit the revision resolved to.
    public var commit: String
    /// `snapshots/<commit>`: the folder to load (or the file, when one was asked for).
    public var snapshot: URL
    /// Files fetched now.
    public var downloaded: [String]
    /// Files that were already in the cache.
    public var reused: [String]
}

/// Fetches a repository (or one file of it) into the Hugging Face cache, as `huggingface_hub`'s
/// `snapshot_download` would, and skips what is already there.
public struct HubPull: Sendable {
    /// The Hub API.
    public var client: HubClient

    /// A pull through `client`.
    public init(client: HubClient) {
        self.client = client
    }

    /// Weight formats the zoo does not read; a repository with safetensors skips them (PyTorch
    /// `.bin` copies of the same weights, ONNX exports…).
    static let otherWeightFormats = [".bin", ".pt", ".pth", ".h5", ".msgpack", ".onnx", ".ot", ".gguf", ".mlmodel", ".tflite"]

    /// Which files of a listing a pull fetches: `file` alone when given, else every file but the
    /// weight formats the zoo does not read (when the repository has safetensors).
    public static func select(_ files: [HubFile], file: String?, repo: String) throws -> [HubFile] {
        if let file {
            guard let match = files.first(where: { $0.name == file }) else {
                let ggufs = files.map(\.name).filter { $0.hasSuffix(".gguf") }
                throw HubError.fileNotFound(repo: repo, file: file, suggestion: closestMatch(to: file, in: ggufs.isEmpty ? files.map(\.name) : ggufs))
            }
            return [match]
        }
        guard files.contains(where: { $0.name.hasSuffix(".safetensors") }) else { return files }
        return files.filter { file in !otherWeightFormats.contains { file.name.hasSuffix($0) } }
    }

    /// Fetches `repo` at `revision` into the cache; returns the snapshot.
    public func pull(_ repo: HubRepoID, revision: String, file: String?, progress: any HubProgress) async throws -> HubPullResult {
        let cache = HubCache(repo: repo, cacheRoot: client.settings.cacheRoot)
        let info = try await client.repoInfo(repo, revision: revision)
        let wanted = try Self.select(info.files, file: file, repo: repo.id)
        let download = BlobDownload(transport: client.transport, headers: client.authorization)
        var downloaded: [String] = [], reused: [String] = []
        for entry in wanted {
            if cache.hasFile(entry.name, commit: info.commit) {
                reused.append(entry.name)
                progress.finished(entry.name, downloaded: false)
                continue
            }
            let metadata = try await client.metadata(repo, commit: info.commit, file: entry.name)
            guard metadata.commit == info.commit else {
                throw HubError.malformed(url: client.resolveURL(repo, revision: info.commit, file: entry.name),
                                         reason: "X-Repo-Commit is \(metadata.commit), the API said \(info.commit)")
            }
            // An LFS file's ETag is its sha256; a mismatch means a mirror that serves other bytes.
            if let sha = entry.lfsSHA256, sha.lowercased() != metadata.etag.lowercased() {
                throw HubError.malformed(url: metadata.downloadURL, reason: "the ETag of \(entry.name) is \(metadata.etag), the API's sha256 is \(sha)")
            }
            if FileManager.default.fileExists(atPath: cache.blob(metadata.etag).path) {
                reused.append(entry.name)  // the same bytes under another name or commit
            } else {
                try await download.run(
                    url: metadata.downloadURL, file: entry.name, blob: cache.blob(metadata.etag),
                    incomplete: cache.incompleteBlob(metadata.etag), size: metadata.size ?? entry.size,
                    sha256: entry.lfsSHA256, progress: progress)
                downloaded.append(entry.name)
            }
            try cache.link(entry.name, commit: info.commit, etag: metadata.etag)
            progress.finished(entry.name, downloaded: downloaded.last == entry.name)
        }
        try cache.writeRef(revision, commit: info.commit)
        let snapshot = cache.snapshot(info.commit)
        return HubPullResult(commit: info.commit, snapshot: file.map { snapshot.appendingPathComponent($0) } ?? snapshot,
                             downloaded: downloaded, reused: reused)
    }
}
