import ArgumentParser
import Foundation
import QwenZoo

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prompt processing and decode speed on a checkpoint (tokens/s).",
        discussion: """
            Runs a prefill of --prompt-tokens ids and then --decode-tokens greedy steps, --repeat times,
            and reports the median of each. Prints one JSON object with --json.
            """)

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors).")
    var model: String

    @Option(help: "Prompt length for the prefill measurement.")
    var promptTokens: Int = 512

    @Option(help: "Tokens decoded one at a time after a short prompt.")
    var decodeTokens: Int = 64

    @Option(name: .customLong("repeat"), help: "Passes; the median is reported.")
    var passes: Int = 3

    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    @Option(help: "Matrix backend: native or openblas.")
    var matmul: String = MatrixBackend.native.rawValue

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        try reportingErrors {
            guard let backend = MatrixBackend(rawValue: matmul) else {
                throw InputError(description: "--matmul: \"\(matmul)\" is not one of native, openblas")
            }
            Runtime.matrixBackend = backend
            if let threads { Runtime.threadCount = threads }
            let loadStart = Date()
            let model = try Zoo.loadModel(directory: URL(fileURLWithPath: self.model))
            let loadSeconds = Date().timeIntervalSince(loadStart)
            // Deterministic pseudo-random ids, the same in every run.
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            let ids = (0..<max(promptTokens, 8)).map { _ -> Int in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int(state >> 33) % min(model.vocabularySize, 150_000)
            }
            var prefillRates: [Double] = []
            var decodeRates: [Double] = []
            for _ in 0..<max(1, passes) {
                if promptTokens > 0 {
                    let start = Date()
                    _ = try model.forward(Array(ids.prefix(promptTokens)), cache: model.makeCache(capacity: promptTokens), logits: .last)
                    prefillRates.append(Double(promptTokens) / Date().timeIntervalSince(start))
                }
                if decodeTokens > 0 {
                    let cache = model.makeCache(capacity: 8 + decodeTokens)
                    var logits = try model.forward(Array(ids.prefix(8)), cache: cache, logits: .last)
                    let start = Date()
                    for _ in 0..<decodeTokens {
                        let next = GreedySampler.argmax(logits.last)
                        logits = try model.forward([next], cache: cache, logits: .last)
                    }
                    decodeRates.append(Double(decodeTokens) / Date().timeIntervalSince(start))
                }
            }
            func median(_ values: [Double]) -> Double? {
                values.isEmpty ? nil : values.sorted()[values.count / 2]
            }
            let report: [String: Any] = [
                "model": self.model, "threads": Runtime.threadCount, "matmul": backend.rawValue,
                "isa": MatrixMultiply.nativeInstructionSet, "load_seconds": loadSeconds,
                "prompt_tokens": promptTokens, "decode_tokens": decodeTokens,
                "prefill_tokens_per_second": median(prefillRates) ?? NSNull(),
                "decode_tokens_per_second": median(decodeRates) ?? NSNull(),
            ]
            if json {
                let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
                StandardIO.write(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                func format(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
                StandardIO.write("""
                    model     \(self.model)
                    backend   \(backend.rawValue) (\(MatrixMultiply.nativeInstructionSet)), \(Runtime.threadCount) threads
                    load      \(String(format: "%.2f", loadSeconds)) s
                    prefill   \(format(median(prefillRates))) tokens/s (\(promptTokens) tokens, median of \(passes))
                    decode    \(format(median(decodeRates))) tokens/s (\(decodeTokens) tokens, median of \(passes))

                    """)
            }
        }
    }
}
