import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Prompt-cache reuse across turns and requests, and saving caches to disk.
final class APIPromptCacheTests: XCTestCase {
    func testLogitsAfterReuseEqualAFreshPrefill() async throws {
        let zoo = try await APITest.model("tiny-chat")
        let history = try zoo.plan(.chat([
            ChatMessage(.system, "You are terse."), ChatMessage(.user, "Hello, who are you?"),
            ChatMessage(.assistant, "A tiny random model."), ChatMessage(.user, "And what can you do?"),
        ])).tokens
        let fresh = try PromptCache(model: zoo.model).prefill(history)

        let cache = PromptCache(model: zoo.model)
        try cache.prefill(Array(history.prefix(20)))
        try cache.prefill(Array(history.prefix(20)) + [7, 8, 9])  // a branch that is dropped again
        let reused = try cache.prefill(history)
        XCTAssertEqual(reused.reused, 20)
        XCTAssertEqual(cache.tokens, history)
        XCTAssertEqual(reused.logits, fresh.logits, "bit-identical logits")

        let chunked = try PromptCache(model: zoo.model).prefill(history, chunkSize: 7)
        XCTAssertEqual(chunked.logits, fresh.logits, "chunked prefill is bit-identical too")
        // The whole prompt cached: the last token runs again to give logits.
        let again = try cache.prefill(history)
        XCTAssertEqual(again.reused, history.count - 1)
        XCTAssertEqual(again.logits, fresh.logits)
    }

    func testChatTurnsReuseTheCacheAndMatchAFreshSession() async throws {
        let zoo = try await APITest.model("tiny-chat", ["max_tokens=12"])
        let options = GenerationOptions(seed: 9, sampler: APITest.sampling)
        let chat = zoo.chat(system: "You are terse.", options: options)
        let first = try await chat.reply(to: "Hello, who are you?")
        let cachedAfterFirst = try await chat.cachedTokenCount
        XCTAssertEqual(cachedAfterFirst, first.promptTokens.count + first.samples[0].tokens.count - 1)
        let second = try await chat.reply(to: "What can you do?")
        XCTAssertGreaterThanOrEqual(second.usage.cachedPromptTokens, first.promptTokens.count)
        XCTAssertEqual(second.usage.promptTokens, second.promptTokens.count)

        // The same history in a new session: everything is computed, and the reply is the same.
        let history = Array(await chat.messages.dropFirst().prefix(2))
        let fresh = zoo.chat(system: "You are terse.", history: history, options: options)
        let replay = try await fresh.reply(to: "What can you do?")
        XCTAssertEqual(replay.usage.cachedPromptTokens, 0)
        XCTAssertEqual(replay.promptTokens, second.promptTokens)
        XCTAssertEqual(replay.samples, second.samples)
    }

    func testQwenV1DynamicNTKReusesOnlyWhileTheRotaryChoiceHolds() throws {
        // seq_length 16: dynamic NTK picks a new RoPE base for prompts longer than 16 tokens.
        let model = try Zoo.loadModel(directory: Fixtures.url("qwen-v1/v1-ntk-logn"))
        let ids = Array(1...30)
        let cache = PromptCache(model: model)
        try cache.prefill(Array(ids.prefix(10)))
        XCTAssertEqual(cache.reusableLength(for: Array(ids.prefix(14))), 10)
        let short = try cache.prefill(Array(ids.prefix(14)))
        XCTAssertEqual(short.logits, try PromptCache(model: model).prefill(Array(ids.prefix(14))).logits)
        XCTAssertEqual(cache.reusableLength(for: ids), 0, "a 30-token prefill picks another RoPE base")
        let long = try cache.prefill(ids)
        XCTAssertEqual(long.reused, 0)
        XCTAssertEqual(long.logits, try PromptCache(model: model).prefill(ids).logits)
    }

    // MARK: - Save and restore

    func testSavedChatCacheRestoresTheConversationAndContinuesIdentically() async throws {
        let zoo = try await APITest.model("tiny-chat", ["max_tokens=10"])
        let options = GenerationOptions(seed: 4, sampler: APITest.sampling)
        let chat = zoo.chat(system: "You are terse.", options: options)
        _ = try await chat.reply(to: "Hello, who are you?")
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("chat.qzkv")
        try await chat.saveCache(to: file)

        let restored = zoo.chat(options: options)
        try await restored.restoreCache(from: file)
        let restoredMessages = await restored.messages
        let originalMessages = await chat.messages
        XCTAssertEqual(restoredMessages, originalMessages)
        let restoredCount = try await restored.cachedTokenCount
        let originalCount = try await chat.cachedTokenCount
        XCTAssertEqual(restoredCount, originalCount)

        let expected = try await chat.reply(to: "More, please.")
        let continued = try await restored.reply(to: "More, please.")
        XCTAssertEqual(continued.samples, expected.samples)
        XCTAssertEqual(continued.usage.cachedPromptTokens, expected.usage.cachedPromptTokens)
        XCTAssertGreaterThan(continued.usage.cachedPromptTokens, 0)
    }

    func testQwenV1CacheRoundTripsWithItsRotaryChoice() async throws {
        // The v1 fixture has no tokenizer: borrow the tiny one (its 382 ids fit the 400-row embedding).
        let tiny = try await APITest.model("tiny-base", ["max_tokens=6"])
        let v1 = tiny.replacingModel(try Zoo.loadModel(directory: Fixtures.url("qwen-v1/v1-ntk-logn")))
        let options = GenerationOptions(seed: 2, sampler: APITest.sampling)
        let prompt = "def add(a, b):\n    return a + b\n\nprint(add(1, 2))"  // > 16 tokens: NTK-scaled RoPE
        XCTAssertGreaterThan(tiny.tokenizer.encode(prompt).count, 16)
        let session = v1.session(options: options)
        _ = try await session.complete(prompt)
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("v1.qzkv")
        try await session.saveCache(to: file)
        let restored = v1.session(options: options)
        try await restored.restoreCache(from: file)

        let more = prompt + "\nprint(add(3, 4))"
        let expected = try await session.complete(more)
        let continued = try await restored.complete(more)
        XCTAssertEqual(continued.samples, expected.samples)
        XCTAssertEqual(continued.usage.cachedPromptTokens, expected.usage.cachedPromptTokens)
        // And both equal a fresh run, whose prefill picks the RoPE base from the whole prompt.
        let fresh = try await v1.session(options: options).complete(more)
        XCTAssertEqual(fresh.samples, expected.samples)
    }

    private func savedTinyCache() async throws -> (LoadedModel, URL, Data) {
        let zoo = try await APITest.model("tiny-base", ["max_tokens=4"])
        let session = zoo.session()
        _ = try await session.complete("def add(a, b):")
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("base.qzkv")
        try await session.saveCache(to: file)
        return (zoo, file, try Data(contentsOf: file))
    }

    private func restoreError(_ zoo: LoadedModel, _ data: Data) async throws -> PromptCacheError {
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("damaged.qzkv")
        try data.write(to: file)
        do {
            try await zoo.session().restoreCache(from: file)
        } catch let error as PromptCacheError {
            return error
        }
        XCTFail("the damaged file was accepted")
        throw CancellationError()
    }

    func testCorruptedTruncatedAndForeignFilesAreRefusedClearly() async throws {
        let (zoo, _, data) = try await savedTinyCache()

        var flipped = data
        flipped[data.count / 2] ^= 0x40
        let corrupted = try await restoreError(zoo, flipped)
        guard case .corrupted = corrupted else { return XCTFail("\(corrupted)") }
        XCTAssertTrue("\(corrupted)".contains("checksum does not match"), "\(corrupted)")

        let truncated = try await restoreError(zoo, data.prefix(data.count - 100))
        guard case .truncated(_, let expected, let actual) = truncated else { return XCTFail("\(truncated)") }
        XCTAssertEqual(expected, data.count)
        XCTAssertEqual(actual, data.count - 100)

        var magic = data
        magic[0] = UInt8(ascii: "X")
        let notACache = try await restoreError(zoo, magic)
        guard case .notAPromptCache = notACache else { return XCTFail("\(notACache)") }
        let text = try await restoreError(zoo, Data("hello".utf8))
        XCTAssertTrue("\(text)".contains("is not a QwenZoo prompt cache"), "\(text)")

        var version = data
        version[8] = 9
        let future = try await restoreError(zoo, version)
        XCTAssertEqual(future, .unsupportedVersion(found: 9, supported: PromptCacheFile.version))
    }

    func testACacheFromAnotherModelIsRefused() async throws {
        let (_, file, _) = try await savedTinyCache()
        // The same tokenizer and shapes, but another checkpoint (its config.json differs).
        let dir = try Fixtures.temporaryDirectory()
        let copy = dir.appendingPathComponent("other")
        try FileManager.default.copyItem(at: Fixtures.url("zoo-tiny"), to: copy)
        let config = copy.appendingPathComponent("config.json")
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"rms_norm_eps\": 1e-06", with: "\"rms_norm_eps\": 1e-05")
        try Data(text.utf8).write(to: config)
        let other = try await Zoo.model(named: "tiny-base", overrides: ["weights.path=\(copy.path)"], searchPaths: [APITest.zooFolder])
        do {
            try await other.session().restoreCache(from: file)
            XCTFail("a cache of another model was accepted")
        } catch let error as PromptCacheError {
            guard case .modelMismatch(let field, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "the checkpoint's config.json digest")
            XCTAssertTrue("\(error)".contains("saved with another model"))
        }
    }
}
