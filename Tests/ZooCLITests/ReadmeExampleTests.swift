import Foundation
import XCTest
import ZooTestSupport

/// Every `zoo` command line shown in README.md runs here with the result the README claims, or is
/// listed below with the reason it cannot (placeholders, real weights) and the test that covers
/// its claim instead. A new example that is in neither list fails this test, so the README cannot
/// grow an unchecked command.
final class ReadmeExampleTests: XCTestCase {
    /// How one README command is checked.
    enum Check {
        /// Run it (after `replace`, applied in order) and check what it prints.
        case run(replace: [(String, String)] = [], expect: Expectation)
        /// Not runnable as written; `coveredBy` names where its claim is tested.
        case skip(reason: String, coveredBy: String)
    }

    enum Expectation {
        /// Exit status 0 and stdout containing the text.
        case stdoutContains(String)
        /// Exit status 0 and stdout that is this JSON value.
        case stdoutJSON(String)
        /// Exit status 0 and a JSON object whose `key` holds `rows` arrays.
        case jsonRows(key: String, rows: Int)
        /// Exit status 0 and stdout (less its final newlines) matched as a whole by the regular expression.
        case stdoutMatches(String)
        /// Exit status 0 and stdout that is a JSON object holding these keys.
        case jsonObjectWithKeys([String])
        /// Exit status 0.
        case succeeds
    }

    /// The README's structured-output examples name files of the reader's; the fixtures hold one of each
    /// (`person.json` is `schemas.json`'s "person").
    static let person = ("person.json", "Tests/Fixtures/constrained/person.json")
    static let arithmetic = ("arithmetic.gbnf", "Tests/Fixtures/constrained/grammars/arithmetic.gbnf")

    /// Real checkpoints cannot be downloaded here: `~/models/Qwen2.5-0.5B-Instruct` stands for a
    /// Hugging Face checkpoint folder, and the bundled nano-chat folder is one.
    static let checkpoint = ("~/models/Qwen2.5-0.5B-Instruct", "zoo/models/nano-chat")

    /// The README's command lines (continuations joined), each with its check.
    static let checks: [String: Check] = [
        #"scripts/setup.sh && swift run -c release zoo generate --manifest nano-chat --prompt "What is the capital of Japan?""#:
            .run(replace: [("scripts/setup.sh && swift run -c release zoo", "zoo")],
                 expect: .stdoutContains("The capital of Japan is Tokyo.")),
        #"zoo generate --manifest qwen2.5-0.5b-instruct --prompt "What is the capital of Japan?""#:
            .skip(reason: "needs the real Qwen2.5-0.5B-Instruct download",
                  coveredBy: "the same command on nano-chat, above; ManifestCommandTests (weights absent says where to put them)"),
        #"zoo generate --model DIR --ids 1,2,3 --max-tokens 20 --chain "top_k=20,top_p=0.8,temperature=0.7" --seed 5 --print-ids"#:
            .run(replace: [("--model DIR", "--model zoo/models/nano-chat")], expect: .succeeds),
        #"zoo generate --manifest nano-chat --prompt "Hi" --chain "dry(multiplier=0.8,base=1.75),min_p=0.05,temperature=0.9""#:
            .run(expect: .succeeds),
        "zoo eval --manifest NAME --task math|code|choice|chat|perplexity --data FILE [--format F] [--votes K]":
            .skip(reason: "a synopsis with placeholders", coveredBy: "EvalRegressionTests, EvalProtocolCommandTests"),
        "zoo eval --manifest NAME --protocol P --data FILE|DIR [--fewshot FILE|DIR] [--votes K] [--out results.jsonl [--resume]]":
            .skip(reason: "a synopsis with placeholders", coveredBy: "EvalProtocolCommandTests"),
        "zoo eval --manifest NAME --suite report --data-dir DIR":
            .skip(reason: "a synopsis with placeholders", coveredBy: "EvalProtocolCommandTests"),
        #"zoo generate --model ~/models/Qwen2.5-0.5B-Instruct --prompt "The capital of France is" --max-tokens 32"#:
            .run(replace: [checkpoint], expect: .succeeds),
        #"zoo generate --model ~/models/Qwen2.5-0.5B-Instruct --allow-special --max-tokens 64 --prompt $'<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n'"#:
            // nano-chat is too small to add reliably; the claim checked is that the special tokens are read as such.
            .run(replace: [checkpoint], expect: .succeeds),
        "zoo logits   --model ~/models/Qwen2.5-0.5B-Instruct --ids 9707,1879          # {\"logits\": [[…], […]]}":
            // The ids are Qwen2.5's "Hello world"; nano-chat's vocabulary is smaller, so two of its own ids.
            .run(replace: [checkpoint, ("9707,1879", "39,1441")], expect: .jsonRows(key: "logits", rows: 2)),
        #"echo -n "Hello world" | zoo tokenize --tokenizer ~/models/Qwen2.5-0.5B-Instruct  # [9707, 1879]"#:
            // Qwen2.5's tokenizer.json holds the same byte-level BPE as qwen.tiktoken.
            .run(replace: [("~/models/Qwen2.5-0.5B-Instruct", "Tests/Fixtures/vocab/qwen.tiktoken")],
                 expect: .stdoutJSON("[9707, 1879]")),
        #"echo "[9707, 1879]" | zoo detokenize --tokenizer Tests/Fixtures/vocab/qwen.tiktoken"#:
            .run(expect: .stdoutContains("Hello world")),
        "zoo bench    --model ~/models/Qwen2.5-0.5B-Instruct --threads 2                  # prefill/decode tokens/s":
            .run(replace: [checkpoint, ("--threads 2", "--threads 2 --prompt-tokens 32 --decode-tokens 4 --repeat 1")],
                 expect: .stdoutContains("tokens/s")),
        "zoo pull qwen2.5-0.5b-instruct":
            .skip(reason: "needs the Hugging Face Hub (tests are loopback-only)",
                  coveredBy: "PullCommandTests (a loopback Hub: the cache layout, resumed and checked transfers, gated repositories)"),
        "zoo serve --manifest nano-chat --manifest nano-code [--host 127.0.0.1] [--port 8080]":
            .skip(reason: "a synopsis with optional arguments; the server runs until stopped",
                  coveredBy: "ServeAcceptanceTests (scripts/serve_acceptance.py starts zoo serve with the nano manifests)"),
        "zoo render --manifest qwen2.5-0.5b-instruct --messages conversation.json --tools tools.json":
            .skip(reason: "needs the real Qwen2.5-0.5B-Instruct tokenizer and files of the reader's",
                  coveredBy: "ToolCommandTests/testRenderPrintsTheTemplateIDs (the Qwen2.5 template over the full Qwen2.5 tokenizer, against transformers)"),
        #"zoo generate --manifest nano-chat --prompt "Give a person as JSON" --json-schema person.json"#:
            .run(replace: [person], expect: .jsonObjectWithKeys(["name", "age"])),
        #"zoo generate --manifest nano-chat --prompt "Yes or no?" --choice yes,no"#:
            .run(expect: .stdoutMatches("yes|no")),
        #"zoo generate --manifest nano-base --prompt "Date:" --regex '\d{4}-\d{2}-\d{2}' --chain "temperature=0.8""#:
            .run(expect: .stdoutMatches(#"[0-9]{4}-[0-9]{2}-[0-9]{2}"#)),
        #"zoo generate --manifest nano-chat --prompt "2+2=" --grammar arithmetic.gbnf"#:
            // The grammar's nesting is not regular; its characters are. ConstrainedValidityTests parses such output with Lark.
            .run(replace: [arithmetic], expect: .stdoutMatches(#"[-0-9+*/(). ]+"#)),
        "zoo grammar --json-schema person.json                 # prints the GBNF the schema becomes":
            .run(replace: [person], expect: .stdoutContains("root ::= ")),
    ]

    /// The README's shell examples: 4-space-indented lines that run `zoo`, `\\` continuations joined
    /// (a synopsis wrapped without one is keyed by its first line).
    static func readmeCommands() throws -> [String] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var commands: [String] = []
        var pending: String?
        for line in text.components(separatedBy: "\n") {
            guard line.hasPrefix("    ") else { pending = nil; continue }
            let body = line.trimmingCharacters(in: .whitespaces)
            if let start = pending {
                let joined = start + " " + body
                if body.hasSuffix("\\") { pending = String(joined.dropLast()).trimmingCharacters(in: .whitespaces) }
                else { commands.append(joined); pending = nil }
                continue
            }
            guard body.hasPrefix("zoo ") || body.contains("| zoo ") || body.contains(" zoo generate") else { continue }
            if body.hasSuffix("\\") { pending = String(body.dropLast()).trimmingCharacters(in: .whitespaces) }
            else { commands.append(body) }
        }
        return commands
    }

    func testEveryReadmeCommandIsCheckedOrListed() throws {
        let commands = try Self.readmeCommands()
        XCTAssertGreaterThanOrEqual(commands.count, 10, "the README's examples were not found")
        let unlisted = commands.filter { Self.checks[$0] == nil }
        XCTAssertEqual(unlisted, [], "README commands with no check: add each to ReadmeExampleTests.checks")
        let stale = Set(Self.checks.keys).subtracting(commands)
        XCTAssertEqual(stale.sorted(), [], "checks for commands the README no longer shows")
    }

    func testReadmeCommandsDoWhatTheReadmeSays() throws {
        for command in try Self.readmeCommands() {
            guard case .run(let replacements, let expectation)? = Self.checks[command] else { continue }
            var line = command
            if let hash = line.range(of: "  # ") ?? line.range(of: " # ") { line = String(line[..<hash.lowerBound]) }
            for (from, to) in replacements { line = line.replacingOccurrences(of: from, with: to) }
            let output = try Self.shell(line)
            let context = "README: \(command)\nran: \(line)\nstderr: \(output.stderr)"
            XCTAssertEqual(output.status, 0, context)
            switch expectation {
            case .succeeds:
                break
            case .stdoutContains(let text):
                XCTAssertTrue(output.stdout.contains(text), "stdout \(output.stdout.debugDescription)\n\(context)")
            case .stdoutJSON(let json):
                let got = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? NSArray
                let want = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSArray
                XCTAssertEqual(got, want, "stdout \(output.stdout.debugDescription)\n\(context)")
            case .stdoutMatches(let pattern):
                var text = Substring(output.stdout)
                while text.hasSuffix("\n") { text = text.dropLast() }
                XCTAssertNotNil(String(text).range(of: "^(?:\(pattern))$", options: .regularExpression), "stdout \(output.stdout.debugDescription)\n\(context)")
            case .jsonObjectWithKeys(let keys):
                let object = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
                XCTAssertEqual(keys.filter { object?[$0] == nil }, [], "stdout \(output.stdout.debugDescription)\n\(context)")
            case .jsonRows(let key, let rows):
                let object = try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
                XCTAssertEqual((object?[key] as? [[Any]])?.count, rows, "stdout starts \(output.stdout.prefix(80))\n\(context)")
            }
        }
    }

    /// Runs `line` in bash at the repository root with the built `zoo` first on `PATH`.
    static func shell(_ line: String) throws -> ZooProcess.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", line]
        process.currentDirectoryURL = Fixtures.repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = ZooProcess.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = error.fileHandleForReading.readDataToEndOfFile() }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ZooProcess.Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                 stderr: String(decoding: errData, as: UTF8.self))
    }
}
