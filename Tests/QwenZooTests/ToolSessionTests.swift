import Foundation
import QwenZoo
import Synchronization
import XCTest
import ZooTestSupport

/// A stage that makes the model "write" a given text: at step k only the k-th id of the text is kept. It stands in
/// for a model that calls tools, so that the session's reading and recording of calls is tested exactly.
struct ScriptedStage: SamplerStage {
    let name = "scripted"
    let ids: [Int]
    mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        candidates.keepOnly([ids[min(context.generated.count, ids.count - 1)]])
    }
}

/// Records the options it is built with and changes nothing: a stand-in registered as `json_schema` to observe
/// what a session hands the grammar engine's stage. It constrains nothing.
final class SchemaRecorder: Sendable {
    let options = Mutex<[[String: OptionValue]]>([])

    struct Stage: SamplerStage {
        let name = "json_schema"
        mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {}
    }
}

final class ToolSessionTests: XCTestCase {
    static let calculator = ToolDefinition(
        name: "calculator", description: "Evaluate an arithmetic expression",
        parameters: ["type": "object", "properties": ["expression": ["type": "string", "maxLength": 24]], "required": ["expression"],
                     "additionalProperties": false])

    /// nano-chat (real Qwen vocabulary, Qwen2.5 template) with the scripted stage and, if given, the recorder.
    func model(recorder: SchemaRecorder? = nil) async throws -> LoadedModel {
        let components = ZooComponents(builtins: true)
        components.samplerStages.register("scripted") { options in
            guard case .list(let items)? = options.values["value"] else { throw options.error("value", "expected a list of ids") }
            return ScriptedStage(ids: items.compactMap { if case .number(let n) = $0 { Int(n) } else { nil } })
        }
        if let recorder {
            components.samplerStages.register("json_schema") { options in
                recorder.options.withLock { $0.append(options.values) }
                return SchemaRecorder.Stage()
            }
        }
        return try await Zoo.model(named: "nano-chat", searchPaths: [APITest.zooFolder], components: components)
    }

    func script(_ text: String, _ zoo: LoadedModel) -> GenerationOptions {
        let ids = zoo.tokenizer.encode(text, specialTokens: .allowed) + [zoo.tokenizer.specialTokenID("<|im_end|>")!]
        return GenerationOptions(maxTokens: ids.count + 2, sampler: [SamplerStageSpec("scripted", ["value": .list(ids.map { .number(Double($0)) })])])
    }

    func testACallIsReadRecordedAndItsResultContinuesTheTurn() async throws {
        let zoo = try await model()
        let chat = zoo.chat(tools: [Self.calculator])
        let callText = "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"17 * 23\"}}\n</tool_call>"
        let first = try await chat.reply(to: "What is 17 times 23?", options: script(callText, zoo))
        XCTAssertEqual(first.text, callText)
        XCTAssertEqual(first.toolCalls, [ToolCall(name: "calculator", arguments: ["expression": "17 * 23"])])
        XCTAssertEqual(first.content, "")
        XCTAssertEqual(first.warnings, [])
        // The prompt showed the tools as the Qwen2.5 template does.
        let user = ChatMessage(.user, "What is 17 times 23?")
        XCTAssertEqual(first.promptTokens, try zoo.plan(.toolChat(ToolChatRequest(messages: [user], tools: [Self.calculator]))).tokens)

        let result = ChatMessage.toolResult("391", for: first.toolCalls[0])
        let second = try await chat.reply(with: [result], options: script("17 × 23 = 391.", zoo))
        XCTAssertEqual(second.toolCalls, [])
        XCTAssertEqual(second.text, "17 × 23 = 391.")
        let assistantCall = ChatMessage(.assistant, "", toolCalls: first.toolCalls)
        let history = await chat.messages
        XCTAssertEqual(history, [user, assistantCall, result, ChatMessage(.assistant, "17 × 23 = 391.")])
        // The second prompt is the template's rendering of the history, and reuses the first turn's cache.
        XCTAssertEqual(second.promptTokens, try zoo.plan(.toolChat(ToolChatRequest(messages: [user, assistantCall, result], tools: [Self.calculator]))).tokens)
        XCTAssertGreaterThan(second.usage.cachedPromptTokens, first.usage.promptTokens - 1)
    }

    func testAMalformedCallIsTextWithAWarning() async throws {
        let zoo = try await model()
        let chat = zoo.chat(tools: [Self.calculator])
        let bad = "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": 17 * 23}}\n</tool_call>"
        let response = try await chat.reply(to: "17*23?", options: script(bad, zoo))
        XCTAssertEqual(response.toolCalls, [])
        XCTAssertEqual(response.content, bad)
        XCTAssertEqual(response.warnings.count, 1)
        let last = await chat.messages.last
        XCTAssertEqual(last, ChatMessage(.assistant, bad))
    }

    /// What a forced call hands the chain: the call's JSON Schema as the options of a `json_schema` stage, first
    /// in the chain. The recorder stands in for the grammar engine's stage (it constrains nothing; the scripted
    /// stage writes the call), so this tests the hand-off, not the enforcement.
    func testAForcedCallHandsTheCallSchemaToTheJSONSchemaStage() async throws {
        let recorder = SchemaRecorder()
        let zoo = try await model(recorder: recorder)
        let chat = zoo.chat(tools: [Self.calculator], toolChoice: .function("calculator"))
        let response = try await chat.reply(
            to: "17*23?", options: script("{\"name\": \"calculator\", \"arguments\": {\"expression\": \"17*23\"}}", zoo))
        XCTAssertEqual(response.toolCalls, [ToolCall(name: "calculator", arguments: ["expression": "17*23"])])
        XCTAssertEqual(response.warnings, [])
        // The prompt opened the call: <|im_start|>assistant\n<tool_call>\n.
        XCTAssertEqual(Array(response.promptTokens.suffix(2)), [zoo.tokenizer.specialTokenID("<tool_call>")!] + zoo.tokenizer.encode("\n"))
        let expected = try XCTUnwrap(ToolCallSchema.schema(for: [Self.calculator], choice: .function("calculator")))
        let recorded = recorder.options.withLock { $0 }
        XCTAssertFalse(recorded.isEmpty)
        // The schema arrives as JSON text, so its properties keep their order (name before arguments).
        XCTAssertEqual(recorded.last?["value"], .string(JSONWriter.compact(expected)))
    }

    func testWithoutTheJSONSchemaStageAForcedCallIsAClearError() async throws {
        let zoo = try await model()
        guard !zoo.components.samplerStages.contains("json_schema") else {
            throw XCTSkip("json_schema is registered: forced calls are constrained (testRequiredCallsParseOnEverySeed)")
        }
        let chat = zoo.chat(tools: [Self.calculator], toolChoice: .required)
        do {
            _ = try await chat.reply(to: "17*23?")
            XCTFail("a forced call without a constraint stage must not run unconstrained")
        } catch {
            XCTAssertTrue("\(error)".contains("needs the json_schema sampler stage"), "\(error)")
        }
        let json = zoo.chat(responseFormat: .jsonObject)
        do {
            _ = try await json.reply(to: "Answer in JSON")
            XCTFail("a JSON response format without a constraint stage must not run unconstrained")
        } catch {
            XCTAssertTrue("\(error)".contains("a JSON response format needs the json_schema sampler stage"), "\(error)")
        }
    }

    /// Enforcement (issue 16): with tool_choice required, nano-chat's call parses and validates on every seed.
    /// Skipped until the grammar engine registers `json_schema` in the built-in stages; enable at merge.
    func testRequiredCallsParseOnEverySeed() async throws {
        guard ZooComponents.shared.samplerStages.contains("json_schema") else {
            throw XCTSkip("enable at merge: needs the grammar engine's json_schema sampler stage (ZooGrammar), not registered yet")
        }
        let zoo = try await APITest.model("nano-chat")
        for seed in 0..<10 {
            let chat = zoo.chat(
                options: GenerationOptions(maxTokens: 96, seed: UInt64(seed), sampler: APITest.sampling),
                tools: [Self.calculator], toolChoice: .required)
            let response = try await chat.reply(to: "What is 17 times 23?")
            XCTAssertEqual(response.toolCalls.count, 1, "seed \(seed): \(response.text)")
            XCTAssertEqual(response.toolCalls.first?.name, "calculator", "seed \(seed)")
            XCTAssertEqual(response.warnings, [], "seed \(seed)")
        }
    }

    /// Enforcement of a response format: the reply is JSON that matches the schema on every seed. Enable at merge.
    func testJSONSchemaResponsesValidateOnEverySeed() async throws {
        guard ZooComponents.shared.samplerStages.contains("json_schema") else {
            throw XCTSkip("enable at merge: needs the grammar engine's json_schema sampler stage (ZooGrammar), not registered yet")
        }
        let zoo = try await APITest.model("nano-chat")
        // Strings are bounded: a model that never learned the format would not choose to close one.
        let schema: JSONValue = ["type": "object", "properties": ["city": ["type": "string", "maxLength": 20],
                                                                "population": ["type": "integer", "maximum": 100000000]],
                                 "required": ["city", "population"], "additionalProperties": false]
        for seed in 0..<10 {
            let chat = zoo.chat(options: GenerationOptions(maxTokens: 96, seed: UInt64(seed), sampler: APITest.sampling),
                                responseFormat: .jsonSchema(schema))
            let response = try await chat.reply(to: "The largest city of Japan, as JSON")
            let value = try JSONValue(parsing: response.text)
            XCTAssertEqual(ToolArgumentValidator.problems(value, schema: schema), [], "seed \(seed): \(response.text)")
        }
    }
}
