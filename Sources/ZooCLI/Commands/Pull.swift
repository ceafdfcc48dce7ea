import ArgumentParser
import Foundation
import QwenZoo
import Synchronization
import ZooHub

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch the checkpoint a manifest names (weights.hf) from the Hugging Face Hub into the Hugging Face cache.",
        discussion: """
            Files go where huggingface_hub puts them ($HF_HOME/hub/models--Org--Name, HF_HOME default \
            ~/.cache/huggingface), so a model it already downloaded is not fetched again. HF_ENDPOINT names a \
            mirror, HF_TOKEN a token for gated repositories. An interrupted download resumes where it stopped. \
            Prints the snapshot folder (or file) on stdout.
            """)

    @Argument(help: "A manifest name or file whose weights name a Hub repository (weights.hf).")
    var manifest: String

    @Option(name: .customLong("set"), help: "Override a manifest value (repeatable), e.g. --set weights.revision=v1.0.")
    var overrides: [String] = []

    func run() throws {
        try reportingErrors {
            let resolved = try ManifestLoader().load(manifest, overrides: overrides)
            let name = resolved.manifest.name
            guard let weights = resolved.manifest.weights, let hub = weights.hub else {
                throw InputError(description: "manifest \(name) names no Hugging Face repository: write weights: {hf: Org/Name} (see zoo show \(name))")
            }
            let repo = try HubRepoID(hub.repo)
            let settings = HubSettings()
            let progress = PullProgress()
            let result = try AsyncBridge.wait {
                try await HubPull(client: HubClient(settings: settings)).pull(repo, revision: hub.revision, file: hub.file, progress: progress)
            }
            let fetched = result.downloaded.count, cached = result.reused.count
            StandardIO.writeError("\(name): \(hub.repo)@\(hub.revision) is commit \(result.commit); \(fetched) file\(fetched == 1 ? "" : "s") fetched, \(cached) already in the cache\n")
            // A path outside the repository's cache folder was written by hand, and wins over the cache.
            let cacheFolder = HubCache(repo: repo, cacheRoot: settings.cacheRoot).folder.standardizedFileURL.path + "/"
            if !weights.path.standardizedFileURL.path.hasPrefix(cacheFolder) {
                StandardIO.writeError("zoo: warning: \(name) sets weights.path (\(weights.path.path)), so it loads from there, not from the cache\n")
            }
            StandardIO.write(result.snapshot.path + "\n")
        }
    }
}

/// Draws each file's transfer with the evaluation's ``ProgressBar``: redrawn on a terminal, one
/// line per file into a pipe or file.
final class PullProgress: HubProgress {
    private struct Current {
        var bar: ProgressBar
        var total: Int64
        var start: Date
        var lastDraw: Date
    }
    private let current = Mutex<Current?>(nil)

    func started(_ file: String, total: Int64?, resumedAt: Int64) {
        if resumedAt > 0 { StandardIO.writeError("\(file): resuming at byte \(resumedAt)\n") }
        current.withLock {
            $0 = Current(bar: ProgressBar(label: file), total: total ?? 0, start: Date(), lastDraw: .distantPast)
        }
    }

    func advanced(_ file: String, received: Int64) {
        current.withLock { state in
            guard var s = state, s.total > 0 else { return }
            let now = Date()
            // A redraw per network chunk would flood the terminal: a few a second, and the last one.
            guard received >= s.total || now.timeIntervalSince(s.lastDraw) > 0.2 else { return }
            s.lastDraw = now
            state = s
            if s.bar.interactive || received >= s.total { s.bar.update(Int(min(received, s.total)), Int(s.total)) }
        }
    }

    func retrying(_ file: String, resumeAt: Int64, reason: String) {
        current.withLock { state in
            if state?.bar.interactive == true { StandardIO.writeError("\n") }
        }
        StandardIO.writeError("\(file): \(reason); resuming at byte \(resumeAt)\n")
    }

    func finished(_ file: String, downloaded: Bool) {
        current.withLock { state in
            if downloaded, let s = state, s.total > 0 {
                s.bar.finish(seconds: Date().timeIntervalSince(s.start))
            } else if downloaded {
                StandardIO.writeError("\(file): fetched\n")
            } else {
                StandardIO.writeError("\(file): already in the cache\n")
            }
            state = nil
        }
    }
}
