import Foundation
import XCTest
import ZooTestSupport

/// `zoo list`, `show`, `validate` and the commands that run a manifest, as a user types them.
final class ManifestCommandTests: XCTestCase {
    func testListShowsTheFamilyAndTheBundledModels() throws {
        let out = try ZooProcess.run(["list"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let lines = out.stdout.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("qwen2.5-7b-instruct ") && $0.contains("chat") && $0.contains("7.62B") && $0.contains("absent") }, out.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("qwen-14b ") && $0.contains("14.17B") }, out.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("tiny-chat ") && $0.contains("qwen2") && $0.contains("123.5K") && $0.contains("present") }, out.stdout)
    }

    func testShowResolvedNamesTheSourceOfEveryValue() throws {
        let out = try ZooProcess.run(["show", "--resolved", "qwen2.5-7b-instruct", "--set", "seed=9"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("  - top_k: 20  # zoo/families/qwen2.5-instruct.yaml:"), out.stdout)
        XCTAssertTrue(out.stdout.contains("name: qwen2.5-7b-instruct  # zoo/qwen2.5-7b-instruct.yaml:4"), out.stdout)
        XCTAssertTrue(out.stdout.contains("seed: 9  # --set"), out.stdout)
    }

    func testValidateEveryBundledManifest() throws {
        let out = try ZooProcess.run(["validate"])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertGreaterThanOrEqual(out.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count, 20)
    }

    func testValidateReportsABrokenManifestWithFileAndLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("broken.yaml")
        try Data("name: broken\nsampler:\n  - top_k: 20\nmax_token: 3\n".utf8).write(to: file)
        let out = try ZooProcess.run(["validate", file.path])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("broken.yaml:4: max_token: unknown key (did you mean \"max_tokens\"?)"), out.stderr)
    }

    func testGenerateWithTwoManifestsOnOneCheckpoint() throws {
        let chat = try ZooProcess.run(["generate", "--manifest", "tiny-chat", "--prompt", "Hello, who are you?", "--print-ids"])
        XCTAssertEqual(chat.status, 0, chat.stderr)
        XCTAssertEqual(chat.stdout, "[313, 330, 379, 362]\n", "stops at <|im_end|>")
        let base = try ZooProcess.run(["generate", "--manifest", "tiny-base", "--prompt", "def add(a, b):\n    return", "--print-ids"])
        XCTAssertEqual(base.status, 0, base.stderr)
        XCTAssertEqual(base.stdout, "[119, 25, 351, 142, 361, 351, 379, 362, 25, 224, 312, 121, 49, 9, 272, 142]\n")
    }

    func testChatReadsTurnsFromStdin() throws {
        let out = try ZooProcess.run(["chat", "--manifest", "tiny-chat"], stdin: "Hello, who are you?\n/reset\nHello, who are you?\n")
        XCTAssertEqual(out.status, 0, out.stderr)
        let replies = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(replies.count, 3, out.stdout)
        XCTAssertEqual(replies[0], replies[1], "after /reset the same turn gives the same reply")
    }

    func testAbsentWeightsSayWhereToPutThem() throws {
        let out = try ZooProcess.run(["generate", "--manifest", "qwen2.5-7b-instruct", "--prompt", "hi"], stdin: "")
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("Qwen2.5-7B-Instruct") && out.stderr.contains("zoo pull qwen2.5-7b-instruct"), out.stderr)
    }

    func testMismatchedRequestIsAClearError() throws {
        let dir = try Fixtures.temporaryDirectory()
        let prefix = dir.appendingPathComponent("a.py")
        try Data("def f(".utf8).write(to: prefix)
        let out = try ZooProcess.run(["complete", "--manifest", "tiny-chat", "--prefix-file", prefix.path, "--suffix-file", prefix.path])
        XCTAssertNotEqual(out.status, 0)
        XCTAssertTrue(out.stderr.contains("infill"), out.stderr)
    }

    func testGenerateWithChainAndSeedWritesAReceiptThatReplays() throws {
        let dir = try Fixtures.temporaryDirectory()
        let receipt = dir.appendingPathComponent("r.json").path
        let args = ["generate", "--manifest", "tiny-chat", "--prompt", "Hello, who are you?", "--print-ids",
                    "--chain", "top_k=20,top_p=0.9,temperature=1.2", "--seed", "5"]
        let first = try ZooProcess.run(args + ["--receipt", receipt])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try ZooProcess.run(args).stdout, first.stdout, "same seed, same tokens")
        let replay = try ZooProcess.run(["replay", receipt])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertTrue(replay.stdout.hasPrefix("identical: "), replay.stdout)
    }

    func testCheckpointGenerateTakesAChainToo() throws {
        let model = Qwen2Reference.directory("gqa-f32-untied").path
        let args = ["generate", "--model", model, "--ids", "1,2,3", "--max-tokens", "20",
                    "--chain", "top_k=20,top_p=0.8,temperature=0.7", "--seed", "5", "--print-ids"]
        let a = try ZooProcess.run(args), b = try ZooProcess.run(args)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
        let bad = try ZooProcess.run(["generate", "--model", model, "--ids", "1", "--chain", "top_p=1.5", "--print-ids"])
        XCTAssertTrue(bad.stderr.contains("top_p: must be in (0, 1], found 1.5"), bad.stderr)
    }

    func testEvalGivesIdenticalNumbersOnTwoRuns() throws {
        let dir = try Fixtures.temporaryDirectory()
        let data = dir.appendingPathComponent("math.jsonl")
        try Data("{\"question\": \"What is 2 + 3?\", \"answer\": \"5\"}\n{\"question\": \"What is 4 times 2?\", \"answer\": \"8\"}\n".utf8)
            .write(to: data)
        let args = ["eval", "--manifest", "tiny-math", "--task", "math", "--data", data.path, "--votes", "3",
                    "--seed", "2", "--max-tokens", "8", "--json"]
        let a = try ZooProcess.run(args), b = try ZooProcess.run(args)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout)
        let object = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as! [String: Any]
        XCTAssertNotNil(object["accuracy"])
        XCTAssertNotNil(object["maj_at_k"])
        // stderr is a pipe here, so the progress is one line at the end, not a redrawn bar.
        XCTAssertTrue(a.stderr.contains("math: "), "progress on stderr: \(a.stderr)")
        XCTAssertFalse(a.stderr.contains("\r"), a.stderr)
    }
}
