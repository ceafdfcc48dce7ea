import Foundation
import ZooHub

// How `weights.hf` and `weights.path` relate:
// - `hf` alone: the weights are the repository's snapshot in the Hugging Face cache,
//   `$HF_HOME/hub/models--Org--Name/snapshots/<commit of refs/<revision>>` (plus `/<file>` for a GGUF
//   repository). The loader writes that folder into the tree as `weights.path` (origin: the `hf` line),
//   so `${weights.path}` (e.g. the tokenizer's path) and everything that reads the path work unchanged.
//   Before `zoo pull`, the folder is `snapshots/<revision>`, which does not exist: the weights are absent.
// - `path` written (in the file, a layer or `--set`): the weights are there, whatever `hf` says; `hf`
//   only tells `zoo pull` what to fetch (into the cache).

extension Manifest {
    /// `weights.hf`, `weights.revision` and `weights.file`, checked; `nil` when `hf` is not written.
    static func hubSource(_ w: FieldReader) throws -> HubSource? {
        guard let repo = try w.string("hf") else {
            for key in ["revision", "file"] where w.node(key) != nil {
                throw w.error(key, "needs weights.hf, the Hub repository it belongs to")
            }
            return nil
        }
        do {
            _ = try HubRepoID(repo)
        } catch {
            throw w.error("hf", error.reason + " (e.g. hf: Qwen/Qwen2.5-0.5B-Instruct)")
        }
        let revision = try w.string("revision") ?? "main"
        guard !revision.isEmpty, !revision.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == ".." }) else {
            throw w.error("revision", "expected a branch, tag or commit id, found \"\(revision)\"")
        }
        let file = try w.string("file")
        if let file {
            guard !file.hasPrefix("/"), !file.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw w.error("file", "expected a file's path inside the repository, e.g. qwen2.5-0.5b-instruct-q8_0.gguf")
            }
        }
        return HubSource(repo: repo, revision: revision, file: file)
    }
}

extension ManifestLoader {
    /// Gives a manifest that names a Hub repository and no `weights.path` the path of the repository's
    /// snapshot in the Hugging Face cache (`HF_HUB_CACHE`/`HF_HOME` from ``environment``).
    func resolvingHubWeights(_ tree: ManifestNode) throws -> ManifestNode {
        guard let weights = tree["weights"], case .map = weights.value, weights["path"] == nil,
              let hfNode = weights["hf"], case .string(var repoText) = hfNode.value
        else { return tree }
        if repoText.contains("${") { repoText = try interpolate(repoText, origin: hfNode.origin, field: "weights.hf", root: tree, depth: 0) }
        // A malformed id is left for the manifest's own check to report at its line.
        guard let repo = try? HubRepoID(repoText) else { return tree }
        var revision = "main"
        if let node = weights["revision"], case .string(let text) = node.value { revision = text }
        let cache = HubCache(repo: repo, cacheRoot: HubSettings(environment: environment).cacheRoot)
        var path = cache.snapshotFolder(for: revision)
        if let node = weights["file"], case .string(let file) = node.value { path = path.appendingPathComponent(file) }
        let written = ManifestNode(.map([("weights", ManifestNode(.map([("path", ManifestNode(.string(path.path), origin: hfNode.origin))]), origin: hfNode.origin))]),
                                   origin: tree.origin)
        return tree.overlaid(by: written)
    }
}
