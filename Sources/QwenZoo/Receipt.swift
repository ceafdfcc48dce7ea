import Foundation
import ZooSamplers

/// Everything needed to reproduce one generation bit for bit: which manifest (by file and
/// content hash), which vocabulary, the prompt ids, the sampler chain, the seed and the stops.
///
/// `zoo generate --receipt FILE` writes one; `zoo replay FILE` runs it again and compares.
public struct Receipt: Codable, Sendable, Equatable {
    /// The format version; a receipt of another version is refused.
    public static let currentVersion = 1

    /// The receipt's format version (``currentVersion`` when this zoo wrote it).
    public var version: Int
    /// The manifest reference as given (name or file) and the `--set` overrides.
    public var manifest: String
    /// The `--set` overrides, e.g. `seed=7`, applied again on replay.
    public var overrides: [String]
    /// The resolved manifest's content hash (`zoo show` output without provenance).
    public var manifestHash: String
    /// The vocabulary's content hash: every id's bytes in order, whatever file format it came from.
    public var tokenizerHash: String
    /// The seed the sample was generated with.
    public var seed: UInt64
    /// The sampler chain in `--chain` syntax ("" is greedy).
    public var chain: String
    /// The rendered prompt's ids, so replay skips the variant and the tokenizer's encoding.
    public var promptIDs: [Int]
    /// The ids that stop generation (the plan's: variant's and manifest's), sorted.
    public var stopIDs: [Int]
    /// The strings that stop generation (the plan's: variant's and manifest's).
    public var stopStrings: [String]
    /// The most ids the run could generate.
    public var maxTokens: Int
    /// The generated ids, a final stop id included: what replay must reproduce.
    public var outputIDs: [Int]
    /// Where a remote engine ran the request and the fields sent to it; absent for a local run.
    public var remote: RemoteReceipt?

    enum CodingKeys: String, CodingKey {
        case version, manifest, overrides, seed, chain, remote
        case manifestHash = "manifest_hash", tokenizerHash = "tokenizer_hash", promptIDs = "prompt_ids"
        case stopIDs = "stop_ids", stopStrings = "stop_strings", maxTokens = "max_tokens", outputIDs = "output_ids"
    }

    /// A receipt of one sample: `manifest` and `overrides` as the user gave them, `resolved` for the
    /// manifest's hash, `tokenizer` for the vocabulary's, and the prompt and stops from `plan`.
    public init(manifest: String, overrides: [String], resolved: ResolvedManifest, tokenizer: any Tokenizer,
                seed: UInt64, chain: [SamplerStageSpec], plan: PromptPlan, maxTokens: Int, outputIDs: [Int]) {
        version = Self.currentVersion
        self.manifest = manifest
        self.overrides = overrides
        manifestHash = ContentHash.of(ManifestPrinter.render(resolved, showOrigins: false))
        tokenizerHash = ContentHash.of(tokenizer)
        self.seed = seed
        self.chain = ChainSyntax.format(chain)
        promptIDs = plan.tokens
        stopIDs = plan.stopTokenIDs.sorted()
        stopStrings = plan.stopStrings
        self.maxTokens = maxTokens
        self.outputIDs = outputIDs
    }

    /// Writes the receipt as pretty-printed JSON with sorted, snake_case keys.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: url)
    }

    /// Reads a receipt; throws ``ReplayError`` if the file is unreadable, not a receipt, or of a
    /// version other than ``currentVersion``.
    public static func read(from url: URL) throws -> Receipt {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReplayError(message: "\(url.path): cannot read the receipt")
        }
        let receipt: Receipt
        do { receipt = try JSONDecoder().decode(Receipt.self, from: data) } catch {
            throw ReplayError(message: "\(url.path): not a QwenZoo receipt (\(error))")
        }
        guard receipt.version == currentVersion else {
            throw ReplayError(message: "\(url.path): receipt version \(receipt.version) is not supported (this zoo writes version \(currentVersion))")
        }
        return receipt
    }

    /// Runs the receipt again; throws if the manifest or vocabulary changed, and returns the new
    /// output ids (equal to ``outputIDs`` when the run reproduces).
    public func replay(loader: ManifestLoader = ManifestLoader()) throws -> [Int] {
        let resolved = try loader.load(manifest, overrides: overrides)
        let hash = ContentHash.of(ManifestPrinter.render(resolved, showOrigins: false))
        guard hash == manifestHash else {
            throw ReplayError(message: "manifest \(manifest) changed since the receipt was written (\(hash), receipt \(manifestHash))")
        }
        let zoo = try LoadedModel.load(resolved.manifest)
        let vocabulary = ContentHash.of(zoo.tokenizer)
        guard vocabulary == tokenizerHash else {
            throw ReplayError(message: "the tokenizer changed since the receipt was written (\(vocabulary), receipt \(tokenizerHash))")
        }
        let chain = try zoo.manifest.samplerChain(try ChainSyntax.parse(chain), components: zoo.components)
        let plan = PromptPlan(tokens: promptIDs, stopTokenIDs: Set(stopIDs), stopStrings: stopStrings)
        return try zoo.sample(plan, chain: chain, seed: seed, maxTokens: maxTokens).tokens
    }
}

/// A receipt that cannot be replayed as written.
public struct ReplayError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the receipt file or the hashes that differ.
    public let message: String
    /// An error that says `message`.
    public init(message: String) { self.message = message }
    /// The ``message``.
    public var description: String { message }
}
