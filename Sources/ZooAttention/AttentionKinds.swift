import ZooCore

/// The attention kinds this target provides, under the names manifests use.
public enum AttentionKinds {
    /// Registers `causal` (full causal attention; MHA, GQA and MQA).
    public static func register(into registry: Registry<AttentionFactory>) {
        registry.register("causal") { options in
            try options.rejectUnknownKeys(allowed: [])
            return CausalAttention()
        }
    }
}
