import ZooCore

extension ZooModel {
    /// The same weights and tokenizer with the variant rebuilt from changed options
    /// (e.g. `["votes": .number(8)]`), without loading anything again.
    public func withVariantOptions(_ changes: [String: OptionValue]) throws -> ZooModel {
        var manifest = self.manifest
        var values = manifest.variant.options.values
        for (key, value) in changes { values[key] = value }
        manifest.variant.options = ComponentOptions(values, context: manifest.variant.options.context)
        let variant = try build(manifest.variant, field: "variant", from: components.variants)
        return ZooModel(manifest: manifest, model: model, tokenizer: tokenizer, variant: variant, components: components)
    }
}
