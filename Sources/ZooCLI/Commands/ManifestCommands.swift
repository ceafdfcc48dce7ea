import ArgumentParser
import Foundation
import QwenZoo

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the manifests: name, variant, architecture, parameters, whether the weights are present.")

    func run() throws {
        try reportingErrors {
            let loader = ManifestLoader()
            let entries = ManifestCatalog(searchPaths: loader.searchPaths).entries
            guard !entries.isEmpty else { throw InputError(description: NoManifests.message(loader)) }
            var rows: [[String]] = [["NAME", "VARIANT", "ARCHITECTURE", "PARAMETERS", "WEIGHTS"]]
            for entry in entries {
                do {
                    let manifest = try loader.load(entry.file.path).manifest
                    let summary = CheckpointSummary(manifest)
                    rows.append([entry.name, manifest.variant.name, summary.architecture, summary.parameters, summary.weights])
                } catch {
                    rows.append([entry.name, "-", "-", "-", "invalid: \(error)"])
                }
            }
            StandardIO.write(Table.render(rows))
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a manifest after layering; with --resolved, each value's source file and line.")

    @Argument(help: "A manifest name or file.")
    var name: String

    @Flag(help: "Annotate every value with the file and line that set it.")
    var resolved = false

    @Option(name: .customLong("set"), help: "Override a value (repeatable), as for the commands that run a model.")
    var overrides: [String] = []

    func run() throws {
        try reportingErrors {
            let manifest = try ManifestLoader().load(name, overrides: overrides)
            StandardIO.write(ManifestPrinter.render(manifest, showOrigins: resolved))
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests (default: every manifest found) without loading weights.")

    @Argument(help: "Manifest names or files.")
    var manifests: [String] = []

    func run() throws {
        var failures = 0
        let loader = ManifestLoader()
        let targets = manifests.isEmpty ? ManifestCatalog(searchPaths: loader.searchPaths).entries.map(\.file.path) : manifests
        if targets.isEmpty {
            StandardIO.writeError("zoo: error: \(NoManifests.message(loader))\n")
            throw ExitCode.failure
        }
        for target in targets {
            do {
                let resolved = try loader.load(target)
                try ManifestValidator.check(resolved.manifest)
                let weights = resolved.manifest.weights.map { weights in
                    switch weights.presence {
                    case .present: ""
                    case .absent: "  (weights absent: \(weights.path.path))"
                    case .damaged(let reason): "  (weights damaged: \(reason))"
                    }
                } ?? ""
                StandardIO.write("ok      \(resolved.manifest.name)\(weights)\n")
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("invalid \(target): \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}

/// What `list` and `validate` say when no search folder holds a manifest.
enum NoManifests {
    static func message(_ loader: ManifestLoader) -> String {
        "no manifests found in \(loader.searchPaths.map(\.path).joined(separator: ", ")); run zoo in a folder with a zoo/ of manifests, or list manifest folders in QWENZOO_PATH (colon-separated)"
    }
}

/// What `zoo list` shows of a manifest's checkpoint, from its `config.json` when present.
struct CheckpointSummary {
    var architecture = "-"
    var parameters = "-"
    var weights = "absent"

    init(_ manifest: Manifest) {
        if let declared = manifest.parameters { parameters = Self.format(declared) }
        if case .openai(let remote) = manifest.engine {
            weights = "remote (\(remote.model) at \(remote.url))"  // no checkpoint here
            return
        }
        guard let path = manifest.weights?.path else {
            weights = "none"
            return
        }
        // A Hub checkpoint not yet in the cache says how to fetch it rather than where the cache would keep it.
        let absent = manifest.weights?.hub.map { "absent (zoo pull \(manifest.name): \($0.repo))" } ?? "absent (\(path.path))"
        if manifest.weights?.isGGUF == true {
            guard let file = try? GGUFFile(url: path) else {
                if case .damaged(let reason) = manifest.weights?.presence {
                    weights = "damaged (\(reason))"
                } else {
                    weights = absent
                }
                return
            }
            weights = "present"
            architecture = (file.metadata["general.architecture"]?.string ?? "?") + " (gguf)"
            parameters = Self.format(file.tensors.values.reduce(0) { $0 + $1.elementCount })
            return
        }
        let config = path.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: config),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            weights = absent
            return
        }
        weights = "present"
        architecture = object["model_type"] as? String ?? "?"
        if let count = ParameterCount.estimate(config: object) { parameters = Self.format(count) }
    }

    static func format(_ count: Int) -> String {
        switch count {
        case 1_000_000_000...: String(format: "%.2fB", Double(count) / 1e9)
        case 1_000_000...: String(format: "%.1fM", Double(count) / 1e6)
        case 1000...: String(format: "%.1fK", Double(count) / 1e3)
        default: "\(count)"
        }
    }
}

/// A plain-text table with aligned columns.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
