/// What the step loop counts for ``EngineStatus``: the batch sizes its steps ran with.
struct SchedulerMetrics {
    /// Steps by the number of sequences they ran.
    private(set) var stepsByBatchSize: [Int: Int] = [:]

    mutating func recordStep(sequences: Int) {
        stepsByBatchSize[sequences, default: 0] += 1
    }
}
