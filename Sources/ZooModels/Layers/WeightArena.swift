import CZooKernels
import Synchronization
import ZooKernels

/// Memory for weights repacked at load (the interleaved q8_0/q4_0/q5_0/q4_K/bf16 layouts, and the
/// four-row layout of copied fp32/16-bit matrices).
///
/// Why chunks: the memory asks for transparent huge pages (one TLB entry per 2 MiB of a matrix that is
/// streamed whole every decode step: 0.5B decode q8_0 +5–11 %, q4_0 +16–23 %), and a huge page is
/// resident whole once touched. Rounding every small matrix up to 2 MiB would waste ~250 MB on the
/// 0.5B shape, so matrices are carved one after another out of shared 64 MiB chunks instead. A
/// chunk lives as long as any matrix in it; `ZOO_HUGE_PAGES=0` turns the huge-page request off.
final class WeightChunk: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let size: Int

    fileprivate init(size: Int) {
        guard let memory = zoo_alloc_weights(size) else { fatalError("out of memory for \(size) bytes of weights") }
        base = memory
        self.size = size
    }

    deinit { zoo_free_weights(base) }
}

enum WeightArena {
    private struct State {
        weak var chunk: WeightChunk?
        var used = 0
    }

    private static let state = Mutex(State())
    private static let chunkSize = 64 << 20

    /// `bytes` of 64-byte-aligned memory and the chunk that owns it (keep it while using the memory).
    static func allocate(_ bytes: Int) -> (memory: UnsafeMutableRawPointer, owner: WeightChunk) {
        let size = max(64, (bytes + 63) / 64 * 64)
        if size > chunkSize / 4 {
            let chunk = WeightChunk(size: size)  // a large matrix (an output layer) gets its own
            return (chunk.base, chunk)
        }
        return state.withLock { state in
            if let chunk = state.chunk, state.used + size <= chunk.size {
                defer { state.used += size }
                return (chunk.base + state.used, chunk)
            }
            let chunk = WeightChunk(size: chunkSize)
            state.chunk = chunk
            state.used = size
            return (chunk.base, chunk)
        }
    }
}
