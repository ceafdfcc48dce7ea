import Hummingbird
import QwenZoo
import XCTest
@testable import ZooServer

final class RequestMappingTests: XCTestCase {
    private func chat(_ json: String, model: String = "nano-chat") throws -> ServedRequest {
        try RequestMapping.chat(ChatCompletionRequest.decode(from: ByteBuffer(string: json)), model: ServerTest.model(model))
    }

    private func completion(_ json: String, model: String = "nano-base") throws -> ServedRequest {
        try RequestMapping.completion(ServerTest.decode(CompletionRequest.self, json), model: ServerTest.model(model))
    }

    /// The 400 a request gets, and the field it names.
    private func rejection(_ body: () throws -> Any) -> (status: Int, param: String?, message: String)? {
        do {
            _ = try body()
            return nil
        } catch let error as APIError {
            return (error.status, error.param, error.message)
        } catch {
            return (-1, nil, "\(error)")
        }
    }

    func testMessagesRenderThroughTheManifestsChatVariantAsLoadedModelDoes() throws {
        let served = try chat(#"{"model":"nano-chat","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}"#)
        let zoo = try ServerTest.model("nano-chat").zoo
        let expected = try zoo.plan(.chat([ChatMessage(.system, "Be brief."), ChatMessage(.user, "Hi")]))
        XCTAssertEqual(served.engine.prompt, expected.tokens)
        XCTAssertEqual(served.engine.stopTokenIDs, expected.stopTokenIDs)
        XCTAssertEqual(served.engine.maxTokens, 128, "nano-chat's max_tokens")
        XCTAssertEqual(served.engine.sampler, zoo.manifest.samplerStages)
        XCTAssertEqual(served.engine.samples, 1)
        XCTAssertNil(served.engine.topLogprobs)
    }

    func testContentPartsAndTheDeveloperRoleAreRead() throws {
        let parts = try chat(#"{"messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"H"},{"type":"text","text":"i"}]}],"model":"nano-chat"}"#)
        let plain = try chat(#"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"model":"nano-chat"}"#)
        XCTAssertEqual(parts.engine.prompt, plain.engine.prompt)
    }

    func testFieldsMapOntoTheEngineRequest() throws {
        let served = try chat(#"""
            {"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":9,"max_tokens":99,
             "seed":-1,"stop":"x","n":3,"logprobs":true,"top_logprobs":4,"stream":true,"stream_options":{"include_usage":true},
             "temperature":0.8,"top_k":0,"receipt":true,"user":"u1"}
            """#)
        XCTAssertEqual(served.engine.maxTokens, 9, "max_completion_tokens wins over max_tokens")
        XCTAssertEqual(served.engine.seed, UInt64.max, "a negative seed keeps its bits")
        XCTAssertTrue(served.engine.stopStrings.contains("x"))
        XCTAssertEqual(served.engine.samples, 3)
        XCTAssertEqual(served.engine.topLogprobs, 4)
        XCTAssertTrue(served.stream && served.includeUsage && served.wantsReceipt)
        XCTAssertEqual(ChainSyntax.format(served.engine.sampler), "temperature=0.8")
    }

    /// What a remote engine sends (vLLM's fields): extra stop ids join the prompt's own, and the
    /// choices carry their ids.
    func testStopTokenIDsAndReturnTokenIDs() throws {
        let plain = try completion(#"{"model":"nano-base","prompt":[10,20,30]}"#)
        XCTAssertFalse(plain.returnTokenIDs)
        let served = try completion(#"{"model":"nano-base","prompt":[10,20,30],"stop_token_ids":[7,9],"return_token_ids":true}"#)
        XCTAssertEqual(served.engine.stopTokenIDs, plain.engine.stopTokenIDs.union([7, 9]))
        XCTAssertTrue(served.returnTokenIDs)
        let vocabulary = try ServerTest.model("nano-base").zoo.tokenizer.count
        for bad in [-1, vocabulary] {
            let rejected = rejection { try self.completion(#"{"model":"nano-base","prompt":[10],"stop_token_ids":[3,\#(bad)]}"#) }
            XCTAssertEqual(rejected?.status, 400)
            XCTAssertEqual(rejected?.param, "stop_token_ids", rejected?.message ?? "accepted")
            XCTAssertTrue(rejected?.message.contains("\(bad)") == true, rejected?.message ?? "")
        }
    }

    func testCompletionPromptsTextIdsAndFillInTheMiddle() throws {
        let text = try completion(#"{"model":"nano-base","prompt":"The capital of France is"}"#)
        let zoo = try ServerTest.model("nano-base").zoo
        XCTAssertEqual(text.engine.prompt, zoo.tokenizer.encode("The capital of France is"))
        let ids = try completion(#"{"model":"nano-base","prompt":[10,20,30],"logprobs":2}"#)
        XCTAssertEqual(ids.engine.prompt, [10, 20, 30])
        XCTAssertEqual(ids.engine.topLogprobs, 2)
        let code = try ServerTest.model("nano-code").zoo
        let fim = try completion(#"{"model":"nano-code","prompt":"def f(x):\n","suffix":"\nprint(f(2))\n"}"#, model: "nano-code")
        XCTAssertEqual(fim.engine.prompt, try code.plan(.infill(prefix: "def f(x):\n", suffix: "\nprint(f(2))\n")).tokens)
    }

    func testEveryOutOfRangeFieldIsA400NamingIt() {
        let cases: [(String, String)] = [
            (#""temperature":2.5"#, "temperature"), (#""top_p":0"#, "top_p"), (#""top_k":-2"#, "top_k"),
            (#""min_p":1.5"#, "min_p"), (#""presence_penalty":3"#, "presence_penalty"),
            (#""frequency_penalty":-3"#, "frequency_penalty"), (#""repetition_penalty":0"#, "repetition_penalty"),
            (#""logit_bias":{"abc":1}"#, "logit_bias"), (#""logit_bias":{"5":101}"#, "logit_bias"),
            (#""n":0"#, "n"), (#""n":17"#, "n"), (#""max_tokens":0"#, "max_tokens"),
            (#""max_completion_tokens":-5"#, "max_completion_tokens"), (#""top_logprobs":3"#, "top_logprobs"),
            (#""logprobs":true,"top_logprobs":21"#, "top_logprobs"), (#""stop":["a",""]"#, "stop"),
            (#""chain":"top_p=(""#, "chain"), (#""tools":[{"type":"function"}]"#, "tools[0].name"),
            (#""tool_choice":"sometimes""#, "tool_choice"), (#""response_format":{"type":"yaml"}"#, "response_format.type"),
            (#""functions":[{"name":"f"}]"#, "functions"),
        ]
        for (field, param) in cases {
            let json = #"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"# + field + "}"
            let rejected = rejection { try self.chat(json) }
            XCTAssertEqual(rejected?.status, 400, field)
            XCTAssertEqual(rejected?.param, param, "\(field): \(rejected?.message ?? "accepted")")
        }
        XCTAssertNil(rejection { try self.chat(#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"text"}}"#) },
                     "response_format text is what every request gets")
    }

    func testWrongTypesAndShapesNameTheField() {
        let cases: [(String, String?)] = [
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"temperature":"hot"}"#, "temperature"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
            (#"{"model":"nano-chat","messages":[{"content":"Hi"}]}"#, "messages[0].role"),
            (#"{"model":"nano-chat"}"#, "messages"),
            (#"{"model":"nano-chat","messages":[]}"#, "messages"),
            (#"{"model":"nano-chat","messages":[{"role":"function","content":"x"}]}"#, "messages[0].role"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"stop":7}"#, "stop"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"seed":1.5}"#, "seed"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"n":"2"}"#, "n"),
            (#"{"model":"nano-chat","messages":[{"role":"user","content":[{"type":"image_url"}]}]}"#, "messages[0].content"),
            (#"{"model":"nano-chat","#, nil),
        ]
        for (json, param) in cases {
            let rejected = rejection { try self.chat(json) }
            XCTAssertEqual(rejected?.status, 400, json)
            XCTAssertEqual(rejected?.param, param, "\(json): \(rejected?.message ?? "accepted")")
        }
    }

    func testPromptsTheModelCannotServeAre400s() {
        let cases: [(() throws -> Any, String)] = [
            ({ try self.completion(#"{"model":"nano-base","prompt":"def f():","suffix":"x"}"#) }, "suffix"),
            ({ try self.completion(#"{"model":"nano-base","prompt":[1,99999]}"#) }, "prompt"),
            ({ try self.completion(#"{"model":"nano-base","prompt":""}"#) }, "prompt"),
            ({ try self.completion(#"{"model":"nano-base","prompt":{"a":1}}"#) }, "prompt"),
            ({ try self.completion(#"{"model":"nano-base","prompt":"x","echo":true}"#) }, "echo"),
            ({ try self.chat(#"{"model":"nano-base","messages":[{"role":"user","content":"Hi"}]}"#, model: "nano-base") }, "messages"),
            ({ try self.completion(#"{"model":"nano-base","prompt":"\#(String(repeating: "hello ", count: 1100))"}"#) }, "prompt"),
        ]
        for (request, param) in cases {
            let rejected = rejection(request)
            XCTAssertEqual(rejected?.status, 400, param)
            XCTAssertEqual(rejected?.param, param, rejected?.message ?? "accepted")
        }
        let long = rejection { try self.completion(#"{"model":"nano-base","prompt":"\#(String(repeating: "hello ", count: 1100))"}"#) }
        XCTAssertTrue(long?.message.contains("holds 1024") == true, long?.message ?? "")
    }

    func testModelsAreFoundByNameAndUnknownOnesListTheServed() {
        XCTAssertNoThrow(try ServerTest.registry.model(named: "nano-code"))
        let unknown = rejection { try ServerTest.registry.model(named: "gpt-4") }
        XCTAssertEqual(unknown?.status, 404)
        XCTAssertEqual(unknown?.message.contains("nano-chat, nano-code, nano-base"), true)
        XCTAssertEqual(rejection { try ServerTest.registry.model(named: nil) }?.param, "model", "three models: the field is required")
    }
}
