import ZooCore

/// The attention kinds this target provides, under the names manifests use.
public enum AttentionKinds {
    /// Registers `causal` (full causal attention; MHA, GQA and MQA), with the option
    /// `kv_cache: f32 | f16` (default f32).
    public static func register(into registry: Registry<AttentionFactory>) {
        registry.register("causal") { options in
            try options.rejectUnknownKeys(allowed: ["kv_cache"])
            let name = try options.string("kv_cache") ?? KVPrecision.f32.rawValue
            guard let precision = KVPrecision(rawValue: name) else {
                throw options.error(
                    "kv_cache", "'\(name)' is not a KV cache precision; use one of \(KVPrecision.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return CausalAttention(cachePrecision: precision)
        }
    }
}
