import Synchronization
import ZooCore
import ZooSamplers
import ZooScheduler

/// The one scheduler of a model, made on first use.
final class SchedulerSlot: Sendable {
    private let current = Mutex<BatchScheduler?>(nil)

    func get(orMake make: () -> BatchScheduler) -> BatchScheduler {
        current.withLock { slot in
            if let scheduler = slot { return scheduler }
            let scheduler = make()
            slot = scheduler
            return scheduler
        }
    }

    func set(_ scheduler: BatchScheduler) { current.withLock { $0 = scheduler } }
}

extension LoadedModel {
    /// The continuous-batching scheduler every ``Session`` and ``ChatSession`` on this model runs
    /// through, so concurrent requests share each step's pass over the weights. Made on first use
    /// with the default configuration and no queue limit, unless ``makeScheduler(_:)`` made one first.
    public var scheduler: BatchScheduler {
        schedulerSlot.get { newScheduler(SchedulerConfiguration(maxQueue: .max)) }
    }

    /// Makes this model's scheduler with `configuration` (e.g. a server's `--parallel` and
    /// `--kv-memory`) and returns it: from now on the sessions on this model run through it too.
    /// Its tokenizer detokenizes, and each request's sampler stages are built from this model's
    /// registry (errors name the stage as `--chain` errors do).
    @discardableResult
    public func makeScheduler(_ configuration: SchedulerConfiguration = SchedulerConfiguration()) -> BatchScheduler {
        let scheduler = newScheduler(configuration)
        schedulerSlot.set(scheduler)
        return scheduler
    }

    private func newScheduler(_ configuration: SchedulerConfiguration) -> BatchScheduler {
        let manifest = manifest, components = components
        return BatchScheduler(
            model: model, tokenizer: tokenizer,
            makeSampler: { stages in try manifest.samplerChain(stages, components: components) },
            vocabulary: samplingVocabulary, configuration: configuration)
    }
}
