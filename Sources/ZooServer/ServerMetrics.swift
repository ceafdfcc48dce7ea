import Foundation
import QwenZoo
import Synchronization

/// The server's counters and latency histograms, written in Prometheus' text format for
/// `GET /metrics`. Engine gauges (queue depth, running sequences, batch sizes) are read from each
/// engine's `EngineStatus` when scraped.
public final class ServerMetrics: Sendable {
    private let state = Mutex(State())

    private struct State {
        var requestsByStatus: [Int: Int] = [:]
        var promptTokens = 0
        var generatedTokens = 0
        var cachedPromptTokens = 0
        var cancelled = 0
        var timeToFirstToken = Histogram(bounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
        var interTokenLatency = Histogram(bounds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])
    }

    /// Cumulative buckets, as Prometheus histograms are exposed.
    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double, times: Int = 1) {
            for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += times }
            sum += value * Double(times)
            count += times
        }

        func lines(_ name: String, labels: String = "") -> [String] {
            let separator = labels.isEmpty ? "" : ","
            var out = zip(bounds, counts).map { bound, count in
                "\(name)_bucket{\(labels)\(separator)le=\"\(ServerMetrics.format(bound))\"} \(count)"
            }
            out.append("\(name)_bucket{\(labels)\(separator)le=\"+Inf\"} \(count)")
            let braces = labels.isEmpty ? "" : "{\(labels)}"
            out.append("\(name)_sum\(braces) \(ServerMetrics.format(sum))")
            out.append("\(name)_count\(braces) \(count)")
            return out
        }
    }

    public init() {}

    /// A response was sent with `status`.
    func recordResponse(status: Int) {
        state.withLock { $0.requestsByStatus[status, default: 0] += 1 }
    }

    /// A request finished (or was dropped) after running.
    func recordUsage(prompt: Int, generated: Int, cached: Int) {
        state.withLock {
            $0.promptTokens += prompt
            $0.generatedTokens += generated
            $0.cachedPromptTokens += cached
        }
    }

    /// A client left before its request finished.
    func recordCancelled() {
        state.withLock { $0.cancelled += 1 }
    }

    func recordFirstToken(after seconds: Double) {
        state.withLock { $0.timeToFirstToken.observe(seconds) }
    }

    func recordInterToken(_ seconds: Double) {
        state.withLock { $0.interTokenLatency.observe(seconds) }
    }

    /// Everything, in Prometheus' text exposition format (version 0.0.4).
    func render(models: [ServedModel]) -> String {
        let s = state.withLock { $0 }
        var lines: [String] = []
        func header(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        header("zoo_requests_total", "counter", "HTTP responses sent, by status code.")
        for status in s.requestsByStatus.keys.sorted() {
            lines.append("zoo_requests_total{status=\"\(status)\"} \(s.requestsByStatus[status]!)")
        }
        header("zoo_requests_cancelled_total", "counter", "Requests whose client left before they finished.")
        lines.append("zoo_requests_cancelled_total \(s.cancelled)")
        header("zoo_prompt_tokens_total", "counter", "Prompt tokens of the requests that ran.")
        lines.append("zoo_prompt_tokens_total \(s.promptTokens)")
        header("zoo_prompt_tokens_cached_total", "counter", "Prompt tokens whose keys and values came from a cache.")
        lines.append("zoo_prompt_tokens_cached_total \(s.cachedPromptTokens)")
        header("zoo_generation_tokens_total", "counter", "Tokens generated.")
        lines.append("zoo_generation_tokens_total \(s.generatedTokens)")
        let statuses = models.map { ($0.name, $0.engine.status()) }
        header("zoo_queue_depth", "gauge", "Requests waiting for admission.")
        for (name, status) in statuses { lines.append("zoo_queue_depth{model=\"\(name)\"} \(status.queued)") }
        header("zoo_running_sequences", "gauge", "Sequences in the running batch.")
        for (name, status) in statuses { lines.append("zoo_running_sequences{model=\"\(name)\"} \(status.running)") }
        header("zoo_kv_cache_bytes", "gauge", "Bytes of KV cache held by running sequences.")
        for (name, status) in statuses { lines.append("zoo_kv_cache_bytes{model=\"\(name)\"} \(status.kvBytesInUse)") }
        header("zoo_kv_cache_budget_bytes", "gauge", "The KV memory budget (0: unbounded).")
        for (name, status) in statuses { lines.append("zoo_kv_cache_budget_bytes{model=\"\(name)\"} \(status.kvBytesBudget)") }
        header("zoo_batch_size", "histogram", "Sequences per decode step.")
        for (name, status) in statuses {
            var histogram = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128])
            for (size, steps) in status.stepsByBatchSize { histogram.observe(Double(size), times: steps) }
            lines += histogram.lines("zoo_batch_size", labels: "model=\"\(name)\"")
        }
        header("zoo_time_to_first_token_seconds", "histogram", "From a request's arrival to its first generated token.")
        lines += s.timeToFirstToken.lines("zoo_time_to_first_token_seconds")
        header("zoo_inter_token_latency_seconds", "histogram", "Between consecutive tokens of one sample.")
        lines += s.interTokenLatency.lines("zoo_inter_token_latency_seconds")
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
