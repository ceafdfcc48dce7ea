import ZooCore
import ZooSamplers
import ZooScheduler

extension ZooModel {
    /// A continuous-batching scheduler over this model (weights shared): its tokenizer
    /// detokenizes, and each request's sampler stages are built from this model's registry
    /// (errors name the stage as `--chain` errors do). One scheduler per model serves every caller.
    public func makeScheduler(_ configuration: SchedulerConfiguration = SchedulerConfiguration()) -> BatchScheduler {
        let manifest = manifest, components = components
        return BatchScheduler(
            model: model, tokenizer: tokenizer,
            makeSampler: { stages in try manifest.samplerChain(stages, components: components) },
            configuration: configuration)
    }
}
