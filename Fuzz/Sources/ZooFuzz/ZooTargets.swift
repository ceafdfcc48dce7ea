import Foundation
@testable import QwenZoo
import ZooSamplers

/// QwenZoo's own formats: manifests with `extends` graphs, the `--chain` syntax, prompt-cache
/// files and receipts.
enum ZooTargets {
    /// Up to four manifests (the input cut at NUL bytes) named a.yaml … d.yaml in one folder, so
    /// `extends` can form graphs and cycles; "a" is loaded, validated and printed.
    static let manifest: FuzzTarget = { input in
        let folder = Scratch.folder.appendingPathComponent("zoo")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (part, name) in zip(Scratch.parts(input, 4), ["a", "b", "c", "d"]) {
            Scratch.file("\(name).yaml", part, in: folder)
        }
        let loader = ManifestLoader(searchPaths: [folder], environment: ["QWENZOO_MODELS": "/nonexistent"])
        let resolved = try loader.load("a", overrides: [])
        _ = ManifestPrinter.render(resolved, showOrigins: true)
        try? ManifestValidator.check(resolved.manifest)
        _ = try? resolved.manifest.samplerChain()
    }

    /// The `--chain` syntax: a parsed chain prints back to text that parses to the same chain,
    /// and builds (or is refused with an error).
    static let chain: FuzzTarget = { input in
        let stages = try ChainSyntax.parse(String(decoding: input, as: UTF8.self))
        let printed = ChainSyntax.format(stages)
        guard let again = try? ChainSyntax.parse(printed), again == stages else {
            violated("the chain printed as \(printed) does not parse back to itself")
        }
        _ = try? SamplerChain(stages: stages, registry: ZooComponents.shared.samplerStages, context: "--chain")
    }

    /// The bundled nano-chat model, for prompt-cache files.
    private static let model: LoadedModel = {
        let loader = ManifestLoader(searchPaths: [Scratch.repository.appendingPathComponent("zoo")], environment: [:])
        return try! LoadedModel.load(try! loader.load("nano-chat").manifest)
    }()

    /// A prompt-cache file read back into a cache of the nano-chat model.
    static let promptCache: FuzzTarget = { input in
        let cache = PromptCache(model: model.model)
        _ = try PromptCacheFile.read(Scratch.file("prompt.cache", input), into: cache, model: model)
    }

    /// A receipt (`zoo generate --receipt`).
    static let receipt: FuzzTarget = { input in
        _ = try Receipt.read(from: Scratch.file("receipt.json", input))
    }
}

extension ZooTargets {
    /// Writes valid prompt-cache seeds of nano-chat, empty and with a short prompt, into `folder`
    /// (`ZOO_FUZZ_MAKE_SEEDS=DIR zoo-fuzz`; only Swift can make them).
    static func makeSeeds(in folder: URL) throws {
        let caches = folder.appendingPathComponent("prompt-cache")
        try FileManager.default.createDirectory(at: caches, withIntermediateDirectories: true)
        for (name, prompt) in [("empty", [Int]()), ("three-tokens", [1, 2, 3])] {
            let cache = PromptCache(model: model.model, capacity: 8)
            if !prompt.isEmpty { _ = try cache.prefill(prompt) }
            try PromptCacheFile.write(cache, model: model, metadata: Data("{\"app\":1}".utf8),
                                      to: caches.appendingPathComponent(name))
        }
    }
}
