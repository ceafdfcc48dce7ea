import Foundation

/// Parameter counts from a `config.json`, without reading the weights.
public enum ParameterCount {
    /// The unique parameters of a `qwen2` or `qwen` (v1) checkpoint; `nil` for other architectures
    /// or an incomplete config.
    public static func estimate(config: [String: Any]) -> Int? {
        func int(_ key: String) -> Int? { (config[key] as? NSNumber)?.intValue }
        guard let type = config["model_type"] as? String, let V = int("vocab_size"), let H = int("hidden_size"),
              let L = int("num_hidden_layers"), let heads = int("num_attention_heads"), let I = int("intermediate_size")
        else { return nil }
        switch type {
        case "qwen2":
            let D = int("head_dim") ?? H / heads
            let kv = int("num_key_value_heads") ?? heads
            let q = heads * D, k = kv * D
            let tied = config["tie_word_embeddings"] as? Bool ?? false
            let layer = (H * q + q) + 2 * (H * k + k) + q * H + 3 * H * I + 2 * H
            return V * H * (tied ? 1 : 2) + L * layer + H
        case "qwen":
            let D = int("kv_channels") ?? H / heads
            let proj = heads * D, F = I / 2
            let layer = (3 * proj * H + 3 * proj) + proj * H + 3 * H * F + 2 * H
            return 2 * V * H + L * layer + H
        default:
            return nil
        }
    }
}

