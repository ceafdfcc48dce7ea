import Foundation

/// One repository's folder in the Hugging Face cache, laid out as `huggingface_hub` lays it out,
/// so that a model it (or transformers, or mlx-lm) downloaded is found here, and the other way round:
///
///     <cacheRoot>/models--Org--Name/
///         blobs/<etag>                          the bytes, named by the Hub's ETag (sha256 for LFS files,
///                                               the git blob id otherwise); <etag>.incomplete while downloading
///         snapshots/<commit>/<file>             relative symlinks, e.g. ../../blobs/<etag>
///         refs/<revision>                       the commit a branch or tag pointed at (no newline)
public struct HubCache: Sendable {
    /// The repository.
    public let repo: HubRepoID
    /// `models--Org--Name` under the cache root.
    public let folder: URL

    /// The cache of `repo` under `cacheRoot` (``HubSettings/cacheRoot``).
    public init(repo: HubRepoID, cacheRoot: URL) {
        self.repo = repo
        folder = cacheRoot.appendingPathComponent(repo.cacheFolderName)
    }

    /// The blob an ETag names.
    public func blob(_ etag: String) -> URL { folder.appendingPathComponent("blobs").appendingPathComponent(etag) }

    /// Where a blob grows while it downloads (what a resumed download appends to).
    public func incompleteBlob(_ etag: String) -> URL {
        folder.appendingPathComponent("blobs").appendingPathComponent(etag + ".incomplete")
    }

    /// The snapshot folder of a commit.
    public func snapshot(_ commit: String) -> URL { folder.appendingPathComponent("snapshots").appendingPathComponent(commit) }

    /// The file holding the commit of `revision`.
    public func ref(_ revision: String) -> URL { folder.appendingPathComponent("refs").appendingPathComponent(revision) }

    /// Whether `revision` is a full commit id, which names its snapshot directly.
    public static func isCommit(_ revision: String) -> Bool {
        revision.count == 40 && revision.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The commit `revision` resolved to when it was last downloaded; `nil` if it never was.
    public func commit(for revision: String) -> String? {
        if Self.isCommit(revision) { return revision }
        guard let text = try? String(contentsOf: ref(revision), encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isCommit(commit) ? commit : nil
    }

    /// The snapshot folder `revision` resolves to; for a revision never downloaded, a folder
    /// named after the revision, which does not exist.
    public func snapshotFolder(for revision: String) -> URL { snapshot(commit(for: revision) ?? revision) }

    /// Whether `file` of `commit`'s snapshot is there (its symlink resolves to a blob).
    public func hasFile(_ file: String, commit: String) -> Bool {
        FileManager.default.fileExists(atPath: snapshot(commit).appendingPathComponent(file).path)
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink, replacing what was there.
    public func link(_ file: String, commit: String, etag: String) throws {
        let pointer = snapshot(commit).appendingPathComponent(file)
        let manager = FileManager.default
        try manager.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
        // From snapshots/<commit>/<dirs…>/ up to the repository folder, then into blobs/.
        let depth = 2 + file.split(separator: "/").count - 1
        let target = String(repeating: "../", count: depth) + "blobs/" + etag
        if (try? manager.destinationOfSymbolicLink(atPath: pointer.path)) == target { return }
        if (try? manager.attributesOfItem(atPath: pointer.path)) != nil { try manager.removeItem(at: pointer) }
        try manager.createSymbolicLink(atPath: pointer.path, withDestinationPath: target)
    }

    /// Records that `revision` is at `commit` (nothing to record when the revision is the commit).
    public func writeRef(_ revision: String, commit: String) throws {
        guard revision != commit else { return }
        let file = ref(revision)
        if (try? String(contentsOf: file, encoding: .utf8)) == commit { return }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Written to a temporary file and renamed, so a reader never sees half a commit id.
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        try Data(commit.utf8).write(to: temporary)
        if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
        try FileManager.default.moveItem(at: temporary, to: file)
    }
}
