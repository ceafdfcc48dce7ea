import Dispatch
import Foundation
import ZooCore

/// How far loading a model has come, for a progress bar.
public struct LoadProgress: Sendable, Equatable {
    /// What loading is doing.
    public enum Stage: String, Sendable, Equatable {
        /// Reading and validating the manifest.
        case manifest
        /// Building the tokenizer from its vocabulary files.
        case tokenizer
        /// Reading the weight files (``LoadProgress/completedBytes`` of ``LoadProgress/totalBytes``).
        case weights
        /// Checking every tensor and composing the model, variant and sampler chain.
        case composing
        /// Done: the model answers requests.
        case ready
    }

    /// What loading is doing now.
    public var stage: Stage
    /// Bytes of the weight files read so far.
    public var completedBytes: Int
    /// Bytes of all the weight files (`*.safetensors`).
    public var totalBytes: Int

    /// A report of `stage`, with the weight bytes read so far.
    public init(stage: Stage, completedBytes: Int, totalBytes: Int) {
        self.stage = stage
        self.completedBytes = completedBytes
        self.totalBytes = totalBytes
    }

    /// From 0 to 1: the share of the weight bytes read (1 once composing starts).
    public var fractionCompleted: Double {
        switch stage {
        case .manifest, .tokenizer: 0
        case .weights: totalBytes > 0 ? Double(completedBytes) / Double(totalBytes) : 1
        case .composing, .ready: 1
        }
    }
}

/// Receives ``LoadProgress`` reports, from a loading thread.
public typealias LoadProgressHandler = @Sendable (LoadProgress) -> Void

extension Zoo {
    /// Loads the manifest named `name` (`NAME.yaml` in `searchPaths`) and its model, offline:
    /// everything comes from the files the manifest names.
    ///
    /// - Parameters:
    ///   - name: the manifest's name, or a path to its file.
    ///   - overrides: manifest settings on top of the file, as `zoo --set` takes them
    ///     (`"max_tokens=64"`, `"variant.system=Be brief."`).
    ///   - searchPaths: where to look for `NAME.yaml` (default: `$QWENZOO_PATH`, then `./zoo`).
    ///   - components: the registries the manifest's component names are looked up in.
    ///   - progress: called as loading goes on. With a handler, the weight files are read through
    ///     once (reporting bytes) so that the first request does not fault them in from disk.
    public static func model(
        named name: String, overrides: [String] = [], searchPaths: [URL] = ManifestLoader.defaultSearchPaths,
        components: ZooComponents = .shared, progress: LoadProgressHandler? = nil
    ) async throws -> LoadedModel {
        try await offload {
            progress?(LoadProgress(stage: .manifest, completedBytes: 0, totalBytes: 0))
            let resolved = try ManifestLoader(searchPaths: searchPaths).load(name, overrides: overrides)
            ZooLog.logger.debug("resolved manifest", metadata: ["name": "\(name)", "files": "\(resolved.files.map(\.path))"])
            return try load(resolved.manifest, components: components, progress: progress)
        }
    }

    /// Loads the manifest in the file at `url` and its model (see ``model(named:overrides:searchPaths:components:progress:)``).
    public static func model(
        contentsOf url: URL, overrides: [String] = [], components: ZooComponents = .shared,
        progress: LoadProgressHandler? = nil
    ) async throws -> LoadedModel {
        try await model(named: url.path, overrides: overrides, searchPaths: [], components: components, progress: progress)
    }

    /// Loads the model a manifest value describes (e.g. one read with ``ManifestLoader`` and
    /// changed in code).
    public static func model(
        _ manifest: Manifest, components: ZooComponents = .shared, progress: LoadProgressHandler? = nil
    ) async throws -> LoadedModel {
        try await offload { try load(manifest, components: components, progress: progress) }
    }

    private static func load(_ manifest: Manifest, components: ZooComponents, progress: LoadProgressHandler?) throws -> LoadedModel {
        let clock = ContinuousClock()
        let start = clock.now
        if let progress, let weights = manifest.weights {
            progress(LoadProgress(stage: .tokenizer, completedBytes: 0, totalBytes: 0))
            try readThrough(weights.path, progress: progress)
            progress(LoadProgress(stage: .composing, completedBytes: 0, totalBytes: 0))
        }
        let model = try LoadedModel.load(manifest, components: components)
        progress?(LoadProgress(stage: .ready, completedBytes: 0, totalBytes: 0))
        ZooLog.logger.debug("loaded model", metadata: ["manifest": "\(manifest.name)", "seconds": "\(clock.now - start)"])
        return model
    }

    /// Reads every weight file once, in 8 MiB pieces, reporting the bytes read.
    private static func readThrough(_ directory: URL, progress: LoadProgressHandler) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let files = names.filter { $0.hasSuffix(".safetensors") }.sorted().map { directory.appendingPathComponent($0) }
        let sizes = files.map { ((try? FileManager.default.attributesOfItem(atPath: $0.path)[.size]) as? NSNumber)?.intValue ?? 0 }
        let total = sizes.reduce(0, +)
        var done = 0
        progress(LoadProgress(stage: .weights, completedBytes: 0, totalBytes: total))
        for file in files {
            guard let handle = try? FileHandle(forReadingFrom: file) else { continue }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 8 << 20), !chunk.isEmpty {
                done += chunk.count
                progress(LoadProgress(stage: .weights, completedBytes: min(done, total), totalBytes: total))
            }
        }
    }

    /// Runs blocking work off Swift's cooperative thread pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}
