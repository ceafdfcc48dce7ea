import Foundation
import XCTest
import ZooTestSupport

/// Claims of README.md that no other test exercised (see Tests/README-claims.md), checked through the
/// built `zoo` on the bundled nano and tiny models, or on the repository's files.
final class ReadmeClaimsTests: XCTestCase {
    static let root = Fixtures.repositoryRoot

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    private func write(_ text: String, _ name: String, in dir: URL) throws -> URL {
        let file = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    // MARK: Set-up and the bundled models

    func testNanoChatIsABundled1Point4MParameterQwen2() throws {
        let out = try ZooProcess.run(["list"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let row = try XCTUnwrap(out.stdout.split(separator: "\n").first { $0.hasPrefix("nano-chat ") }, out.stdout)
        XCTAssertTrue(row.contains("chat") && row.contains("qwen2") && row.contains("1.4M") && row.contains("present"), String(row))
    }

    func testSolveAnswersAndVotes() throws {
        let one = try ZooProcess.run(["solve", "--manifest", "nano-math", "What is 12 plus 30?"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("\\boxed{42}") && one.stdout.contains("answer: 42"), one.stdout)
        let votes = try ZooProcess.run(["solve", "--manifest", "nano-math", "--votes", "3", "--seed", "1", "What is 12 plus 30?"])
        XCTAssertEqual(votes.status, 0, votes.stderr)
        XCTAssertTrue(votes.stdout.contains("answer: 42  (3 of 3 samples agree)"), votes.stdout)
    }

    func testCompleteFillsInTheMiddleWithASuffixFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        let prefix = try write("def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n", "prefix.py", in: dir)
        let suffix = try write("\n\nassert add(2, 3) == 5\n", "suffix.py", in: dir)
        let out = try ZooProcess.run(["complete", "--manifest", "nano-code", "--prefix-file", prefix.path, "--suffix-file", suffix.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("return"), out.stdout)
        XCTAssertFalse(out.stdout.contains("<|"), "no FIM markup: \(out.stdout)")
    }

    // MARK: Getting real weights

    /// The README's table: manifest → Hugging Face repository (`weights.hf`). Each manifest names that
    /// repository, and its weights are the repository's snapshot in the Hugging Face cache under `HF_HOME`:
    /// `snapshots/<commit of refs/main>` once `refs/main` is there (as `zoo pull` or `huggingface_hub` leave it).
    func testEveryFamilyManifestExpectsTheFolderOfItsRepository() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        var pairs: [(manifest: String, repository: String)] = []
        let table = try XCTUnwrap(readme.components(separatedBy: "| manifest | Hugging Face repository").dropFirst().first)
        for line in table.components(separatedBy: "\n\n")[0].components(separatedBy: "\n") where line.hasPrefix("| `qwen") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let names = cells[0].components(separatedBy: ", ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            let repositories = cells[1].components(separatedBy: ", ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            XCTAssertEqual(names.count, repositories.count, line)
            pairs += zip(names, repositories).map { ($0, $1) }
        }
        XCTAssertGreaterThanOrEqual(pairs.count, 16, "the README's table was not found")
        let home = try Fixtures.temporaryDirectory()
        let commit = "0123456789abcdef0123456789abcdef01234567"
        for (manifest, repository) in pairs {
            // huggingface_hub's layout: models--Org--Name/refs/main holds the commit id.
            let folder = home.appendingPathComponent("hub/models--" + repository.replacingOccurrences(of: "/", with: "--"))
            let refs = folder.appendingPathComponent("refs")
            try FileManager.default.createDirectory(at: refs, withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: refs.appendingPathComponent("main"))
            let out = try ZooProcess.run(["show", manifest], environment: ["HF_HOME": home.path])
            XCTAssertEqual(out.status, 0, "\(manifest): \(out.stderr)")
            XCTAssertTrue(out.stdout.contains("hf: \(repository)\n"), "\(manifest) should name \(repository):\n\(out.stdout)")
            let snapshot = folder.appendingPathComponent("snapshots/\(commit)").path
            XCTAssertTrue(out.stdout.contains("path: \(snapshot)\n"), "\(manifest) should load \(snapshot):\n\(out.stdout)")
        }
        // And every family manifest in zoo/ is in the table.
        let listed = Set(pairs.map(\.manifest))
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("zoo").path)
        let family = files.filter { $0.hasPrefix("qwen") && $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        XCTAssertEqual(Set(family).subtracting(listed).sorted(), [], "family manifests missing from the README's table")
    }

    // MARK: Every CPU

    func testZooISACapsTheLevelAndAnUnknownValueIsAnErrorInBench() throws {
        let bench = ["bench", "--model", "zoo/models/nano-chat", "--prompt-tokens", "8", "--decode-tokens", "2", "--repeat", "1", "--json"]
        let generic = try ZooProcess.run(bench, environment: ["ZOO_ISA": "generic"])
        XCTAssertEqual(generic.status, 0, generic.stderr)
        let report = try json(generic.stdout)
        XCTAssertEqual(report["isa"] as? String, "generic")
        XCTAssertNotNil(report["cpu_isa"] as? String)
        // Another architecture's level means the portable path; a level of this one that the CPU lacks,
        // the widest it has below it.
        let cpu = try XCTUnwrap(report["cpu_isa"] as? String)
        let foreign = cpu == "neon" ? "avx2" : "neon"
        let other = try ZooProcess.run(bench, environment: ["ZOO_ISA": foreign])
        XCTAssertEqual(try json(other.stdout)["isa"] as? String, "generic", "ZOO_ISA=\(foreign) on \(cpu)")
        if cpu == "avx2" {
            let lacking = try ZooProcess.run(bench, environment: ["ZOO_ISA": "avx512"])
            XCTAssertEqual(try json(lacking.stdout)["isa"] as? String, "avx2")
        }
        let unknown = try ZooProcess.run(bench, environment: ["ZOO_ISA": "sse9"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.hasPrefix("zoo: error: ZOO_ISA=sse9"), unknown.stderr)
    }

    // MARK: Manifests

    func testQwenzooPathIsColonSeparatedAndTheFirstMatchWins() throws {
        let first = try Fixtures.temporaryDirectory(), second = try Fixtures.temporaryDirectory()
        let nano = "\(Self.root.path)/zoo/nano-chat.yaml"
        _ = try write("extends: \(nano)\nmax_tokens: 2\n", "pick.yaml", in: first)
        _ = try write("extends: \(nano)\nmax_tokens: 3\n", "pick.yaml", in: second)
        _ = try write("extends: \(nano)\nmax_tokens: 4\n", "only-second.yaml", in: second)
        func ids(_ name: String) throws -> Int {
            let out = try ZooProcess.run(["generate", "--manifest", name, "--prompt", "What is the capital of Japan?", "--print-ids"],
                                         environment: ["QWENZOO_PATH": "\(first.path):\(second.path)"])
            XCTAssertEqual(out.status, 0, out.stderr)
            return try JSONDecoder().decode([Int].self, from: Data(out.stdout.utf8)).count
        }
        XCTAssertEqual(try ids("pick"), 2, "the first folder's pick.yaml")
        XCTAssertEqual(try ids("only-second"), 4, "later folders are searched too")
    }

    /// The README prints two manifests, a model and its family layer: laid out as the paths in their
    /// first lines say, beside the other family layers, they resolve to what the bundled files do.
    func testTheManifestExamplesAreTheBundledFiles() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let all = readme.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        // A block whose first line says "(yours)" is a manifest the reader writes (Remote engines), not a bundled file.
        let blocks = all.filter { !($0.components(separatedBy: "\n").first ?? "").hasSuffix(" (yours)") }
        let yours = all.filter { ($0.components(separatedBy: "\n").first ?? "").hasSuffix(" (yours)") }
        XCTAssertEqual(blocks.count, 2)
        XCTAssertEqual(yours.count, 1)
        let copy = try Fixtures.temporaryDirectory()
        let families = copy.appendingPathComponent("families")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("zoo/families"), to: families)
        // The reader's manifest is valid as written, beside the bundled family layers.
        for block in yours {
            let path = try XCTUnwrap(block.components(separatedBy: "\n").first?.replacingOccurrences(of: "# zoo/", with: "")
                .replacingOccurrences(of: " (yours)", with: ""))
            let file = copy.appendingPathComponent(path)
            try Data(block.utf8).write(to: file)
            let validate = try ZooProcess.run(["validate", file.path])
            XCTAssertEqual(validate.status, 0, "\(path): \(validate.stderr)")
            // Its weights (the tokenizer's repository) are not pulled here: validate says so after "ok".
            XCTAssertTrue(validate.stdout.hasPrefix("ok      \(String(path.dropLast(5)))"), validate.stdout + validate.stderr)
        }
        for block in blocks {
            let path = try XCTUnwrap(block.components(separatedBy: "\n").first?.replacingOccurrences(of: "# zoo/", with: ""))
            let target = copy.appendingPathComponent(path)
            try? FileManager.default.removeItem(at: target)
            try Data(block.utf8).write(to: target)
        }
        let name = "qwen2.5-7b-instruct"
        let bundled = try ZooProcess.run(["show", "--resolved", name], environment: ["QWENZOO_MODELS": "/models"])
        let printed = try ZooProcess.run(["show", "--resolved", name], environment: ["QWENZOO_MODELS": "/models", "QWENZOO_PATH": copy.path])
        XCTAssertEqual(bundled.status, 0, bundled.stderr)
        XCTAssertEqual(printed.status, 0, printed.stderr)
        // The values agree; only the files and lines they come from (the first line and the comments) differ.
        func values(_ text: String) -> [String] {
            text.components(separatedBy: "\n").dropFirst().map { $0.components(separatedBy: "  # ")[0] }
        }
        XCTAssertEqual(values(printed.stdout), values(bundled.stdout))
    }

    /// `stop.eos: false` lets a base manifest on a chat checkpoint run past the checkpoint's end-of-sequence
    /// ids (the chat variant would still stop at `<|im_end|>`, its own stop). The manifest writes no
    /// name, nor does its family layer: it takes its file name.
    func testEosFalseRunsPastTheCheckpointsEndOfSequence() throws {
        let dir = try Fixtures.temporaryDirectory()
        let file = try write("extends: \(Self.root.path)/zoo/families/qwen2.yaml\nweights: {path: \(Self.root.path)/zoo/models/nano-chat}\n",
                             "plain.yaml", in: dir)
        let validate = try ZooProcess.run(["validate", file.path])
        XCTAssertEqual(validate.stdout, "ok      plain\n", validate.stderr)
        let args = ["generate", "--manifest", file.path, "--prompt", "What is the capital of Japan?", "--print-ids"]
        let stopped = try ZooProcess.run(args)
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        let stoppedIDs = try JSONDecoder().decode([Int].self, from: Data(stopped.stdout.utf8))
        XCTAssertTrue([1538, 1536].contains(stoppedIDs.last ?? -1), "stops at the checkpoint's eos: \(stoppedIDs)")
        let free = try ZooProcess.run(args + ["--set", "stop.eos=false", "--max-tokens", "\(stoppedIDs.count + 8)"])
        XCTAssertEqual(free.status, 0, free.stderr)
        let freeIDs = try JSONDecoder().decode([Int].self, from: Data(free.stdout.utf8))
        XCTAssertEqual(freeIDs.count, stoppedIDs.count + 8, "without eos it runs to max_tokens")
        XCTAssertEqual(Array(freeIDs.prefix(stoppedIDs.count)), stoppedIDs)
    }

    func testGenerateSaysWhichLimitEndedItAndJSONHasTheLimits() throws {
        let args = ["generate", "--manifest", "nano-chat", "--prompt", "What is the capital of Japan?", "--max-tokens", "3"]
        let text = try ZooProcess.run(args)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertEqual(text.stderr, "zoo: finish_reason: length (max_tokens)\n")
        let out = try ZooProcess.run(args + ["--json"])
        let object = try json(out.stdout)
        XCTAssertEqual(object["finish_reason"] as? String, "length (max_tokens)")
        XCTAssertEqual((object["ids"] as? [Int])?.count, 3)
        XCTAssertNotNil(object["text"] as? String)
        XCTAssertEqual(object["max_tokens"] as? Int, 3)
        let done = try ZooProcess.run(["generate", "--manifest", "nano-chat", "--prompt", "What is the capital of Japan?"])
        XCTAssertEqual(done.stderr, "", "a reply that ends by itself says nothing on stderr")
    }

    // MARK: Chat

    func testChatGoesOnAfterATurnFails() throws {
        // A first turn longer than nano-chat's whole context fails; the next one is answered.
        let long = Array(repeating: "What is the capital of Japan?", count: 300).joined(separator: " ")
        let out = try ZooProcess.run(["chat", "--manifest", "nano-chat"], stdin: "\(long)\nWhat is the capital of Japan?\n")
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stderr.contains("zoo: error: "), out.stderr)
        XCTAssertTrue(out.stdout.contains("The capital of Japan is Tokyo."), out.stdout)
    }

    /// README: on a terminal the line can be edited with ←/→, Ctrl-A/Ctrl-E, Backspace and Ctrl-U
    /// (`ChatCommandTests` covers Ctrl-A and ↑). Typed ahead into a pseudo-terminal: "…France?", Ctrl-U
    /// (cleared), "…Jaanese", three Backspaces ("…Jaan"), Ctrl-A, Ctrl-E, ←←, "p" ("Japan"), →→, "?".
    /// A key that failed would leave France, Jaanese, "pWhat…", "Jaanp" or "Jap?an", whose replies differ.
    func testTerminalEditingKeys() throws {
        let keys = "What is the capital of France?\u{15}What is the capital of Jaanese\u{7F}\u{7F}\u{7F}"
            + "\u{01}\u{05}\u{1B}[D\u{1B}[Dp\u{1B}[C\u{1B}[C?\r/quit\r"
        let (status, text) = try ZooProcess.runInTerminal(["chat", "--manifest", "nano-chat"], keys: keys)
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("The capital of Japan is Tokyo."), text)
        XCTAssertFalse(text.contains("Paris"), text)
    }

    // MARK: Samplers

    /// README: every command that samples takes `--chain SPEC` (replacing the manifest's) and `--seed N`:
    /// a hot chain gives the same text for the same seed and another text for another seed.
    func testEveryCommandThatSamplesTakesChainAndSeed() throws {
        let dir = try Fixtures.temporaryDirectory()
        let prefix = try write("def add(a, b):\n", "p.py", in: dir).path
        let commands: [(arguments: [String], stdin: String)] = [
            (["generate", "--manifest", "nano-chat", "--prompt", "Hi"], ""),
            (["chat", "--manifest", "nano-chat"], "Hi\n"),
            (["complete", "--manifest", "nano-code", "--prefix-file", prefix], ""),
            (["solve", "--manifest", "nano-math", "What is 12 plus 30?"], ""),
        ]
        for (arguments, stdin) in commands {
            func run(_ seed: Int) throws -> String {
                let out = try ZooProcess.run(arguments + ["--chain", "top_k=50,temperature=2", "--seed", "\(seed)", "--max-tokens", "16"], stdin: stdin)
                XCTAssertEqual(out.status, 0, "\(arguments): \(out.stderr)")
                return out.stdout
            }
            let first = try run(3)
            XCTAssertEqual(try run(3), first, "\(arguments[0]): same seed, same text")
            XCTAssertNotEqual(try run(4), first, "\(arguments[0]): the chain samples (16 tokens at temperature 2)")
        }
    }

    func testSampleLabReportsEachChain() throws {
        let dir = try Fixtures.temporaryDirectory()
        let trace = dir.appendingPathComponent("trace.jsonl")
        // The first manifest supplies the model and renders the prompt; the second, only its chain.
        let out = try ZooProcess.run(["sample-lab", "--manifest", "nano-chat", "--manifest", "qwen2.5-7b-instruct",
                                      "--chain", "top_k=20,top_p=0.8,temperature=1",
                                      "--prompt", "Hi", "--seeds", "2", "--max-tokens", "6", "--json", "--trace", trace.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        let report = try json(out.stdout)
        let chains = try XCTUnwrap(report["chains"] as? [[String: Any]], out.stdout)
        XCTAssertEqual(chains.map { $0["chain"] as? String }, ["nano-chat: (greedy)",
                                                               "qwen2.5-7b-instruct: repetition_penalty=1.05,temperature=0.7,top_k=20,top_p=0.8",
                                                               "top_k=20,top_p=0.8,temperature=1"])
        for chain in chains {
            for key in ["mean_entropy", "distinct_1", "distinct_2", "repetition_rate", "tokens_per_second"] {
                XCTAssertNotNil(chain[key], "\(key) in \(chain.keys.sorted())")
            }
            XCTAssertEqual((chain["samples"] as? [[Int]])?.count, 2, "--seeds 2")
        }
        let stages = try XCTUnwrap(chains[2]["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.map { $0["stage"] as? String }, ["top_k", "top_p", "temperature"])
        XCTAssertTrue(stages.allSatisfy { $0["mean_mass_kept"] is Double }, "the mass kept per stage")
        let lines = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 0)
        for line in lines { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8))) }
        let bench = try ZooProcess.run(["sample-lab", "--chain", "top_k=20,temperature=0.7", "--bench", "--bench-vocabulary", "1000", "--bench-steps", "10"])
        XCTAssertEqual(bench.status, 0, bench.stderr)
        XCTAssertTrue(bench.stdout.contains("µs"), bench.stdout)
    }

    func testReplayRefusesAChangedTokenizer() throws {
        let dir = try Fixtures.temporaryDirectory()
        let receipt = dir.appendingPathComponent("r.json")
        let run = try ZooProcess.run(["generate", "--manifest", "nano-chat", "--prompt", "What is the capital of Japan?",
                                      "--receipt", receipt.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        var record = try json(try String(contentsOf: receipt, encoding: .utf8))
        for key in ["manifest_hash", "tokenizer_hash", "seed", "chain", "prompt_ids", "stop_ids", "output_ids"] {
            XCTAssertNotNil(record[key], "the receipt records \(key)")
        }
        XCTAssertEqual(try ZooProcess.run(["replay", receipt.path]).status, 0)
        record["tokenizer_hash"] = "0000"
        try JSONSerialization.data(withJSONObject: record).write(to: receipt)
        let replay = try ZooProcess.run(["replay", receipt.path])
        XCTAssertNotEqual(replay.status, 0)
        XCTAssertTrue(replay.stderr.contains("the tokenizer changed since the receipt was written"), replay.stderr)
    }

    // MARK: Evaluation

    func testChoiceAndChatTasksOnTheBundledSets() throws {
        // The first 20 of the 150 held-out conversations (all 150: 47 s in a debug build).
        let chat = try ZooProcess.run(["eval", "--manifest", "nano-chat", "--task", "chat",
                                       "--data", "zoo/models/nano-chat/eval-chat.jsonl", "--limit", "20", "--json"])
        XCTAssertEqual(chat.status, 0, chat.stderr)
        XCTAssertEqual(try json(chat.stdout)["ends_with_im_end"] as? Double, 1, "the README: 100 % of replies")
        let choice = try ZooProcess.run(["eval", "--manifest", "nano-base", "--task", "choice",
                                         "--data", "zoo/models/nano-base/eval-choice.jsonl", "--limit", "8", "--json"])
        XCTAssertEqual(choice.status, 0, choice.stderr)
        XCTAssertNotNil(try json(choice.stdout)["accuracy"] as? Double)
    }

    /// README: `--out` writes one line per item with `id`, `prompt_hash`, `output`, `extracted`, `gold`,
    /// `correct`, `votes`, `majority`, `majority_correct`, `subject`, `level`.
    func testProtocolRecordsHoldEveryFieldTheReadmeNames() throws {
        let dir = try Fixtures.temporaryDirectory()
        let data = try write(#"{"problem": "Zoe has 39 flowers. She buys 5 more. How many flowers does Zoe have now?", "level": "Level 1", "type": "Prealgebra", "solution": "$\\boxed{44}$"}"# + "\n",
                             "test.jsonl", in: dir)
        let records = dir.appendingPathComponent("results.jsonl")
        let out = try ZooProcess.run(["eval", "--manifest", "nano-math", "--protocol", "qwen2.5-math", "--data", data.path,
                                      "--votes", "2", "--seed", "1", "--out", records.path, "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let lines = try String(contentsOf: records, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        let record = try json(String(lines[0]))
        let fields = ["id", "prompt_hash", "output", "extracted", "gold", "correct", "votes", "majority", "majority_correct", "subject", "level"]
        XCTAssertEqual(Set(record.keys), Set(fields))
        XCTAssertEqual(record["gold"] as? String, "44")
        XCTAssertEqual(record["subject"] as? String, "Prealgebra")
        XCTAssertEqual(record["level"] as? String, "Level 1")
    }

    /// README: `--data` may be a folder, whose `.jsonl` and `.csv` files are read in name order.
    func testDataFolderIsReadInNameOrder() throws {
        let dir = try Fixtures.temporaryDirectory()
        let data = dir.appendingPathComponent("test")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        _ = try write(#"{"question": "What is 2 plus 3?", "answer": "5"}"# + "\n", "b.jsonl", in: data)
        _ = try write(#"{"question": "What is 4 plus 4?", "answer": "8"}"# + "\n", "a.jsonl", in: data)
        _ = try write("not data\n", "notes.txt", in: data)
        let records = dir.appendingPathComponent("r.jsonl")
        let out = try ZooProcess.run(["eval", "--manifest", "nano-math", "--protocol", "qwen2.5-math", "--data", data.path,
                                      "--out", records.path, "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let ids = try String(contentsOf: records, encoding: .utf8).split(separator: "\n").map { try json(String($0))["id"] as? String }
        XCTAssertEqual(ids.map { $0.map { URL(fileURLWithPath: $0).lastPathComponent } }, ["a.jsonl:1", "b.jsonl:1"])
    }

    /// README: with `--votes K`, vote v of item i uses seed S + 1000·i + v. A hot chain makes the votes
    /// differ; `zoo generate` with those seeds gives the same answers, in order.
    func testVoteVOfItemIUsesSeedSPlus1000IPlusV() throws {
        let dir = try Fixtures.temporaryDirectory()
        let records = dir.appendingPathComponent("r.jsonl")
        let data = "zoo/models/nano-math/eval-math.jsonl", chain = "temperature=1.5"
        let run = try ZooProcess.run(["eval", "--manifest", "nano-math", "--protocol", "qwen2.5-math", "--data", data, "--limit", "2",
                                      "--votes", "2", "--seed", "1", "--chain", chain, "--out", records.path, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = try String(contentsOf: records, encoding: .utf8).split(separator: "\n")
        let questions = try String(contentsOf: Self.root.appendingPathComponent(data), encoding: .utf8).split(separator: "\n")
        for i in 0..<2 {
            let votes = try XCTUnwrap(try json(String(lines[i]))["votes"] as? [String])
            let question = try XCTUnwrap(try json(String(questions[i]))["question"] as? String)
            let answers = try (0..<2).map { v -> String in
                let out = try ZooProcess.run(["generate", "--manifest", "nano-math", "--prompt", question, "--chain", chain,
                                              "--seed", "\(1 + 1000 * i + v)"])
                let boxed = out.stdout.components(separatedBy: "\\boxed{").last ?? ""
                return String(boxed.prefix { $0 != "}" })
            }
            XCTAssertEqual(answers, votes, "item \(i)")
        }
    }

    // MARK: Using zoo with a checkpoint

    func testTokenizeReadsVocabAndMerges() throws {
        let dir = try Fixtures.temporaryDirectory()
        for file in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: Fixtures.url("tokenizer/qwen2-hf/\(file)"), to: dir.appendingPathComponent(file))
        }
        let out = try ZooProcess.run(["tokenize", "--tokenizer", dir.path], stdin: "Hello, world! 123")
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout, "[9707, 11, 1879, 0, 220, 16, 17, 18]\n", "the ids of TokenizerCommandTests")
    }

    func testBenchTakesOpenBLASAndMeasuresATokenizer() throws {
        let blas = try ZooProcess.run(["bench", "--model", "zoo/models/nano-chat", "--matmul", "openblas",
                                       "--prompt-tokens", "8", "--decode-tokens", "2", "--repeat", "1", "--json"])
        XCTAssertEqual(blas.status, 0, blas.stderr)
        XCTAssertGreaterThan(try json(blas.stdout)["decode_tokens_per_second"] as? Double ?? 0, 0)
        let dir = try Fixtures.temporaryDirectory()
        let text = try write(String(repeating: "Hello world, 你好世界! ", count: 200), "text.txt", in: dir)
        let tokenizer = try ZooProcess.run(["bench", "--tokenizer", "zoo/models/nano-chat", "--text", text.path, "--repeat", "1", "--json"])
        XCTAssertEqual(tokenizer.status, 0, tokenizer.stderr)
        let report = try json(tokenizer.stdout)
        for key in ["tokenizer_mb_per_second", "tokens", "bytes"] { XCTAssertNotNil(report[key], "\(key) in \(report)") }
    }

    /// README: `zoo generate --model` streams the text with special tokens hidden; `--print-ids` prints the
    /// ids, the stop token included. `--allow-special` reads the ChatML markers of the prompt as such.
    func testModelGenerationHidesSpecialTokens() throws {
        let base = ["generate", "--model", "zoo/models/nano-chat", "--allow-special",
                    "--prompt", "<|im_start|>user\nWhat is the capital of Japan?<|im_end|>\n<|im_start|>assistant\n"]
        let text = try ZooProcess.run(base)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertEqual(text.stdout, "The capital of Japan is Tokyo.\n")
        let ids = try ZooProcess.run(base + ["--print-ids"])
        XCTAssertEqual(try JSONDecoder().decode([Int].self, from: Data(ids.stdout.utf8)).last, 1538, "<|im_end|> ended it, unprinted")
    }

    /// README: `--threads 0` (generate, chat, complete, solve, sample-lab, logits, bench) and `--max-tokens 0`
    /// (generate, chat, complete, solve, sample-lab) are refused alike, before anything loads.
    func testZeroThreadsAndTokensAreRefusedByEveryCommandNamed() throws {
        let dir = try Fixtures.temporaryDirectory()
        let prefix = try write("def f(", "p.py", in: dir).path
        let commands: [String: [String]] = [
            "generate": ["generate", "--manifest", "nano-chat", "--prompt", "x"],
            "chat": ["chat", "--manifest", "nano-chat"],
            "complete": ["complete", "--manifest", "nano-code", "--prefix-file", prefix],
            "solve": ["solve", "--manifest", "nano-math", "1+1?"],
            "sample-lab": ["sample-lab", "--manifest", "nano-chat", "--prompt", "x"],
            "logits": ["logits", "--model", "zoo/models/nano-chat", "--ids", "1,2"],
            "bench": ["bench", "--model", "zoo/models/nano-chat"],
        ]
        for (name, arguments) in commands {
            let threads = try ZooProcess.run(arguments + ["--threads", "0"])
            XCTAssertEqual(threads.stderr, "zoo: error: --threads must be at least 1, found 0\n", name)
            XCTAssertNotEqual(threads.status, 0, name)
            guard !["logits", "bench"].contains(name) else { continue }
            let tokens = try ZooProcess.run(arguments + ["--max-tokens", "0"])
            XCTAssertEqual(tokens.stderr, "zoo: error: --max-tokens must be at least 1, found 0\n", name)
            XCTAssertNotEqual(tokens.status, 0, name)
        }
    }

    // MARK: Design

    /// Every folder the Design section's tree shows exists, and every target folder in Sources/ is shown.
    func testEveryFolderOfTheDesignTreeExists() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let design = try XCTUnwrap(readme.components(separatedBy: "## Design\n").dropFirst().first)
        let tree = design.components(separatedBy: "```\n")[1]
        var shown: [String] = []
        var lastSource = ""
        for line in tree.components(separatedBy: "\n") where !line.isEmpty {
            let indent = line.prefix { $0 == " " }.count
            let words = line.split(separator: " ").map(String.init)
            if indent == 0 {
                shown.append(words[0])
            } else if indent == 2 {
                for word in words.prefix(while: { $0.hasSuffix("/") }) {
                    shown.append("Sources/\(word)")
                    lastSource = "Sources/\(word)"
                }
            } else if let sub = words.first(where: { $0.hasSuffix("/:") }) {
                shown.append(lastSource + sub.dropLast())
            }
        }
        XCTAssertGreaterThanOrEqual(shown.count, 20, "\(shown)")
        for folder in shown {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(folder).path, isDirectory: &isDirectory)
            XCTAssertTrue(exists && isDirectory.boolValue, "the Design tree shows \(folder), which is not a folder")
        }
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
        for target in targets where !target.hasPrefix(".") {
            XCTAssertTrue(shown.contains("Sources/\(target)/"), "Sources/\(target) is missing from the Design tree")
        }
        // "ZooModels/ … Qwen2/, QwenV1/": the architectures' folders.
        for folder in ["Sources/ZooModels/Qwen2", "Sources/ZooModels/QwenV1"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(folder).path), folder)
        }
    }

    /// The layers, bottom up. A target imports only targets of lower layers (components and front ends
    /// may also use their peers); the core imports nothing of ours.
    static let layers: [String: Int] = [
        "CZooKernels": 0, "COpenBLAS": 0,
        "ZooCore": 1,
        "ZooKernels": 2, "ZooTokenizers": 2, "ZooAttention": 2, "ZooSamplers": 2, "ZooModels": 2, "ZooGrammar": 2,
        "QwenBase": 2, "QwenChat": 2, "QwenCode": 2, "QwenMath": 2,
        "ZooHTTP": 2, "ZooHub": 2,
        "ZooScheduler": 3,
        // A remote engine follows the engine contract ZooScheduler defines, so it sits above it.
        "ZooRemote": 4,
        "QwenZoo": 5,
        "ZooCLI": 6, "ZooServer": 6,
    ]

    func testDependenciesPointDown() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }
        let ours = Set(targets)
        let importLine = try NSRegularExpression(pattern: #"^\s*(?:@\w+\s+)*(?:public |internal |package |private |fileprivate )?import (?:class |struct |enum |protocol |func |var |let )?(\w+)"#,
                                                 options: .anchorsMatchLines)
        for target in targets {
            guard let layer = Self.layers[target] else {
                XCTFail("Sources/\(target) has no layer in ReadmeClaimsTests.layers (and, likely, no line in the README's Design tree)")
                continue
            }
            let files = FileManager.default.enumerator(at: sources.appendingPathComponent(target), includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in importLine.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let module = String(text[Range(match.range(at: 1), in: text)!])
                    guard ours.contains(module), let used = Self.layers[module] else { continue }
                    let peers = used == layer && (layer == 2 || layer == 6)
                    XCTAssertTrue(used < layer || peers, "\(target)/\(file.lastPathComponent) imports \(module), which is not below it")
                }
            }
        }
    }

    // MARK: Correctness and figures

    func testTheQwen2FixturesAreTheSevenTheReadmeDescribes() throws {
        let folder = Fixtures.url("qwen2")
        let cases = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/config.json").path) }
        XCTAssertEqual(cases.count, 7, "\(cases)")
        var features = Set<String>()
        for name in cases {
            let dir = folder.appendingPathComponent(name)
            let config = try json(try String(contentsOf: dir.appendingPathComponent("config.json"), encoding: .utf8))
            let heads = config["num_attention_heads"] as? Int, kv = config["num_key_value_heads"] as? Int
            features.insert(kv == heads ? "MHA" : kv == 1 ? "MQA" : "GQA")
            features.insert((config["tie_word_embeddings"] as? Bool ?? true) ? "tied" : "untied")
            if config["head_dim"] != nil { features.insert("head_dim") }
            if ((config["rope_scaling"] as? [String: Any])?["type"] as? String) == "yarn" { features.insert("yarn") }
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            if files.contains("model.safetensors.index.json") { features.insert("sharded") }
        }
        for name in cases {
            for dtype in ["f32", "f16", "bf16"] where name.split(separator: "-").contains(Substring(dtype)) { features.insert(dtype) }
        }
        XCTAssertEqual(features.intersection(["MHA", "GQA", "MQA", "tied", "untied", "f32", "f16", "bf16", "sharded", "head_dim", "yarn"]).count, 11,
                       "the README's fixture list: \(features.sorted())")
    }

    func testFiguresOfTheReadmeAreTheFixtures() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        // "tokenizer ids equal to tiktoken's on 425 strings"
        let corpus = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("tokenizer/corpus.json"))) as? [String: Any]
        XCTAssertEqual((corpus?["cases"] as? [Any])?.count, 425)
        XCTAssertTrue(readme.contains("on 425 strings"))
        // The Parity paragraph's counts: the protocol fixture's sections, and the replies the chat letter
        // patterns decide (the rest would go to `thefuzz`).
        let protocols = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("eval/qwen-protocols.json"))) as? [String: Any]
        func items(_ key: String) -> [[String: Any]] { protocols?[key] as? [[String: Any]] ?? [] }
        for key in ["gsm8k", "chat_gsm8k", "humaneval", "chat_humaneval"] { XCTAssertEqual(items(key).count, 600, key) }
        for (key, decided, fuzzy) in [("chat_mmlu", 586, 214), ("chat_ceval", 543, 257)] {
            XCTAssertEqual(items(key).filter { $0["fuzzy"] as? Bool == false }.count, decided, key)
            XCTAssertEqual(items(key).filter { $0["fuzzy"] as? Bool == true }.count, fuzzy, key)
            XCTAssertTrue(readme.contains("(\(decided)") && readme.contains("\(fuzzy)"), key)
        }
        let math = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("eval/qwen25-math-extraction.json"))) as? [String: Any]
        XCTAssertEqual((math?["items"] as? [Any])?.count, 600)
        // "nano-base perplexity 1.84": the figure zoo/models/metrics.json holds (NanoParityTests checks
        // that QwenZoo computes it).
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.root.appendingPathComponent("zoo/models/metrics.json"))) as? [String: Any]
        let perplexity = try XCTUnwrap((metrics?["nano-base"] as? [String: Any])?["perplexity"] as? Double)
        XCTAssertTrue(readme.contains("nano-base perplexity \(String(format: "%.2f", perplexity))"), "\(perplexity)")
    }

    // MARK: Fuzzing, the example app, zoo/

    /// README: a libFuzzer target for every parser it names, each with a minimized corpus that
    /// `scripts/fuzz.sh` runs (its target list is the corpus folders) and a driver entry.
    func testEveryParserTheReadmeNamesHasAFuzzTarget() throws {
        let named = ["safetensors-header", "safetensors-index", "gguf", "config", "tiktoken", "tokenizer-json", "vocab-merges",
                     "tokenizer-roundtrip", "manifest", "chain", "prompt-cache", "receipt"]
        let corpora = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Fuzz/Corpus").path)
        XCTAssertEqual(Set(named).subtracting(corpora).sorted(), [], "targets without a corpus")
        let driver = try String(contentsOf: Self.root.appendingPathComponent("Fuzz/Sources/ZooFuzz/Driver.swift"), encoding: .utf8)
        for target in named { XCTAssertTrue(driver.contains("\"\(target)\": "), "no fuzz target \(target) in the driver") }
    }

    func testEveryFuzzFindingHasARegressionTest() throws {
        let findings = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("fuzz").path).filter { !$0.hasPrefix(".") }
        XCTAssertGreaterThan(findings.count, 0)
        let tests = FileManager.default.enumerator(at: Self.root.appendingPathComponent("Tests"), includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined() ?? ""
        for finding in findings {
            XCTAssertTrue(tests.contains("fuzz/\(finding)"), "Tests/Fixtures/fuzz/\(finding) has no regression test")
        }
    }

    func testTheExampleAppIsUnder60Lines() throws {
        let app = try String(contentsOf: Self.root.appendingPathComponent("Examples/Sources/ZooChat/main.swift"), encoding: .utf8)
        XCTAssertLessThan(app.split(separator: "\n", omittingEmptySubsequences: false).count, 60)
    }

    func testFamiliesAreNotListed() throws {
        let out = try ZooProcess.run(["list"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let layers = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("zoo/families").path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        XCTAssertGreaterThan(layers.count, 0)
        for layer in layers {
            XCTAssertFalse(out.stdout.split(separator: "\n").contains { $0.hasPrefix("\(layer) ") }, "\(layer) is listed")
        }
    }

    /// The runtime never starts Python: generation works with no python3 on PATH.
    func testGenerationNeedsNoPython() throws {
        let empty = try Fixtures.temporaryDirectory()
        let out = try ZooProcess.run(["generate", "--manifest", "nano-chat", "--prompt", "What is the capital of Japan?"],
                                     environment: ["PATH": empty.path])
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(out.stdout.contains("Tokyo"), out.stdout)
    }
}
