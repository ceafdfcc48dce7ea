import ZooCore
import ZooSamplers

/// A sampler stage an OpenAI-compatible server cannot run as the chain says: named, never approximated.
public struct UnsupportedStageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The stage's name, e.g. `xtc`.
    public let stage: String
    /// Why it cannot be sent.
    public let reason: String

    public var description: String { "sampler stage \(stage) cannot run on an OpenAI-compatible engine: \(reason)" }
}

/// The request fields a sampler chain maps to.
///
/// An OpenAI-compatible server applies its stages in a fixed order: penalties and logit bias on the
/// raw logits, then temperature, then the truncations (top-k, top-p, min-p), as vLLM and
/// transformers do; llama-server is told the same order with its `samplers` field. A chain is sent
/// only if it means the same under that order: penalties before temperature, top-p and min-p after
/// it (top-k keeps the same ids at any temperature, so it may come anywhere), each stage once.
public struct OpenAISampling: Sendable, Equatable {
    /// The JSON fields, e.g. `temperature: 0.7`, `top_k: 20`.
    public var fields: [String: OptionValue]

    /// The stages the OpenAI API can express, in the order the server applies them.
    static let supported = ["greedy", "temperature", "top_k", "top_p", "min_p", "repetition_penalty",
                            "presence_penalty", "frequency_penalty", "logit_bias"]

    /// Maps `chain`; throws ``UnsupportedStageError`` naming the first stage that cannot be sent.
    public init(chain: [SamplerStageSpec]) throws {
        fields = [:]
        var seen: Set<String> = []
        var temperatureSeen = false, truncationSeen = false
        // llama-server's names for the order it applies its stages in.
        var llamaOrder: [String] = []
        for stage in chain {
            let name = stage.name
            guard Self.supported.contains(name) else {
                throw UnsupportedStageError(
                    stage: name, reason: "the OpenAI API has no such field (it has \(Self.supported.joined(separator: ", ")))")
            }
            guard seen.insert(name).inserted else {
                throw UnsupportedStageError(stage: name, reason: "it appears twice; the API has one field for it")
            }
            let options = ComponentOptions(stage.options, context: "sampler.\(name)")
            func only(_ keys: [String]) throws {
                for (key, value) in stage.options where !keys.contains(key) {
                    // Options at their default value are what the API does anyway.
                    let isDefault = (key == "min_keep" && value == .number(1)) || (key == "window" && value == .number(0))
                        || (key == "include_prompt" && value == .bool(false))
                    guard isDefault else {
                        throw UnsupportedStageError(stage: name, reason: "its option \(key) has no request field")
                    }
                }
            }
            switch name {
            case "greedy":
                try only([])
                fields["temperature"] = .number(0)
                temperatureSeen = true
            case "temperature":
                try only(["value"])
                fields["temperature"] = .number(try options.double("value") ?? 1)
                if truncationSeen {
                    throw UnsupportedStageError(stage: name, reason: "it comes after top_p or min_p, and the server applies temperature before them")
                }
                temperatureSeen = true
                llamaOrder.append("temperature")
            case "top_k":
                try only(["value"])
                let k = try options.int("value") ?? 0
                if k > 0 {
                    fields["top_k"] = .number(Double(k))
                    llamaOrder.append("top_k")
                }
            case "top_p", "min_p":
                try only(["value"])
                fields[name] = .number(try options.double("value") ?? 1)
                truncationSeen = true
                llamaOrder.append(name)
            case "repetition_penalty", "presence_penalty", "frequency_penalty":
                try only(["value"])
                if temperatureSeen || truncationSeen {
                    throw UnsupportedStageError(stage: name, reason: "it comes after temperature or a truncation, and the server applies penalties first")
                }
                let value = try options.double("value") ?? 0
                fields[name] = .number(value)
                if name == "repetition_penalty" {
                    // llama-server's name, over the whole sequence as transformers and vLLM count it.
                    fields["repeat_penalty"] = .number(value)
                    fields["repeat_last_n"] = .number(-1)
                }
                if !llamaOrder.contains("penalties") { llamaOrder.append("penalties") }
            case "logit_bias":
                if temperatureSeen || truncationSeen {
                    throw UnsupportedStageError(stage: name, reason: "it comes after temperature or a truncation, and the server adds the bias first")
                }
                var bias: [String: OptionValue] = [:]
                for (key, value) in stage.options {
                    guard let id = Int(key), case .number(let b) = value else {
                        throw UnsupportedStageError(stage: name, reason: "expected token id = bias pairs")
                    }
                    // -inf bans an id; the API's floor, -100, leaves it a probability below 1e-43.
                    guard b == -.infinity || (-100...100).contains(b) else {
                        throw UnsupportedStageError(stage: name, reason: "the API takes biases in [-100, 100] (or -inf), found \(b) for id \(id)")
                    }
                    bias[String(id)] = .number(b == -.infinity ? -100 : b)
                }
                fields["logit_bias"] = .map(bias)
            default:
                break
            }
        }
        if fields["temperature"] == nil, !chain.isEmpty {
            fields["temperature"] = .number(1)  // the chain samples at temperature 1; the API's default differs by server
        }
        if chain.isEmpty { fields["temperature"] = .number(0) }  // an empty chain is greedy
        if !llamaOrder.isEmpty { fields["samplers"] = .list(llamaOrder.map(OptionValue.string)) }
    }
}
