import ZooCore

extension LoadedModel {
    /// The same weights and tokenizer with the variant rebuilt from changed options
    /// (e.g. `["votes": .number(8)]`), without loading anything again.
    public func withVariantOptions(_ changes: [String: OptionValue]) throws -> LoadedModel {
        var manifest = self.manifest
        var values = manifest.variant.options.values
        for (key, value) in changes { values[key] = value }
        manifest.variant.options = ComponentOptions(values, context: manifest.variant.options.context)
        let variant: any Variant
        do {
            variant = try build(manifest.variant, field: "variant", from: components.variants)
        } catch let error as OptionError where changes.keys.contains(error.key) {
            // The option comes from the caller (e.g. eval's votes), not the manifest: name what is needed.
            let needed = BuiltinVariants.owner(of: error.key).map { " a \($0) variant," } ?? " a variant that takes it,"
            throw ManifestError(
                origin: manifest.variant.origin, field: "variant",
                message: "this needs\(needed) but \(manifest.name)'s variant is \"\(manifest.variant.name)\", which has no \"\(error.key)\" option")
        }
        return LoadedModel(manifest: manifest, model: model, tokenizer: tokenizer, variant: variant, components: components,
                           remote: remote)  // the same engine: a remote manifest keeps running remotely
    }
}
