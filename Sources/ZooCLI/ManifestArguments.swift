import ArgumentParser
import Foundation
import QwenZoo

/// `--manifest NAME|FILE` and `--set key=value`, shared by every command that runs a model.
struct ManifestArguments: ParsableArguments {
    @Option(help: "A manifest name (looked up in $QWENZOO_PATH, then ./zoo) or a .yaml file.")
    var manifest: String?

    @Option(name: .customLong("set"), help: "Override a manifest value, e.g. --set seed=7 --set variant.system=\"Be brief.\" (repeatable).")
    var overrides: [String] = []

    func resolve() throws -> ResolvedManifest? {
        guard let manifest else {
            if !overrides.isEmpty { throw ValidationError("--set needs --manifest") }
            return nil
        }
        let loader = ManifestLoader()
        Self.warnIfShadowed(manifest, loader: loader)
        return try loader.load(manifest, overrides: overrides)
    }

    /// Says which file a name resolves to when a `$QWENZOO_PATH` folder hides another with the same name.
    static func warnIfShadowed(_ reference: String, loader: ManifestLoader) {
        let files = ManifestCatalog(searchPaths: loader.searchPaths).files(named: reference)
        guard files.count > 1 else { return }
        StandardIO.writeError("zoo: warning: manifest \(reference) is \(files[0].path) (first in $QWENZOO_PATH); it shadows \(files[1...].map(\.path).joined(separator: ", "))\n")
    }
}
