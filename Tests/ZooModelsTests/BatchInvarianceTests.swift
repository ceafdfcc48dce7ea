import XCTest
import ZooAttention
import ZooCore
import ZooModels
import ZooTestSupport

/// A batched forward pass gives each sequence exactly (bit for bit) the logits it gets alone,
/// whatever else shares the batch, its position in it, and how its tokens are cut into chunks;
/// at every weight format and (through `scripts/test.sh`'s `ZOO_ISA` loop) every instruction set.
final class BatchInvarianceTests: XCTestCase {
    /// Three sequences of different lengths; each step takes a random chunk (or nothing) of each,
    /// in a shuffled order, with logits of every row.
    private func assertBatchInvariant(_ model: any LanguageModel, _ label: String) throws {
        let batched = try XCTUnwrap(model as? any BatchedLanguageModel, "\(label) does not batch")
        var random = SeededRandom(seed: 7)
        let vocabulary = model.vocabularySize
        let sequences: [[Int]] = [11, 4, 17].map { length in
            (0..<length).map { _ in Int(random.next() % UInt64(min(vocabulary, 1000))) }
        }
        // Alone: the whole sequence in one call on a fresh cache.
        let alone = try sequences.map { try model.forward($0, cache: model.makeCache(capacity: nil), logits: .all) }
        let caches = sequences.map { _ in model.makeCache(capacity: nil) }
        var done = sequences.map { _ in 0 }
        while zip(done, sequences).contains(where: { $0 < $1.count }) {
            var order = Array(sequences.indices)
            order.shuffle(using: &random)
            var entries: [BatchEntry] = [], owners: [(sequence: Int, first: Int)] = []
            for s in order where done[s] < sequences[s].count {
                let chunk = Int(random.next() % 5)  // 0: this sequence sits the step out
                guard chunk > 0 else { continue }
                let end = min(sequences[s].count, done[s] + chunk)
                entries.append(BatchEntry(tokens: Array(sequences[s][done[s]..<end]), cache: caches[s], logits: .all))
                owners.append((s, done[s]))
                done[s] = end
            }
            guard !entries.isEmpty else { continue }
            let results = try batched.forward(batch: entries)
            for (entry, (owner, result)) in zip(entries, zip(owners, results)) {
                let logits = try XCTUnwrap(result)
                XCTAssertEqual(logits.rows, entry.tokens.count)
                for row in 0..<logits.rows {
                    let position = owner.first + row
                    XCTAssertEqual(Array(logits[row]), Array(alone[owner.sequence][position]),
                                   "\(label): sequence \(owner.sequence) position \(position) in a batch of \(entries.count)")
                }
            }
        }
    }

    func testNanoModelAtEveryWeightFormat() throws {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("zoo/models/nano-base")
        for precision in [WeightPrecision.asStored, .q8_0, .q4_0, .q4_K, .bf16] {
            let model = try ArchitectureRegistry.shared.load(directory: directory, options: ModelOptions(weightPrecision: precision))
            try assertBatchInvariant(model, "nano-base \(precision)")
        }
    }

    func testFixtureCheckpointsAndHalfPrecisionCache() throws {
        for name in ["gqa-f16-untied-sharded", "mqa-f32-sharded", "yarn-f32-untied", "mha-f32-tied"] {
            let directory = Qwen2Reference.directory(name)
            try assertBatchInvariant(ArchitectureRegistry.shared.load(directory: directory), name)
            let half = ModelOptions(attention: CausalAttention(cachePrecision: .f16))
            try assertBatchInvariant(ArchitectureRegistry.shared.load(directory: directory, options: half), "\(name) f16 cache")
        }
    }

    /// Qwen v1 fixes a sequence's RoPE at its prefill (dynamic NTK), so prompts run whole: one batch of
    /// prefills of different lengths (different frequencies), then decode steps in shuffled batches.
    func testQwenV1WithDynamicNTKAndLogN() throws {
        for name in ["v1-plain", "v1-ntk-logn"] {
            let model = try ArchitectureRegistry.shared.load(directory: Fixtures.url("qwen-v1/\(name)"))
            let batched = try XCTUnwrap(model as? any BatchedLanguageModel, name)
            var random = SeededRandom(seed: 3)
            let prompts = [20, 6, 13].map { n in (0..<n).map { _ in Int(random.next() % UInt64(model.vocabularySize)) } }
            let continuations = prompts.map { _ in (0..<6).map { _ in Int(random.next() % UInt64(model.vocabularySize)) } }
            // Alone: the prompt in one call, then one id per call.
            let alone: [[Float]] = try zip(prompts, continuations).map { prompt, rest in
                let cache = model.makeCache(capacity: nil)
                var rows = try model.forward(prompt, cache: cache, logits: .all).values
                for id in rest { rows += try model.forward([id], cache: cache, logits: .last).values }
                return rows
            }
            let V = model.vocabularySize
            let caches = prompts.map { _ in model.makeCache(capacity: nil) }
            let prefills = try batched.forward(batch: prompts.indices.reversed().map {
                BatchEntry(tokens: prompts[$0], cache: caches[$0], logits: .all)
            })
            for (i, logits) in zip(prompts.indices.reversed(), prefills) {
                XCTAssertEqual(logits?.values, Array(alone[i][..<(prompts[i].count * V)]), "\(name) prefill \(i)")
            }
            var next = prompts.map { _ in 0 }
            while zip(next, continuations).contains(where: { $0 < $1.count }) {
                let chosen = prompts.indices.shuffled(using: &random).filter { next[$0] < 6 && random.next() % 3 != 0 }
                guard !chosen.isEmpty else { continue }
                let results = try batched.forward(batch: chosen.map {
                    BatchEntry(tokens: [continuations[$0][next[$0]]], cache: caches[$0], logits: .last)
                })
                for (i, logits) in zip(chosen, results) {
                    let row = prompts[i].count + next[i]
                    XCTAssertEqual(logits?.values, Array(alone[i][(row * V)..<((row + 1) * V)]), "\(name) sequence \(i) row \(row)")
                    next[i] += 1
                }
            }
        }
    }

    func testAnEntryWithoutLogitsStillFillsItsCache() throws {
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory("gqa-f32-untied"))
        let batched = try XCTUnwrap(model as? any BatchedLanguageModel)
        let ids = [5, 9, 13, 2]
        let alone = try model.forward(ids, cache: model.makeCache(capacity: nil), logits: .last)
        let (a, b) = (model.makeCache(capacity: nil), model.makeCache(capacity: nil))
        let results = try batched.forward(batch: [
            BatchEntry(tokens: Array(ids[..<3]), cache: a, logits: nil), BatchEntry(tokens: [7], cache: b, logits: .last),
        ])
        XCTAssertNil(results[0])
        XCTAssertNotNil(results[1])
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(try model.forward([ids[3]], cache: a, logits: .last).values, alone.values)
    }

    func testABadIdFailsTheBatchBeforeAnyCacheChanges() throws {
        let model = try ArchitectureRegistry.shared.load(directory: Qwen2Reference.directory("gqa-f32-untied"))
        let batched = try XCTUnwrap(model as? any BatchedLanguageModel)
        let (a, b) = (model.makeCache(capacity: nil), model.makeCache(capacity: nil))
        XCTAssertThrowsError(try batched.forward(batch: [
            BatchEntry(tokens: [1, 2], cache: a, logits: .last), BatchEntry(tokens: [model.vocabularySize], cache: b, logits: .last),
        ]))
        XCTAssertEqual(a.count, 0)
        XCTAssertEqual(b.count, 0)
    }
}
