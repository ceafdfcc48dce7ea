import CZooKernels

/// Memory each thread keeps and reuses, so that a warm decode step allocates no buffers.
public enum ThreadScratch {
    /// Users of scratch memory that can be live at the same time on one thread.
    public enum Slot: Int32, Sendable {
        /// A model's activations for one decode step.
        case activations = 0
        /// The integer kernels' quantized activations.
        case integerActivations = 1
        /// Attention scores of one query.
        case attentionScores = 2
    }

    /// At least `bytes` of 64-byte-aligned memory, valid until this thread next asks for `slot`.
    public static func bytes(_ slot: Slot, _ bytes: Int) -> UnsafeMutableRawPointer {
        guard let pointer = zoo_thread_scratch(slot.rawValue, max(1, bytes)) else {
            fatalError("out of memory: \(bytes) bytes of scratch")
        }
        return pointer
    }

    /// Room for `count` floats, valid until this thread next asks for `slot`.
    public static func floats(_ slot: Slot, count: Int) -> UnsafeMutablePointer<Float> {
        bytes(slot, count * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
    }
}
