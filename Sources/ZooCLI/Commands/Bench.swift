import ArgumentParser
import Foundation
import QwenZoo

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure model speed (tokens/s) and tokenizer speed (MB/s).",
        discussion: """
            With --model (a checkpoint directory or a .gguf file): a prefill of --prompt-tokens ids, then --decode-tokens greedy steps. \
            With --tokenizer and --text: encoding the UTF-8 text file (special tokens as text). \
            Each is run --repeat times and the median reported. Prints one JSON object with --json.
            """)

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors) or a .gguf file (qwen2).")
    var model: String?

    @OptionGroup var manifestArguments: ManifestArguments

    @Option(help: "A tokenizer (.tiktoken file or directory) whose encoding speed to measure.")
    var tokenizer: String?

    @Option(help: "The UTF-8 text file the tokenizer encodes.")
    var text: String?

    @Option(help: "Prompt length for the prefill measurement.")
    var promptTokens: Int = 512

    @Option(name: [.customLong("decode-tokens"), .customLong("gen-tokens")], help: "Tokens decoded one at a time after a short prompt.")
    var decodeTokens: Int = 64

    @Option(help: "Sequences decoded together, one batched forward pass per step (as `zoo serve` batches them); decode tokens/s is then the aggregate over all of them.")
    var batch: Int = 1

    @Option(name: .customLong("repeat"), help: "Passes; the median is reported.")
    var passes: Int = 3

    @OptionGroup var threads: ThreadsArgument

    @Option(help: "Matrix backend: native or openblas.")
    var matmul: String = MatrixBackend.native.rawValue

    @Option(help: "Weight precision: auto (as stored), f32, bf16 (bf16 weights and activations, fp32 accumulation), q8_0, q4_0 or q4_K (quantized at load).")
    var precision: String = WeightPrecision.asStored.rawValue

    @Option(name: .customLong("kv-cache"), help: "KV cache precision: f32 or f16.")
    var kvCache: String = KVPrecision.f32.rawValue

    @Flag(help: "Copy f32/16-bit weights into huge-page memory at load instead of reading the memory-mapped file in place (faster decoding, slower load).")
    var noMmap = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard model != nil || manifestArguments.manifest != nil || tokenizer != nil else {
            throw ValidationError("give --model or --manifest, or --tokenizer with --text")
        }
        guard model == nil || manifestArguments.manifest == nil else { throw ValidationError("give --model or --manifest, not both") }
        guard (tokenizer == nil) == (text == nil) else { throw ValidationError("--tokenizer and --text go together") }
        guard batch >= 1 else { throw ValidationError("--batch: at least 1 sequence") }
        if let rejected = MatrixMultiply.rejectedInstructionSetRequest {
            throw ValidationError("ZOO_ISA=\(rejected): not an instruction set (generic, avx2, avx512 or neon)")
        }
    }

    func run() throws {
        try reportingErrors {
            var report: [String: Any] = [:]
            if let tokenizer, let text {
                report.merge(try measureTokenizer(tokenizer, text)) { $1 }
            }
            if let model {
                guard let weightPrecision = WeightPrecision(rawValue: precision) else {
                    throw InputError(description: "--precision: \"\(precision)\" is not one of \(WeightPrecision.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let options = ModelOptions(attention: CausalAttention(cachePrecision: try cachePrecision()),
                                           weightPrecision: weightPrecision, mapWeights: !noMmap)
                report.merge(try measureModel(model) {
                    try Zoo.loadModel(directory: URL(fileURLWithPath: model), options: options)
                }) { $1 }
            } else if manifestArguments.manifest != nil {
                // The manifest's own weights, precision and overrides; --precision adds one more.
                var arguments = manifestArguments
                switch precision {
                case "auto": break
                case "f32", "bf16": arguments.overrides.append("weights.dtype=\(precision)")
                default: arguments.overrides.append("weights.quantize=\(precision)")
                }
                if try cachePrecision() != .f32 { arguments.overrides.append("attention.kv_cache=\(kvCache)") }
                if noMmap { arguments.overrides.append("weights.mmap=false") }
                let resolved = try arguments.resolve()!
                report.merge(try measureModel(resolved.manifest.name) { try LoadedModel.load(resolved.manifest).model }) { $1 }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: report, options: JSONOutput.options)
                StandardIO.write(String(decoding: data, as: UTF8.self) + "\n")
            }
        }
    }

    private func cachePrecision() throws -> KVPrecision {
        guard let value = KVPrecision(rawValue: kvCache) else {
            throw InputError(description: "--kv-cache: \"\(kvCache)\" is not one of f32, f16")
        }
        return value
    }

    private func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.sorted()[values.count / 2]
    }

    private func measureTokenizer(_ path: String, _ textPath: String) throws -> [String: Any] {
        let tokenizer = try Zoo.loadTokenizer(path: URL(fileURLWithPath: path))
        let data = try Data(contentsOf: URL(fileURLWithPath: textPath))
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InputError(description: "\(textPath): not valid UTF-8")
        }
        var rates: [Double] = []
        var tokens = 0
        for _ in 0..<max(1, passes) {
            let start = Date()
            tokens = tokenizer.encode(text, specialTokens: .asText).count
            rates.append(Double(data.count) / 1e6 / Date().timeIntervalSince(start))
        }
        if !json {
            StandardIO.write(String(format: "tokenizer %.1f MB/s (%d bytes -> %d tokens, median of %d)\n",
                                    median(rates)!, data.count, tokens, max(1, passes)))
        }
        return ["tokenizer": path, "tokenizer_mb_per_second": median(rates)!, "tokens": tokens, "bytes": data.count]
    }

    private func measureModel(_ modelPath: String, load: () throws -> any LanguageModel) throws -> [String: Any] {
        guard let backend = MatrixBackend(rawValue: matmul) else {
            throw InputError(description: "--matmul: \"\(matmul)\" is not one of native, openblas")
        }
        Runtime.matrixBackend = backend
        threads.apply()
        let loadStart = Date()
        let model = try load()
        let loadSeconds = Date().timeIntervalSince(loadStart)
        // Deterministic pseudo-random ids, the same in every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let ids = (0..<max(promptTokens, 8)).map { _ -> Int in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % min(model.vocabularySize, 150_000)
        }
        var prefillRates: [Double] = []
        var decodeRates: [Double] = []
        var firstTokenTimes: [Double] = []
        // One untimed step first, as llama.cpp's and PyTorch's benchmarks do: it faults the weights in
        // and starts the threads.
        _ = try model.forward(Array(ids.prefix(8)), cache: model.makeCache(capacity: 8), logits: .last)
        for _ in 0..<max(1, passes) {
            if promptTokens > 0 {
                let start = Date()
                let logits = try model.forward(Array(ids.prefix(promptTokens)), cache: model.makeCache(capacity: promptTokens), logits: .last)
                let prefillSeconds = Date().timeIntervalSince(start)
                _ = Greedy.argmax(logits.last)
                firstTokenTimes.append(Date().timeIntervalSince(start))
                prefillRates.append(Double(promptTokens) / prefillSeconds)
            }
            if decodeTokens > 0 {
                decodeRates.append(try measureDecode(model, ids: ids))
            }
        }
        let report: [String: Any] = [
            "model": modelPath, "threads": Runtime.threadCount, "matmul": backend.rawValue, "precision": precision,
            "kv_cache": kvCache, "mmap": !noMmap, "batch": batch,
            "isa": MatrixMultiply.nativeInstructionSet, "cpu_isa": MatrixMultiply.widestInstructionSet, "load_seconds": loadSeconds,
            "prompt_tokens": promptTokens, "decode_tokens": decodeTokens,
            "time_to_first_token_seconds": median(firstTokenTimes) ?? NSNull(), "peak_rss_mb": Self.peakResidentMB(),
            "prefill_tokens_per_second": median(prefillRates) ?? NSNull(),
            "decode_tokens_per_second": median(decodeRates) ?? NSNull(),
        ]
        if !json {
            func format(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
            StandardIO.write("""
                model     \(modelPath)
                backend   \(backend.rawValue) (\(MatrixMultiply.nativeInstructionSet)), \(Runtime.threadCount) threads, weights \(precision)
                load      \(String(format: "%.2f", loadSeconds)) s
                prefill   \(format(median(prefillRates))) tokens/s (\(promptTokens) tokens, median of \(passes))
                decode    \(format(median(decodeRates))) tokens/s (\(decodeTokens) tokens\(batch > 1 ? " × \(batch) sequences, aggregate" : ""), median of \(passes))
                ttft      \(median(firstTokenTimes).map { String(format: "%.3f s", $0) } ?? "-") (prompt of \(promptTokens))
                peak RSS  \(String(format: "%.0f MB", Self.peakResidentMB()))

                """)
        }
        return report
    }

    /// Decode tokens/s: `batch` sequences after their own 8-id prompts, greedy, `decodeTokens` steps of one
    /// forward pass over all of them (one call per sequence for a model that cannot batch).
    private func measureDecode(_ model: any LanguageModel, ids: [Int]) throws -> Double {
        let caches = (0..<batch).map { _ in model.makeCache(capacity: 8 + decodeTokens) }
        // The greedy next id of each sequence, read off its logits row in place.
        func step(_ tokens: [[Int]]) throws -> [Int] {
            let entries = zip(tokens, caches).map { BatchEntry(tokens: $0, cache: $1, logits: .last) }
            if let batched = model as? any BatchedLanguageModel { return try batched.forward(batch: entries).map { Greedy.argmax($0!.last) } }
            return try entries.map { Greedy.argmax(try model.forward($0.tokens, cache: $0.cache, logits: .last).last) }
        }
        // Each sequence its own prompt (rotated ids), so no two rows are the same.
        var next = try step((0..<batch).map { b in (0..<8).map { ids[(b + $0) % ids.count] } })
        let start = Date()
        for _ in 0..<decodeTokens {
            next = try step(next.map { [$0] })
        }
        return Double(decodeTokens * batch) / Date().timeIntervalSince(start)
    }

    /// The process's peak resident memory: VmHWM from /proc/self/status, this program's own high-water
    /// mark. getrusage's ru_maxrss (the fallback; kilobytes on Linux) also counts what the parent had
    /// resident when it forked us, e.g. a benchmark driver holding a model in memory.
    static func peakResidentMB() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            if fields.count >= 2, let kilobytes = Double(fields[1]) { return kilobytes / 1024 }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
