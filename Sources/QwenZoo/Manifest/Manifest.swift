import Foundation
import ZooModels

/// A resolved, validated manifest: everything the runtime needs to compose a model.
///
/// Field names mirror the YAML keys (`max_tokens` → ``maxTokens``). Paths are absolute: a
/// relative path is taken relative to the manifest file that wrote it.
public struct Manifest: Sendable {
    /// The model's name in messages and reports (`name`, required).
    public var name: String
    /// A free-text summary for readers of the manifest (`description`); `nil` when no layer gives one.
    public var description: String?
    /// The checkpoint (`weights`); `nil` when no layer names one, which
    /// ``LoadedModel/load(_:components:)`` refuses.
    public var weights: Weights?
    /// Changes to the checkpoint's `config.json` (`architecture`); none by default.
    public var architecture: ArchitectureOverrides
    /// The vocabulary (`tokenizer`); `nil` reads it from the weights folder with kind `auto`.
    public var tokenizer: TokenizerSpec?
    /// The attention kind of every layer (`attention`, e.g. `{kind: causal, window: 4096}`); default `causal`.
    public var attention: ComponentSpec
    /// The sampler chain in application order; empty means greedy.
    public var sampler: [ComponentSpec]
    /// The default seed of a request (`seed`, non-negative); `nil` means 0.
    public var seed: UInt64?
    /// The default most ids a request generates (`max_tokens`, positive); `nil` means 512.
    public var maxTokens: Int?
    /// Stop strings and ids (`stop`) on top of the variant's own; none by default.
    public var stop: StopConditions
    /// The prompt format and the reading of the output (`variant`, e.g. `chat` or
    /// `{name: chat, system: …}`); default `base`.
    public var variant: ComponentSpec
    /// What to do with a prompt that leaves no room to generate (`context_overflow`); default
    /// ``ContextOverflowPolicy/error``.
    public var contextOverflow: ContextOverflowPolicy
    /// The published parameter count (informational; `zoo list` shows it when the weights are absent).
    public var parameters: Int?
    /// Where generation runs (`engine`): in this process (`local`, the default) or on a remote
    /// OpenAI-compatible server (`{kind: openai, url, model, …}`).
    public var engine: Engine = .local

    /// The checkpoint to load (`weights`).
    public struct Weights: Sendable, Equatable {
        /// The Hugging Face checkpoint folder (`weights.path`): `config.json` and `*.safetensors`, or a
        /// GGUF file. A manifest that names a Hub repository (`weights.hf`) and no path gets the
        /// repository's snapshot in the Hugging Face cache here (see ``hub``).
        public var path: URL
        /// `auto` (by what the path holds), `safetensors` or `gguf`.
        public var format: String
        /// `auto` (as stored: fp32 stays fp32, bf16/f16 stay 16-bit, fp32 arithmetic), `f32` (widened
        /// at load) or `bf16` (bf16 weights and bf16-rounded activations in every product, fp32
        /// accumulation, as PyTorch's `torch.bfloat16`; see ``WeightPrecision/bf16``).
        public var dtype: String
        /// `q8_0`, `q4_0` or `q4_K` to quantize the weight matrices at load; `nil` keeps them as `dtype` says.
        public var quantize: String?
        /// `true` (default): f32/16-bit matrices read in place from the mapped file; `false`: copied into
        /// huge-page memory at load, for faster decoding (``ModelOptions/mapWeights``).
        public var mmap: Bool = true
        /// The Hub repository the weights come from (`weights.hf`, `revision`, `file`), which `zoo pull`
        /// fetches; `nil` for weights that exist only as a local path.
        public var hub: HubSource? = nil
    }

    /// A checkpoint on the Hugging Face Hub (`weights: {hf: Qwen/Qwen2.5-0.5B-Instruct, revision: main}`).
    public struct HubSource: Sendable, Equatable {
        /// The repository id, `Org/Name` (`weights.hf`).
        public var repo: String
        /// A branch, tag or commit id (`weights.revision`, default `main`).
        public var revision: String
        /// The one file to fetch and load, for a repository of GGUF files (`weights.file`); `nil`
        /// fetches the whole checkpoint folder.
        public var file: String?

        /// `repo` at `revision`; `file` for one file of a GGUF repository.
        public init(repo: String, revision: String = "main", file: String? = nil) {
            self.repo = repo
            self.revision = revision
            self.file = file
        }
    }

    /// Values that override the checkpoint's `config.json`.
    public struct ArchitectureOverrides: Sendable, Equatable {
        /// The context in tokens (`architecture.context_length`, positive); `nil` keeps the checkpoint's.
        public var contextLength: Int?
        /// Replaces `rope_scaling` (`architecture.rope_scaling`, e.g. `{type: yarn, factor: 4.0}`);
        /// `nil` keeps the checkpoint's.
        public var ropeScaling: [String: OptionValue]?
        /// Qwen v1's dynamic NTK RoPE scaling past the trained length (`architecture.use_dynamic_ntk`);
        /// `nil` keeps the checkpoint's.
        public var useDynamicNTK: Bool?
        /// Qwen v1's log-n scaling of attention past the trained length (`architecture.use_logn_attn`);
        /// `nil` keeps the checkpoint's.
        public var useLogNAttention: Bool?
        /// No overrides: every value comes from `config.json`.
        public init() {}
    }

    /// Where the vocabulary comes from (`tokenizer`).
    public struct TokenizerSpec: Sendable, Equatable {
        /// `auto`, `tiktoken` or `hf`.
        public var kind: String
        /// A `.tiktoken` file, a `tokenizer.json` file, or a folder holding `tokenizer.json` or
        /// `vocab.json` + `merges.txt` (`tokenizer.path`).
        public var path: URL
    }

    /// What ends generation besides the variant's own stops (`stop`).
    public struct StopConditions: Sendable, Equatable {
        /// Texts that end generation, cut from the output (`stop.strings`, non-empty).
        public var strings: [String] = []
        /// Token ids that end generation (`stop.ids`).
        public var ids: [Int] = []
        /// Whether the checkpoint's end-of-sequence ids (`generation_config.json`, else `config.json`)
        /// end generation too, whatever the variant (`stop.eos`, default true).
        public var endOfSequence = true
    }

    /// What to do with a prompt longer than the context.
    public enum ContextOverflowPolicy: String, Sendable, CaseIterable {
        /// Refuse with a clear error.
        case error
        /// Drop the oldest tokens, with a warning.
        case truncateLeft = "truncate-left"
    }
}

/// A named component and its options, e.g. `top_k: 20` or `variant: {name: chat, system: …}`.
public struct ComponentSpec: Sendable, Equatable {
    /// The registered name, e.g. `causal`, `top_k` or `chat`.
    public var name: String
    /// The options written with the name; a one-value stage such as `top_k: 20` has one option, `value`.
    public var options: ComponentOptions
    /// Where the manifest names the component, so errors point there; `nil` for a default or one built in code.
    public var origin: ManifestOrigin?

    /// A component named `name`; `origin` is where errors about it point (`nil`: nowhere in a file).
    public init(name: String, options: ComponentOptions = ComponentOptions(), origin: ManifestOrigin? = nil) {
        self.name = name
        self.options = options
        self.origin = origin
    }
}

// MARK: - Decoding and validation

extension Manifest {
    static let topLevelKeys = [
        "name", "description", "extends", "weights", "architecture", "tokenizer", "attention", "sampler",
        "seed", "max_tokens", "stop", "variant", "context_overflow", "parameters", "engine",
    ]

    /// Validates a resolved tree (extends applied, `${…}` expanded) and builds the typed manifest.
    init(tree: ManifestNode) throws {
        let root = try FieldReader(tree, path: "")
        try root.rejectUnknownKeys(Self.topLevelKeys)
        name = try root.requiredString("name")
        description = try root.string("description")

        if let node = root.node("weights") {
            let w = try FieldReader(node, path: "weights")
            try w.rejectUnknownKeys(["path", "hf", "revision", "file", "format", "dtype", "quantize", "mmap"])
            let hub = try Self.hubSource(w)
            let format = try w.string("format") ?? "auto"
            try w.check(format, in: ["auto", "safetensors", "gguf"], key: "format")
            let dtype = try w.string("dtype") ?? "auto"
            try w.check(dtype, in: ["auto", "f32", "bf16"], key: "dtype")
            let quantize = try w.string("quantize")
            if let quantize { try w.check(quantize, in: ["q8_0", "q4_0", "q4_K"], key: "quantize") }
            weights = Weights(path: try w.requiredPath("path"), format: format, dtype: dtype, quantize: quantize,
                              mmap: try w.bool("mmap") ?? true, hub: hub)
        }

        architecture = ArchitectureOverrides()
        if let node = root.node("architecture") {
            let a = try FieldReader(node, path: "architecture")
            try a.rejectUnknownKeys(["context_length", "rope_scaling", "use_dynamic_ntk", "use_logn_attn"])
            architecture.contextLength = try a.positiveInt("context_length")
            if let scaling = a.node("rope_scaling") {
                guard case .map = scaling.value else { throw a.error("rope_scaling", "expected a map, found \(scaling.typeName)") }
                guard case .map(let m) = scaling.optionValue else { fatalError("unreachable") }
                architecture.ropeScaling = m
            }
            architecture.useDynamicNTK = try a.bool("use_dynamic_ntk")
            architecture.useLogNAttention = try a.bool("use_logn_attn")
        }

        if let node = root.node("tokenizer") {
            let t = try FieldReader(node, path: "tokenizer")
            try t.rejectUnknownKeys(["kind", "path"])
            tokenizer = TokenizerSpec(kind: try t.string("kind") ?? "auto", path: try t.requiredPath("path"))
        }

        attention = try root.node("attention").map { try Self.component($0, path: "attention", nameKey: "kind") }
            ?? ComponentSpec(name: "causal")
        variant = try root.node("variant").map { try Self.component($0, path: "variant", nameKey: "name") }
            ?? ComponentSpec(name: "base")

        sampler = []
        if let node = root.node("sampler") {
            guard case .list(let stages) = node.value else {
                throw ManifestError(origin: node.origin, field: "sampler", message: "expected a list of stages, found \(node.typeName)")
            }
            sampler = try stages.enumerated().map { index, stage in
                try Self.samplerStage(stage, path: "sampler[\(index)]")
            }
        }

        if let s = try root.int("seed") {
            guard s >= 0 else { throw root.error("seed", "must not be negative, found \(s)") }
            seed = UInt64(s)
        }
        maxTokens = try root.positiveInt("max_tokens")

        stop = StopConditions()
        if let node = root.node("stop") {
            let s = try FieldReader(node, path: "stop")
            try s.rejectUnknownKeys(["strings", "ids", "eos"])
            stop.endOfSequence = try s.bool("eos") ?? true
            stop.strings = try s.list("strings").enumerated().map { i, item in
                guard case .string(let text) = item.value, !text.isEmpty else {
                    throw ManifestError(origin: item.origin, field: "stop.strings[\(i)]", message: "expected a non-empty string")
                }
                return text
            }
            stop.ids = try s.list("ids").enumerated().map { i, item in
                guard case .number(let n) = item.value, n == n.rounded(), n >= 0, n <= Double(Int32.max) else {
                    throw ManifestError(origin: item.origin, field: "stop.ids[\(i)]", message: "expected a token id (a non-negative integer)")
                }
                return Int(n)
            }
        }

        let policy = try root.string("context_overflow") ?? ContextOverflowPolicy.error.rawValue
        try root.check(policy, in: ContextOverflowPolicy.allCases.map(\.rawValue), key: "context_overflow")
        contextOverflow = ContextOverflowPolicy(rawValue: policy)!
        parameters = try root.positiveInt("parameters")
        engine = try Self.engine(root.node("engine"))
    }

    /// `kind: causal` / `{kind: causal, window: 4096}` / `chat` / `{name: chat, system: …}`.
    private static func component(_ node: ManifestNode, path: String, nameKey: String) throws -> ComponentSpec {
        switch node.value {
        case .string(let name):
            return ComponentSpec(name: name, options: ComponentOptions([:], context: "\(node.origin): \(path)"), origin: node.origin)
        case .map(let entries):
            guard let nameNode = entries.last(where: { $0.key == nameKey })?.value, case .string(let name) = nameNode.value else {
                throw ManifestError(origin: node.origin, field: "\(path).\(nameKey)", message: "required field is missing (a string)")
            }
            var options: [String: OptionValue] = [:]
            for (key, value) in entries where key != nameKey { options[key] = value.optionValue }
            return ComponentSpec(name: name, options: ComponentOptions(options, context: "\(node.origin): \(path)"), origin: node.origin)
        default:
            throw ManifestError(origin: node.origin, field: path, message: "expected a name or a map with \"\(nameKey)\", found \(node.typeName)")
        }
    }

    /// `- top_k: 20` (one option named `value`) or `- dry: {multiplier: 0.8}` or `- greedy`.
    private static func samplerStage(_ node: ManifestNode, path: String) throws -> ComponentSpec {
        let context = "\(node.origin): \(path)"
        switch node.value {
        case .string(let name):
            return ComponentSpec(name: name, options: ComponentOptions([:], context: context), origin: node.origin)
        case .map(let entries) where entries.count == 1:
            let (name, value) = entries[0]
            switch value.value {
            case .map(let m):
                let options = Dictionary(m.map { ($0.key, $0.value.optionValue) }, uniquingKeysWith: { $1 })
                return ComponentSpec(name: name, options: ComponentOptions(options, context: "\(context).\(name)"), origin: node.origin)
            default:
                return ComponentSpec(name: name, options: ComponentOptions(["value": value.optionValue], context: "\(context).\(name)"), origin: node.origin)
            }
        default:
            throw ManifestError(origin: node.origin, field: path,
                                message: "expected one stage such as `top_k: 20` or `dry: {multiplier: 0.8}`")
        }
    }
}

/// Reads the fields of one manifest map with errors that name the file, line and field.
struct FieldReader {
    let node: ManifestNode
    let path: String
    let entries: [(key: String, value: ManifestNode)]

    init(_ node: ManifestNode, path: String) throws {
        guard case .map(let entries) = node.value else {
            throw ManifestError(origin: node.origin, field: path.isEmpty ? nil : path, message: "expected a map, found \(node.typeName)")
        }
        self.node = node
        self.path = path
        self.entries = entries
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func node(_ key: String) -> ManifestNode? {
        guard let value = entries.last(where: { $0.key == key })?.value else { return nil }
        if case .null = value.value { return nil }
        return value
    }

    func error(_ key: String, _ message: String) -> ManifestError {
        ManifestError(origin: node(key)?.origin ?? node.origin, field: field(key), message: message)
    }

    func rejectUnknownKeys(_ allowed: [String]) throws {
        for (key, value) in entries where !allowed.contains(key) {
            let suggestion = didYouMean(key, in: allowed)
            throw ManifestError(origin: value.origin, field: field(key),
                                message: "unknown key\(suggestion); known keys here: \(allowed.joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case .string(let s) = n.value else { throw error(key, "expected a string, found \(n.typeName)") }
        return s
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw error(key, "required field is missing") }
        return s
    }

    func int(_ key: String) throws -> Int? {
        guard let n = node(key) else { return nil }
        guard case .number(let d) = n.value, d == d.rounded(), abs(d) < 1e15 else {
            throw error(key, "expected an integer, found \(n.typeName)")
        }
        return Int(d)
    }

    func positiveInt(_ key: String) throws -> Int? {
        guard let i = try int(key) else { return nil }
        guard i > 0 else { throw error(key, "must be positive, found \(i)") }
        return i
    }

    func bool(_ key: String) throws -> Bool? {
        guard let n = node(key) else { return nil }
        guard case .bool(let b) = n.value else { throw error(key, "expected true or false, found \(n.typeName)") }
        return b
    }

    func list(_ key: String) throws -> [ManifestNode] {
        guard let n = node(key) else { return [] }
        guard case .list(let l) = n.value else { throw error(key, "expected a list, found \(n.typeName)") }
        return l
    }

    func check(_ value: String, in allowed: [String], key: String) throws {
        guard allowed.contains(value) else {
            let suggestion = didYouMean(value, in: allowed)
            throw error(key, "\"\(value)\" is not one of \(allowed.joined(separator: ", "))\(suggestion)")
        }
    }

    /// A path, with `~` expanded and a relative path taken relative to the file that wrote it.
    func requiredPath(_ key: String) throws -> URL {
        let text = try requiredString(key)
        guard !text.isEmpty else { throw error(key, "the path is empty") }
        let expanded = (text as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL }
        let base = node(key)?.origin.file?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return base.appendingPathComponent(expanded).standardizedFileURL
    }
}

extension Manifest.Weights {
    /// How the runtime keeps the matrices: `quantize` wins, then `dtype`.
    public var precision: WeightPrecision {
        if quantize == "q8_0" { return .q8_0 }
        if quantize == "q4_0" { return .q4_0 }
        if quantize == "q4_K" { return .q4_K }
        switch dtype {
        case "f32": return .f32
        case "bf16": return .bf16
        default: return .asStored
        }
    }
}

extension Manifest.Weights {
    /// Whether the weights are a GGUF file (`format: gguf`, or `auto` with a `.gguf` path).
    public var isGGUF: Bool {
        format == "gguf" || (format == "auto" && path.pathExtension.lowercased() == "gguf")
    }
}
