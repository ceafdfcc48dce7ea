import ArgumentParser
import Foundation
import QwenZoo
import ZooServer

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve manifests over an OpenAI-compatible HTTP API.",
        discussion: """
            Each --manifest is a model; a request's "model" field names it. Endpoints: \
            POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, \
            GET /metrics, POST /tokenize, POST /detokenize. Prints "listening on http://HOST:PORT" \
            when ready (with --port 0, the port the system chose) and stops on SIGINT or SIGTERM.
            """)

    @Option(name: .customLong("manifest"), help: "A manifest to serve (name or .yaml file); repeat for more models.")
    var manifests: [String] = []

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed when ready).")
    var port = 8080

    @Option(help: "Require this key as \"Authorization: Bearer KEY\" (not on /health and /metrics).")
    var apiKey: String?

    @Option(help: "Read the key from this file (its first line).")
    var apiKeyFile: String?

    @Option(help: "The most sequences running at once per model.")
    var parallel = 4

    @Option(help: "The most requests waiting per model; more are answered 429 with Retry-After.")
    var maxQueue = 256

    @Option(help: "The KV cache memory budget per model, e.g. 512M or 2G (default: unbounded).")
    var kvMemory: String?

    @Option(help: "The most prompt tokens one batched step prefills beside the running streams: smaller keeps their tokens flowing evenly while a new prompt is read, larger gives the new request its first token sooner.")
    var prefillChunk = SchedulerConfiguration.defaultPrefillChunk

    @Option(help: "The largest request body accepted, e.g. 4M; larger is a 413.")
    var maxBody = "4M"

    @OptionGroup var threads: ThreadsArgument

    func validate() throws {
        if manifests.isEmpty { throw ValidationError("give at least one --manifest") }
        if apiKey != nil, apiKeyFile != nil { throw ValidationError("give at most one of --api-key and --api-key-file") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be in 0...65535, found \(port)") }
        if parallel < 1 { throw ValidationError("--parallel must be at least 1, found \(parallel)") }
        if maxQueue < 0 { throw ValidationError("--max-queue must be at least 0, found \(maxQueue)") }
        if prefillChunk < 1 { throw ValidationError("--prefill-chunk must be at least 1, found \(prefillChunk)") }
        _ = try ByteSize.parse(maxBody, option: "--max-body")
        if let kvMemory { _ = try ByteSize.parse(kvMemory, option: "--kv-memory") }
    }

    func run() throws {
        try reportingErrors {
            threads.apply()
            let loader = ManifestLoader()
            let pending = try manifests.map { reference in
                ManifestArguments.warnIfShadowed(reference, loader: loader)
                return ModelRegistry.Pending(reference: reference, resolved: try loader.load(reference))
            }
            let engine = EngineOptions(parallel: parallel, maxQueue: maxQueue,
                                       kvBudgetBytes: try kvMemory.map { try ByteSize.parse($0, option: "--kv-memory") } ?? 0,
                                       prefillChunk: prefillChunk)
            let server = ZooServer(
                registry: try ModelRegistry(manifests: pending, options: engine),
                options: ServerOptions(host: host, port: port, apiKey: try key(),
                                       bodyLimit: try ByteSize.parse(maxBody, option: "--max-body")))
            try AsyncBridge.wait {
                try await server.run { host, port in
                    StandardIO.write("listening on http://\(host):\(port)\n")
                }
            }
        }
    }

    private func key() throws -> String? {
        guard let apiKeyFile else { return apiKey }
        guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
            throw InputError(description: "--api-key-file \(apiKeyFile): cannot read the file")
        }
        let key = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !key.isEmpty else { throw InputError(description: "--api-key-file \(apiKeyFile): the file holds no key") }
        return key
    }
}

/// A size on the command line: bytes, or a number with K, M, G (powers of 1024; `KiB`, `MB`… too).
enum ByteSize {
    static func parse(_ text: String, option: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kb", "kib": scale = 1024
        case "m", "mb", "mib": scale = 1024 * 1024
        case "g", "gb", "gib": scale = 1024 * 1024 * 1024
        default: throw ValidationError("\(option): unknown unit \"\(unit)\" in \"\(text)\" (use K, M or G)")
        }
        guard let value = Double(digits), value > 0, value * scale < Double(Int.max) else {
            throw ValidationError("\(option): expected a positive size such as 512M or 2G, found \"\(text)\"")
        }
        return Int(value * scale)
    }
}
