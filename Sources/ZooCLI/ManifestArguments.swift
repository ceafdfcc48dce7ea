import ArgumentParser
import Foundation
import QwenZoo

/// `--manifest NAME|FILE` and `--set key=value`, shared by every command that runs a model.
struct ManifestArguments: ParsableArguments {
    @Option(help: "A manifest name (looked up in ./zoo and $QWENZOO_PATH) or a .yaml file.")
    var manifest: String?

    @Option(name: .customLong("set"), help: "Override a manifest value, e.g. --set seed=7 --set variant.system=\"Be brief.\" (repeatable).")
    var overrides: [String] = []

    func resolve() throws -> ResolvedManifest? {
        guard let manifest else {
            if !overrides.isEmpty { throw ValidationError("--set needs --manifest") }
            return nil
        }
        return try ManifestLoader().load(manifest, overrides: overrides)
    }
}
