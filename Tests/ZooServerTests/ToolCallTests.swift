import Foundation
import Hummingbird
import HummingbirdTesting
import QwenZoo
import XCTest
@testable import ZooServer

/// `tools`, `tool_choice`, `parallel_tool_calls` and `response_format` on `/v1/chat/completions`: mapped and rendered
/// as the Swift API's ``ChatSession`` does, read back into OpenAI's `tool_calls`, and streamed as OpenAI's deltas.
final class ToolCallTests: XCTestCase {
    /// Two tools, every string and number bounded so that a constrained call of the tiny nano-chat stays short.
    static let tools = #"""
        [{"type":"function","function":{"name":"get_weather","description":"The weather in a city.","parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":8},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}}},
         {"type":"function","function":{"name":"add","description":"Add two integers.","parameters":{"type":"object","properties":{"b":{"type":"integer","minimum":0,"maximum":999},"a":{"type":"integer","minimum":0,"maximum":999}},"required":["a","b"],"additionalProperties":false}}}]
        """#
    static let question = #"[{"role":"user","content":"What is 12 plus 7?"}]"#

    private static func body(_ extra: String, messages: String = question) -> String {
        #"{"model":"nano-chat","messages":"# + messages + #","tools":"# + Self.tools + "," + extra + "}"
    }

    private func app() -> some ApplicationProtocol {
        Application(router: ZooServer(registry: ServerTest.registry, options: ServerOptions()).makeRouter())
    }

    private static func post(_ client: some TestClientProtocol, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: json))
    }

    private static func object(_ response: TestResponse) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The chunks of an SSE response (without `[DONE]`), each choice's first entry.
    private static func streamedChoices(_ response: TestResponse) throws -> [[String: Any]] {
        let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.last, "data: [DONE]")
        return try events.dropLast().compactMap {
            let chunk = try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any])
            return (chunk["choices"] as? [[String: Any]])?.first
        }
    }

    private func mapped(_ json: String) throws -> ServedRequest {
        try RequestMapping.chat(ChatCompletionRequest.decode(from: ByteBuffer(string: json)), model: ServerTest.model("nano-chat"))
    }

    // MARK: Mapping and rendering

    func testAHistoryWithToolCallsAndResultsRendersAsTheSwiftAPIRendersIt() throws {
        let history = #"""
            [{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris, and 2 plus 3?"},
             {"role":"assistant","content":null,"tool_calls":[
               {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"unit\": \"celsius\", \"city\": \"Paris\"}"}},
               {"id":"call_2","type":"function","function":{"name":"add","arguments":"{\"b\":3,\"a\":2}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"18 C"},{"role":"tool","tool_call_id":"call_2","content":"5"}]
            """#
        let served = try mapped(Self.body(#""tool_choice":"auto""#, messages: history))
        let weather = ToolCall(id: "call_1", name: "get_weather", arguments: ["unit": "celsius", "city": "Paris"])
        let add = ToolCall(id: "call_2", name: "add", arguments: ["b": 3, "a": 2])
        let messages = [ChatMessage(.system, "Be brief."), ChatMessage(.user, "Weather in Paris, and 2 plus 3?"),
                        ChatMessage(.assistant, "", toolCalls: [weather, add]),
                        .toolResult("18 C", for: weather), .toolResult("5", for: add)]
        let zoo = try ServerTest.model("nano-chat").zoo
        let expected = try zoo.plan(.toolChat(ToolChatRequest(messages: messages, tools: try ToolDefinition.list(parsing: Self.tools))))
        XCTAssertEqual(served.engine.prompt, expected.tokens)
        let text = try zoo.tokenizer.decode(served.engine.prompt)
        XCTAssertTrue(text.contains(#"{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city.""#), text)
        XCTAssertTrue(text.contains("<tool_response>\n18 C\n</tool_response>\n<tool_response>\n5\n</tool_response>"), text)
        XCTAssertTrue(text.contains(#"{"name": "add", "arguments": {"b": 3, "a": 2}}"#), "arguments keep the order sent: \(text)")
        XCTAssertEqual(served.engine.sampler, zoo.manifest.samplerStages, "auto constrains nothing")
        XCTAssertNotNil(served.toolReader)
    }

    func testAForcedCallIsConstrainedAsChatSessionConstrainsIt() throws {
        let zoo = try ServerTest.model("nano-chat").zoo
        let tools = try ToolDefinition.list(parsing: Self.tools)
        let use = ToolUse(tools: tools, toolChoice: .function("add"))
        let served = try mapped(Self.body(#""tool_choice":{"type":"function","function":{"name":"add"}}"#))
        XCTAssertEqual(served.engine.prompt, try zoo.plan(use.request([ChatMessage(.user, "What is 12 plus 7?")])).tokens)
        XCTAssertEqual(served.engine.sampler, try use.constrained(GenerationOptions(), model: zoo).sampler)
        XCTAssertEqual(served.engine.sampler.first?.name, "json_schema")
        let format = try mapped(#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_object"}}"#)
        XCTAssertEqual(format.engine.sampler, try ToolUse(responseFormat: .jsonObject).constrained(GenerationOptions(), model: zoo).sampler)
        XCTAssertNil(format.toolReader, "a response format alone reads no calls")
    }

    func testBadToolFieldsAre400sNamingTheField() {
        let cases: [(String, String, String)] = [
            (Self.body(#""tool_choice":{"type":"function","function":{"name":"multiply"}}"#), "tool_choice", "multiply"),
            (Self.body(#""tool_choice":"maybe""#), "tool_choice", "maybe"),
            (Self.body(#""parallel_tool_calls":"yes""#), "parallel_tool_calls", "true or false"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":""}}]}"#, "tools[0].function.name", "name"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"tool_choice":"required"}"#, "tool_choice", "at least one tool"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"not":{"type":"string"}}}}}}}"#,
             "response_format.json_schema.schema", "unsupported keyword \"not\""),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}"#,
             "response_format.json_schema.name", "name"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"add","arguments":"{oops"}}]}]}"#,
             "messages[1].tool_calls[0].function.arguments", "not JSON"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi","tool_calls":[]}]}"#, "messages[0].tool_calls", "assistant"),
        ]
        for (json, param, words) in cases {
            do {
                _ = try mapped(json)
                XCTFail("accepted: \(json)")
            } catch let error as APIError {
                XCTAssertEqual(error.status, 400, json)
                XCTAssertEqual(error.param, param, "\(json): \(error.message)")
                XCTAssertTrue(error.message.contains(words), "\(error.message) should say \(words)")
            } catch {
                XCTFail("\(json): \(error)")
            }
        }
    }

    // MARK: Reading replies

    func testARequiredCallIsReturnedAsToolCallsAsChatSessionReadsIt() async throws {
        let zoo = try ServerTest.model("nano-chat").zoo
        let session = ChatSession(model: zoo, options: GenerationOptions(maxTokens: 48), tools: try ToolDefinition.list(parsing: Self.tools),
                                  toolChoice: .required)
        let expected = try await session.reply(to: "What is 12 plus 7?")
        let call = try XCTUnwrap(expected.toolCalls.first, "ChatSession's reply: \(expected.text)")
        try await app().test(.router) { client in
            let response = try await Self.post(client, Self.body(#""tool_choice":"required","max_tokens":48"#))
            XCTAssertEqual(response.status, .ok)
            let choice = try XCTUnwrap((try Self.object(response)["choices"] as? [[String: Any]])?.first)
            XCTAssertEqual(choice["finish_reason"] as? String, "tool_calls")
            let message = try XCTUnwrap(choice["message"] as? [String: Any])
            XCTAssertTrue(message["content"] is NSNull, "content is null when the reply is only calls")
            let calls = try XCTUnwrap(message["tool_calls"] as? [[String: Any]])
            XCTAssertEqual(calls.count, 1)
            XCTAssertTrue((calls[0]["id"] as? String)?.hasPrefix("call_") == true)
            XCTAssertEqual(calls[0]["type"] as? String, "function")
            let function = try XCTUnwrap(calls[0]["function"] as? [String: Any])
            XCTAssertEqual(function["name"] as? String, call.name)
            let arguments = try XCTUnwrap(function["arguments"] as? String, "arguments are a JSON string")
            XCTAssertEqual(try JSONValue(parsing: arguments), call.arguments)
        }
    }

    func testStreamedToolCallDeltasReassembleToTheWholeResponse() async throws {
        let request = Self.body(#""tool_choice":{"type":"function","function":{"name":"get_weather"}},"max_tokens":96"#)
        try await app().test(.router) { client in
            let whole = try await Self.post(client, request)
            let choice = try XCTUnwrap((try Self.object(whole)["choices"] as? [[String: Any]])?.first)
            XCTAssertEqual(choice["finish_reason"] as? String, "tool_calls", "\(choice)")
            let message = try XCTUnwrap(choice["message"] as? [String: Any])
            let call = try XCTUnwrap((message["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any], "\(message)")
            XCTAssertEqual(call["name"] as? String, "get_weather")
            let wholeArguments = try XCTUnwrap(call["arguments"] as? String)

            let streamed = try await Self.post(client, request.replacingOccurrences(of: #""max_tokens":96"#, with: #""max_tokens":96,"stream":true"#))
            let choices = try Self.streamedChoices(streamed)
            let deltas = choices.compactMap { ($0["delta"] as? [String: Any])?["tool_calls"] as? [[String: Any]] }.flatMap { $0 }
            let fragments = (wholeArguments.count + ToolCallWire.fragmentLength - 1) / ToolCallWire.fragmentLength
            XCTAssertGreaterThan(fragments, 1, wholeArguments)
            XCTAssertEqual(deltas.count, 1 + fragments, "a head, then the arguments in fragments")
            XCTAssertTrue(deltas.allSatisfy { $0["index"] as? Int == 0 })
            let head = try XCTUnwrap(deltas.first)
            XCTAssertTrue((head["id"] as? String)?.hasPrefix("call_") == true)
            XCTAssertEqual(head["type"] as? String, "function")
            XCTAssertEqual((head["function"] as? [String: Any])?["name"] as? String, "get_weather")
            XCTAssertEqual((head["function"] as? [String: Any])?["arguments"] as? String, "", "the head's arguments are empty")
            XCTAssertTrue(deltas.dropFirst().allSatisfy { $0["id"] == nil && ($0["function"] as? [String: Any])?["name"] == nil },
                          "id and name come once")
            let arguments = deltas.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
            XCTAssertEqual(arguments, wholeArguments)
            XCTAssertNoThrow(try JSONValue(parsing: arguments))
            let text = choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
            XCTAssertEqual(text, "", "no call text leaks as content")
            XCTAssertEqual(choices.compactMap { $0["finish_reason"] as? String }, ["tool_calls"])
        }
    }

    func testResponseFormatsHoldTheReplyToJSONStreamedOrNot() async throws {
        let schema = #"{"type":"object","properties":{"answer":{"type":"integer","minimum":0,"maximum":99}},"required":["answer"],"additionalProperties":false}"#
        let formats = [#"{"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":"# + schema + "}}",
                       #"{"type":"json_object"}"#]
        try await app().test(.router) { client in
            for format in formats {
                let request = #"{"model":"nano-chat","messages":[{"role":"user","content":"What is 12 plus 7?"}],"max_tokens":24,"response_format":"# + format
                let whole = try await Self.post(client, request + "}")
                XCTAssertEqual(whole.status, .ok, format)
                let choice = try XCTUnwrap((try Self.object(whole)["choices"] as? [[String: Any]])?.first)
                let content = try XCTUnwrap((choice["message"] as? [String: Any])?["content"] as? String)
                // A schema this bounded always closes; any JSON object may run to max_tokens.
                if format.contains("json_schema") { XCTAssertEqual(choice["finish_reason"] as? String, "stop", content) }
                guard choice["finish_reason"] as? String == "stop" else { continue }
                let value = try JSONValue(parsing: content)
                XCTAssertNotNil(value.objectValue, "\(format): \(content)")
                if format.contains("json_schema") {
                    XCTAssertEqual(ToolArgumentValidator.problems(value, schema: try JSONValue(parsing: schema)), [], content)
                }
                let streamed = try Self.streamedChoices(try await Self.post(client, request + #","stream":true}"#))
                XCTAssertEqual(streamed.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined(), content)
            }
        }
    }

    // MARK: The stream's hold-back

    private func reader(_ choice: ToolChoice = .auto, parallel: Bool = true) throws -> ToolReplyReader {
        let request = VariantRequest.toolChat(ToolChatRequest(messages: [ChatMessage(.user, "Hi")],
                                                              tools: try ToolDefinition.list(parsing: Self.tools), toolChoice: choice))
        return ToolReplyReader(request: request, variant: try ServerTest.model("nano-chat").zoo.variant,
                               forcesCall: choice.forcesCall, parallelToolCalls: parallel)
    }

    /// Feeds `text` one character at a time; the pieces, and the stream's calls and warnings.
    private func stream(_ text: String, reader: ToolReplyReader) -> (pieces: [ToolCallStream.Piece], stream: ToolCallStream) {
        var stream = ToolCallStream(reader: reader)
        var pieces: [ToolCallStream.Piece] = []
        for character in text { pieces += stream.feed(String(character)) }
        pieces += stream.finish()
        return (pieces, stream)
    }

    private func content(_ pieces: [ToolCallStream.Piece]) -> String {
        pieces.map { if case .content(let text) = $0 { text } else { "" } }.joined()
    }

    func testTextThatCouldOpenACallIsHeldBackAndCallsMatchTheWholeReading() throws {
        let reader = try reader()
        XCTAssertTrue(reader.readsBlocks)
        let reply = "Let me add.\n<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 12, \"b\": 7}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"unit\": \"celsius\"}}\n</tool_call>"
        let (pieces, stream) = stream(reply, reader: reader)
        XCTAssertFalse(pieces.contains { if case .content(let text) = $0 { text.contains("<") } else { false } }, "\(pieces)")
        let whole = reader.read(reply)
        XCTAssertEqual(content(pieces), whole.content ?? "")
        XCTAssertEqual(stream.calls, whole.calls)
        XCTAssertEqual(whole.calls.map(\.name), ["add", "get_weather"])
        XCTAssertEqual(ToolCallStream.partialOpening("abc<tool_c"), 7)
        XCTAssertEqual(ToolCallStream.partialOpening("x <"), 1)
        XCTAssertEqual(ToolCallStream.partialOpening("a < b"), 0)

        let single = try self.reader(parallel: false)
        XCTAssertEqual(single.read(reply).calls.map(\.name), ["add"], "parallel_tool_calls false keeps the first call")
        XCTAssertEqual(self.stream(reply, reader: single).stream.calls.map(\.name), ["add"])
    }

    func testAMalformedOrCutOffCallIsContentWithAWarning() throws {
        let reader = try reader()
        for reply in ["Sure. <tool_call>\n{\"name\": \"add\", \"arguments\": {oops}\n</tool_call> Done.",
                      "<tool_call>\n{\"name\": \"add\", \"argu"] {
            let whole = reader.read(reply)
            XCTAssertEqual(whole.calls, [])
            XCTAssertFalse(whole.warnings.isEmpty, reply)
            let (pieces, stream) = stream(reply, reader: reader)
            XCTAssertEqual(content(pieces), whole.content, reply)
            XCTAssertEqual(stream.calls, [])
            XCTAssertEqual(stream.warnings, whole.warnings)
        }
    }

    func testAReplyWithoutCallsStreamsAsItsWholeContent() throws {
        let reader = try reader()
        let reply = "  The answer is 19 < 20.\n\n"
        let (pieces, _) = stream(reply, reader: reader)
        XCTAssertEqual(content(pieces), reader.read(reply).content)
        XCTAssertEqual(content(pieces), "The answer is 19 < 20.")
    }
}
