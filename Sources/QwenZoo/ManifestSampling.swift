import ZooCore
import ZooSamplers

extension Manifest {
    /// The manifest's sampler chain as stage specs (`- top_k: 20` → `top_k=20`).
    public var samplerStages: [SamplerStageSpec] {
        sampler.map { SamplerStageSpec($0.name, $0.options.values) }
    }

    /// Builds the manifest's chain (or `stages` instead, e.g. from `--chain`); errors name the
    /// manifest line of the chain and the stage.
    public func samplerChain(_ stages: [SamplerStageSpec]? = nil, components: ZooComponents = .shared) throws -> SamplerChain {
        if let stages {
            return try SamplerChain(stages: stages, registry: components.samplerStages, context: "--chain")
        }
        let origin = sampler.first?.origin.map { "\($0): sampler" } ?? "sampler"
        return try SamplerChain(stages: samplerStages, registry: components.samplerStages, context: origin)
    }
}
