import Foundation
import Hummingbird
import HummingbirdTesting
import QwenZoo
import XCTest
@testable import ZooServer

private func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

private func object(_ response: TestResponse) throws -> [String: Any] {
    try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
}

/// The `error` object of an error response, checked to have OpenAI's four keys.
private func error(_ response: TestResponse) throws -> [String: Any] {
    let error = try XCTUnwrap(try object(response)["error"] as? [String: Any])
    XCTAssertEqual(Set(error.keys), ["message", "type", "param", "code"])
    return error
}

private func app(_ options: ServerOptions = ServerOptions(), registry: ModelRegistry = ServerTest.registry) -> some ApplicationProtocol {
    Application(router: ZooServer(registry: registry, options: options).makeRouter())
}

/// The endpoints in process, through Hummingbird's router test framework (no sockets).
final class RouteTests: XCTestCase {
    func testAChatCompletionAnswersAsLoadedModelGenerates() async throws {
        let zoo = try ServerTest.model("nano-chat").zoo
        let expected = try zoo.generate(.chat([ChatMessage(.user, "What is the capital of Japan?")]))
        try await app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/chat/completions", method: .post,
                body: json(#"{"model":"nano-chat","messages":[{"role":"user","content":"What is the capital of Japan?"}]}"#))
            XCTAssertEqual(response.status, .ok)
            let body = try object(response)
            XCTAssertEqual(body["object"] as? String, "chat.completion")
            let choice = try XCTUnwrap((body["choices"] as? [[String: Any]])?.first)
            XCTAssertEqual((choice["message"] as? [String: Any])?["content"] as? String, expected.samples[0].text)
            XCTAssertEqual(choice["finish_reason"] as? String, "stop")
            let usage = try XCTUnwrap(body["usage"] as? [String: Any])
            XCTAssertEqual(usage["completion_tokens"] as? Int, expected.samples[0].tokens.count)
            XCTAssertEqual(usage["prompt_tokens"] as? Int, expected.promptTokens.count)
            XCTAssertNotNil((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int)
        }
    }

    func testAStreamIsServerSentEventsEndingWithDone() async throws {
        let request = #"{"model":"nano-base","prompt":"The capital of France is","max_tokens":10,"stream":true,"stream_options":{"include_usage":true}}"#
        try await app().test(.router) { client in
            let whole = try await client.execute(uri: "/v1/completions", method: .post,
                                                 body: json(request.replacingOccurrences(of: #""stream":true"#, with: #""stream":false"#)))
            let text = try XCTUnwrap(((try object(whole)["choices"] as? [[String: Any]])?.first)?["text"] as? String)
            let response = try await client.execute(uri: "/v1/completions", method: .post, body: json(request))
            XCTAssertEqual(response.headers[.contentType], "text/event-stream; charset=utf-8")
            let events = String(buffer: response.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            XCTAssertEqual(events.last, "data: [DONE]")
            XCTAssertTrue(events.allSatisfy { $0.hasPrefix("data: ") })
            let chunks = try events.dropLast().map {
                try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any])
            }
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            XCTAssertEqual(choices.compactMap { $0["text"] as? String }.joined(), text)
            XCTAssertEqual(choices.compactMap { $0["finish_reason"] as? String }, ["length"])
            XCTAssertEqual(((chunks.last?["usage"] as? [String: Any])?["completion_tokens"]) as? Int, 10)
        }
    }

    /// `return_token_ids` (vLLM's field, which a remote engine asks for): each choice carries the ids
    /// the model chose, the same as the local engine's, whole or streamed.
    func testReturnTokenIDsCarriesTheGeneratedIDs() async throws {
        let zoo = try ServerTest.model("nano-base").zoo
        let expected = try zoo.generate(.completion("The capital of France is"), options: GenerationOptions(maxTokens: 8))
        let request = #"{"model":"nano-base","prompt":"The capital of France is","max_tokens":8,"return_token_ids":true"#
        try await app().test(.router) { client in
            let whole = try await client.execute(uri: "/v1/completions", method: .post, body: json(request + "}"))
            let choice = try XCTUnwrap((try object(whole)["choices"] as? [[String: Any]])?.first)
            XCTAssertEqual(choice["token_ids"] as? [Int], expected.samples[0].tokens)
            let streamed = try await client.execute(uri: "/v1/completions", method: .post, body: json(request + #","stream":true}"#))
            let ids = try String(buffer: streamed.body).components(separatedBy: "\n\n")
                .filter { $0.hasPrefix("data: {") }
                .flatMap { event -> [Int] in
                    let chunk = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
                    return ((chunk["choices"] as? [[String: Any]])?.first?["token_ids"] as? [Int]) ?? []
                }
            XCTAssertEqual(ids, expected.samples[0].tokens)
        }
    }

    func testReceiptsReplay() async throws {
        try await app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/chat/completions", method: .post,
                body: json(#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}],"temperature":1,"seed":3,"n":2,"max_tokens":8,"receipt":true}"#))
            let choices = try XCTUnwrap(try object(response)["choices"] as? [[String: Any]])
            XCTAssertEqual(choices.count, 2)
            for (index, choice) in choices.enumerated() {
                let data = try JSONSerialization.data(withJSONObject: try XCTUnwrap(choice["receipt"]))
                let receipt = try JSONDecoder().decode(Receipt.self, from: data)
                XCTAssertEqual(receipt.seed, 3 + UInt64(index))
                let replayed = try receipt.replay(loader: ManifestLoader(searchPaths: [ServerTest.zooFolder]))
                XCTAssertEqual(replayed, receipt.outputIDs, "zoo replay reproduces choice \(index)")
            }
        }
    }

    func testErrorsUseOpenAIsObjectAndStatus() async throws {
        try await app(ServerOptions(bodyLimit: 2048)).test(.router) { client in
            let invalid = try await client.execute(uri: "/v1/chat/completions", method: .post, body: json("{nope"))
            XCTAssertEqual(invalid.status, .badRequest)
            XCTAssertEqual(try error(invalid)["type"] as? String, "invalid_request_error")
            let unknown = try await client.execute(uri: "/v1/completions", method: .post, body: json(#"{"model":"qwen","prompt":"x"}"#))
            XCTAssertEqual(unknown.status, .notFound)
            XCTAssertEqual(try error(unknown)["code"] as? String, "model_not_found")
            let large = try await client.execute(uri: "/v1/completions", method: .post,
                                                 body: json(#"{"model":"nano-base","prompt":"\#(String(repeating: "x", count: 4096))"}"#))
            XCTAssertEqual(large.status, .contentTooLarge)
            XCTAssertEqual(try error(large)["code"] as? String, "request_too_large")
            let route = try await client.execute(uri: "/v2/nothing", method: .get)
            XCTAssertEqual(route.status, .notFound)
            _ = try error(route)
            let tokens = try await client.execute(uri: "/detokenize", method: .post, body: json(#"{"model":"nano-base","tokens":[-1]}"#))
            XCTAssertEqual(tokens.status, .badRequest)
            XCTAssertEqual(try error(tokens)["param"] as? String, "tokens")
        }
    }

    func testTheKeyIsRequiredExceptForHealth() async throws {
        try await app(ServerOptions(apiKey: "secret")).test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(try object(health)["status"] as? String, "ok")
            let missing = try await client.execute(uri: "/v1/models", method: .get)
            XCTAssertEqual(missing.status, .unauthorized)
            XCTAssertEqual(try error(missing)["code"] as? String, "invalid_api_key")
            let wrong = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer secreT"])
            XCTAssertEqual(wrong.status, .unauthorized)
            let right = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer secret"])
            XCTAssertEqual(right.status, .ok)
            let ids = (try object(right)["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            XCTAssertEqual(ids, ["nano-chat", "nano-code", "nano-base"])
        }
        XCTAssertTrue(APIKeyMiddleware<BasicRequestContext>.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(APIKeyMiddleware<BasicRequestContext>.constantTimeEqual(Array("abcd".utf8), Array("abc".utf8)))
        XCTAssertFalse(APIKeyMiddleware<BasicRequestContext>.constantTimeEqual([], []))
    }

    func testHealthIs503WhileLoading() async throws {
        let loader = ManifestLoader(searchPaths: [ServerTest.zooFolder])
        let loading = try ModelRegistry(manifests: [.init(reference: "nano-chat", resolved: loader.load("nano-chat"))])
        try await app(registry: loading).test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            XCTAssertEqual(health.status, .serviceUnavailable)
            let chat = try await client.execute(uri: "/v1/chat/completions", method: .post,
                                                body: json(#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}]}"#))
            XCTAssertEqual(chat.status, .serviceUnavailable)
            XCTAssertEqual(chat.headers[.retryAfter], "1")
        }
    }

    func testTokenizeAndDetokenizeRoundTrip() async throws {
        let zoo = try ServerTest.model("nano-chat").zoo
        try await app().test(.router) { client in
            let tokens = try await client.execute(uri: "/tokenize", method: .post, body: json(#"{"model":"nano-chat","prompt":"Hello there"}"#))
            let ids = try XCTUnwrap(try object(tokens)["tokens"] as? [Int])
            XCTAssertEqual(ids, zoo.tokenizer.encode("Hello there"))
            let text = try await client.execute(uri: "/detokenize", method: .post,
                                                body: json(#"{"model":"nano-chat","tokens":\#(ids)}"#))
            XCTAssertEqual(try object(text)["prompt"] as? String, "Hello there")
            let chat = try await client.execute(uri: "/tokenize", method: .post,
                                                body: json(#"{"model":"nano-chat","messages":[{"role":"user","content":"Hi"}]}"#))
            XCTAssertEqual(try object(chat)["tokens"] as? [Int], try zoo.plan(.chat([ChatMessage(.user, "Hi")])).tokens)
        }
    }

    func testMetricsArePrometheusText() async throws {
        try await app().test(.router) { client in
            _ = try await client.execute(uri: "/v1/completions", method: .post, body: json(#"{"model":"nano-base","prompt":"The","max_tokens":3}"#))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            for line in ["# TYPE zoo_requests_total counter", "# TYPE zoo_batch_size histogram",
                         "# TYPE zoo_time_to_first_token_seconds histogram", "# TYPE zoo_inter_token_latency_seconds histogram",
                         #"zoo_queue_depth{model="nano-base"} 0"#, #"zoo_running_sequences{model="nano-base"} 0"#,
                         #"zoo_requests_total{status="200"}"#, #"zoo_batch_size_bucket{model="nano-base",le="+Inf"}"#] {
                XCTAssertTrue(text.contains(line), "missing \(line)")
            }
        }
    }

    func testTheEndpointsMountOnAnAppsOwnRouter() async throws {
        let router = Router()
        router.get("/") { _, _ in "my app" }
        ZooServer(registry: ServerTest.registry, options: ServerOptions(apiKey: "k")).addRoutes(to: router, at: "llm")
        try await Application(router: router).test(.router) { client in
            let home = try await client.execute(uri: "/", method: .get)
            XCTAssertEqual(String(buffer: home.body), "my app", "the app's own routes need no key")
            let locked = try await client.execute(uri: "/llm/v1/models", method: .get)
            XCTAssertEqual(locked.status, .unauthorized)
            let reply = try await client.execute(
                uri: "/llm/v1/completions", method: .post, headers: [.authorization: "Bearer k"],
                body: json(#"{"model":"nano-base","prompt":"The","max_tokens":2}"#))
            XCTAssertEqual(reply.status, .ok)
            let bad = try await client.execute(uri: "/llm/v1/completions", method: .post, headers: [.authorization: "Bearer k"],
                                               body: json(#"{"model":"nano-base","prompt":"The","n":0}"#))
            XCTAssertEqual(try error(bad)["param"] as? String, "n")
        }
    }
}
