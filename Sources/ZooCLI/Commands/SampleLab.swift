import ArgumentParser
import Foundation
import QwenZoo
import ZooSamplers

struct SampleLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-lab",
        abstract: "Compare sampler chains side by side on one prompt, over several seeds.",
        discussion: """
            Each --chain runs --seeds times (seeds --seed, --seed+1, …) from the same prompt. Per chain it \
            reports the mean per-step entropy of the distribution drawn from (and of the model's own), \
            the mean probability mass each stage kept, distinct-1/2 (distinct n-grams over all n-grams, \
            across the samples), the repetition rate (generated tokens already generated earlier in the \
            same sample) and tokens/s (model + sampling).

            Chain syntax: stages separated by commas, applied left to right: name=value for one scalar, \
            name(key=value,…) for several, e.g. "repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7" \
            or "dry(multiplier=0.8,base=1.75,sequence_breakers=[198]),min_p=0.05,temperature=1". \
            Lists are [a,b]. An empty chain is greedy.

            --bench times the chains alone (no model) on random 151,936-entry logit rows and prints µs/token.
            """)

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors).")
    var model: String?

    @Option(help: "Prompt as comma-separated token ids, e.g. 1,2,3.")
    var ids: String?

    @Option(name: .customLong("chain"), help: "A sampler chain (repeatable). Default: greedy and Qwen2.5's chain.")
    var chains: [String] = []

    @Option(name: .customLong("manifest"), help: "A manifest whose chain to compare (repeatable); the first one also supplies the model and renders --prompt.")
    var manifests: [String] = []

    @Option(help: "Prompt text, rendered by the first manifest's variant (instead of --ids).")
    var prompt: String?

    @Option(help: "Samples per chain.")
    var seeds: Int = 4

    @Option(help: "The first seed.")
    var seed: UInt64 = 0

    @Option(help: "The most tokens per sample.")
    var maxTokens: Int = 32

    @Option(help: "Write one JSON line per sampling step to this file.")
    var trace: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: "Time the chains on random logits (no model) and print µs/token.")
    var bench = false

    @Option(help: "Vocabulary size for --bench.")
    var benchVocabulary: Int = 151_936

    @Option(help: "Steps per chain for --bench.")
    var benchSteps: Int = 2000

    @OptionGroup var threads: ThreadsArgument

    static let defaultChains = ["", "repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7"]
    static let benchChains = [
        "", "repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7", "min_p=0.05,temperature=0.7",
        "temperature=0.7", "top_k=40,top_p=0.95,min_p=0.05,temperature=0.8",
    ]

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        try Limits.checkMaxTokens(maxTokens)
        if !bench {
            guard model != nil || !manifests.isEmpty else { throw ValidationError("give --model or --manifest (or --bench)") }
            guard (ids == nil) != (prompt == nil) else { throw ValidationError("give exactly one of --ids and --prompt") }
            if prompt != nil, manifests.isEmpty { throw ValidationError("--prompt needs --manifest (its variant renders it)") }
        }
    }

    func run() throws {
        try reportingErrors {
            if bench { return try runBench() }
            threads.apply()
            let resolved = try manifests.map { try ManifestLoader().load($0) }
            var specs = resolved.map { ChainSyntax.format($0.manifest.samplerStages) } + chains
            var labels = resolved.map {
                "\($0.manifest.name): \($0.manifest.sampler.isEmpty ? "(greedy)" : ChainSyntax.format($0.manifest.samplerStages))"
            } + chains
            if specs.isEmpty {
                specs = Self.defaultChains
                labels = specs
            }
            // Build every chain first, so a typo fails before the model loads.
            let built = try specs.map { try SamplerChain(spec: $0) }
            let zoo = try resolved.first.map { try LoadedModel.load($0.manifest) }
            let model = try self.model.map { try Zoo.loadModel(directory: URL(fileURLWithPath: $0)) } ?? zoo!.model
            let prompt: [Int]
            if let text = self.prompt, let zoo {
                prompt = try zoo.plan(zoo.variant.request(forPrompt: text)).tokens
            } else {
                prompt = try StandardIO.parseIDs(ids!, option: "--ids")
            }
            var traceFile: FileHandle?
            if let trace {
                _ = FileManager.default.createFile(atPath: trace, contents: nil)
                guard let handle = FileHandle(forWritingAtPath: trace) else {
                    throw InputError(description: "--trace: cannot write \(trace)")
                }
                traceFile = handle
            }
            defer { try? traceFile?.close() }
            var reports: [[String: Any]] = []
            for (label, chain) in zip(labels, built) {
                reports.append(try measure(chain: chain, spec: label, prompt: prompt, model: model, traceFile: traceFile))
            }
            if json {
                let object: [String: Any] = [
                    "prompt": prompt, "seeds": seeds, "first_seed": seed, "max_tokens": maxTokens, "chains": reports,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: JSONOutput.options)
                StandardIO.write(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                printTable(reports)
            }
        }
    }

    private func measure(
        chain: SamplerChain, spec: String, prompt: [Int], model: any LanguageModel, traceFile: FileHandle?
    ) throws -> [String: Any] {
        var chain = chain
        chain.tracing = true
        let stopIDs = Set(model.endOfSequenceIDs)
        var samples: [[Int]] = []
        var entropy = 0.0, modelEntropy = 0.0, steps = 0
        var stageMass = [Double](repeating: 0, count: chain.stages.count)
        var stageKept = [Double](repeating: 0, count: chain.stages.count)
        let start = ContinuousClock.now
        for s in 0..<seeds {
            let seed = self.seed + UInt64(s)
            chain.reset()
            var context = SamplingContext(prompt: prompt, seed: seed)
            let cache = model.makeCache(capacity: min(model.contextLength, prompt.count + maxTokens))
            var logits = try model.forward(prompt, cache: cache, logits: .last)
            var generated: [Int] = []
            while true {
                var row = Array(logits.last)
                let token = try chain.next(logits: &row, context: &context)
                context.append(token)
                generated.append(token)
                if let t = chain.lastTrace {
                    steps += 1
                    entropy += t.entropy
                    modelEntropy += t.modelEntropy
                    for (i, st) in t.stages.enumerated() {
                        stageMass[i] += st.mass
                        stageKept[i] += Double(st.kept)
                    }
                    if let traceFile {
                        let line: [String: Any] = [
                            "chain": spec, "seed": seed, "step": generated.count - 1, "token": token,
                            "probability": t.probability, "entropy": t.entropy, "model_entropy": t.modelEntropy,
                            "candidates": t.candidates,
                            "stages": t.stages.map { ["stage": $0.stage, "kept": $0.kept, "mass": $0.mass] as [String: Any] },
                        ]
                        let data = try JSONSerialization.data(withJSONObject: line, options: JSONOutput.options)
                        traceFile.write(data + Data("\n".utf8))
                    }
                }
                if stopIDs.contains(token) || generated.count == maxTokens || cache.count + 1 > cache.capacity { break }
                logits = try model.forward([token], cache: cache, logits: .last)
            }
            samples.append(generated)
        }
        let seconds = (ContinuousClock.now - start).seconds
        let n = Double(max(steps, 1))
        return [
            "chain": spec.isEmpty ? "(greedy)" : spec,
            "samples": samples,
            "steps": steps,
            "mean_entropy": entropy / n,
            "mean_model_entropy": modelEntropy / n,
            "stages": chain.stages.indices.map { i in
                ["stage": chain.stages[i].name, "mean_mass_kept": stageMass[i] / n, "mean_kept": stageKept[i] / n]
                    as [String: Any]
            },
            "distinct_1": Self.distinct(samples, n: 1),
            "distinct_2": Self.distinct(samples, n: 2),
            "repetition_rate": Self.repetitionRate(samples),
            "tokens_per_second": Double(steps) / max(seconds, 1e-9),
        ]
    }

    /// Distinct n-grams over all n-grams, pooled across the samples (Li et al. 2016).
    static func distinct(_ samples: [[Int]], n: Int) -> Double {
        var seen = Set<[Int]>()
        var total = 0
        for s in samples where s.count >= n {
            for i in 0...(s.count - n) {
                seen.insert(Array(s[i..<(i + n)]))
                total += 1
            }
        }
        return total == 0 ? 0 : Double(seen.count) / Double(total)
    }

    /// The fraction of generated tokens that already occurred earlier in the same sample.
    static func repetitionRate(_ samples: [[Int]]) -> Double {
        var repeated = 0
        var total = 0
        for s in samples {
            var seen = Set<Int>()
            for t in s {
                if !seen.insert(t).inserted { repeated += 1 }
                total += 1
            }
        }
        return total == 0 ? 0 : Double(repeated) / Double(total)
    }

    private func printTable(_ reports: [[String: Any]]) {
        func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
        var out = pad("chain", 58) + ["H", "H model", "dist-1", "dist-2", "repeat", "tok/s"]
            .map { String(repeating: " ", count: 9 - $0.count) + $0 }.joined() + "\n"
        for r in reports {
            let name = r["chain"] as! String
            out += pad(name.count > 58 ? String(name.prefix(55)) + "..." : name, 58)
            out += String(format: " %8.3f %8.3f %8.3f %8.3f %8.3f %8.1f\n",
                          r["mean_entropy"] as! Double, r["mean_model_entropy"] as! Double,
                          r["distinct_1"] as! Double, r["distinct_2"] as! Double,
                          r["repetition_rate"] as! Double, r["tokens_per_second"] as! Double)
            let stages = r["stages"] as! [[String: Any]]
            if !stages.isEmpty {
                let parts = stages.map {
                    String(format: "%@ %.3f (%.1f kept)", ($0["stage"] as! String) as NSString,
                           $0["mean_mass_kept"] as! Double, $0["mean_kept"] as! Double)
                }
                out += "    mass kept: " + parts.joined(separator: " → ") + "\n"
            }
        }
        StandardIO.write(out)
    }

    private func runBench() throws {
        let specs = chains.isEmpty ? Self.benchChains : chains
        var random = SeededRandom(seed: seed)
        // A few rows shaped like a model's: roughly normal logits (sum of uniforms), scale ~3.
        let rows: [[Float]] = (0..<8).map { _ in
            (0..<benchVocabulary).map { _ in
                Float((random.nextDouble() + random.nextDouble() + random.nextDouble() - 1.5) * 6)
            }
        }
        var results: [[String: Any]] = []
        for spec in specs {
            var chain = try SamplerChain(spec: spec)
            var context = SamplingContext(prompt: (0..<64).map { _ in Int(random.next() % UInt64(benchVocabulary)) },
                                          seed: seed)
            var total = Duration.zero
            var samples: [Double] = []
            for step in 0..<(benchSteps + 50) {
                // A fresh, uniquely owned row, as the generator hands over (not timed).
                var row = rows[step % rows.count].withUnsafeBufferPointer { Array($0) }
                let t0 = ContinuousClock.now
                let token = try chain.next(logits: &row, context: &context)
                let dt = ContinuousClock.now - t0
                context.append(token)
                if step >= 50 {
                    total += dt
                    samples.append(dt.seconds * 1e6)
                }
            }
            samples.sort()
            results.append([
                "chain": spec.isEmpty ? "(greedy)" : spec,
                "mean_us": total.seconds * 1e6 / Double(benchSteps),
                "median_us": samples[samples.count / 2],
            ])
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["vocabulary": benchVocabulary, "chains": results],
                                                  options: [.sortedKeys])
            StandardIO.write(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            var out = "sampling cost per token, vocabulary \(benchVocabulary), \(benchSteps) steps\n"
            for r in results {
                let name = r["chain"] as! String
                out += name.padding(toLength: max(62, name.count), withPad: " ", startingAt: 0)
                out += String(format: " mean %8.1f µs  median %8.1f µs\n", r["mean_us"] as! Double, r["median_us"] as! Double)
            }
            StandardIO.write(out)
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
