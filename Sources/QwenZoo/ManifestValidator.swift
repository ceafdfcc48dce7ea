import Foundation
import ZooCore

/// Checks that everything a manifest names can be built, without loading weights.
public enum ManifestValidator {
    /// Throws a ``ManifestError`` for an unknown or misconfigured attention kind, variant, sampler
    /// stage or tokenizer kind, or a tokenizer path that does not exist (unless it lies in a checkpoint
    /// folder not yet downloaded).
    public static func check(_ manifest: Manifest, components: ZooComponents = .shared) throws {
        _ = try build(manifest.attention, field: "attention", from: components.attention)
        _ = try build(manifest.variant, field: "variant", from: components.variants)
        _ = try manifest.samplerChain(components: components)
        if let tokenizer = manifest.tokenizer {
            do {
                _ = try components.tokenizers.factory(tokenizer.kind)
            } catch {
                throw ManifestError(origin: nil, field: "tokenizer.kind", message: "\(error)")
            }
            // A tokenizer shipped inside an absent checkpoint folder is part of the same missing download.
            let insideAbsentWeights = manifest.weights.map {
                tokenizer.path.path.hasPrefix($0.path.path) && !FileManager.default.fileExists(atPath: $0.path.path)
            } ?? false
            guard insideAbsentWeights || FileManager.default.fileExists(atPath: tokenizer.path.path) else {
                throw ManifestError(origin: nil, field: "tokenizer.path", message: "\(tokenizer.path.path) does not exist")
            }
        }
    }
}

/// Builds a manifest component, reporting an unknown name or bad option at the manifest line
/// that named it.
func build<Component>(
    _ spec: ComponentSpec, field: String, from registry: Registry<@Sendable (ComponentOptions) throws -> Component>
) throws -> Component {
    let factory: @Sendable (ComponentOptions) throws -> Component
    do {
        factory = try registry.factory(spec.name)
    } catch {
        throw ManifestError(origin: spec.origin, field: field, message: "\(error)")
    }
    do {
        return try factory(spec.options)
    } catch let error as OptionError {
        // The options carry their own file/field context.
        throw error
    } catch {
        throw ManifestError(origin: spec.origin, field: field, message: "\(error)")
    }
}
