import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

// README.md, "Extending QwenZoo": the snippet as printed there (testSwiftSnippetsAreTheReadmes checks
// that its lines are these), compiled here and run by testShoutVariantFromAManifest.
struct Shout: Variant {
    func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
        guard case .completion(let text) = request else {
            throw UnsupportedRequestError(variant: "shout", message: "only completions")
        }
        return PromptPlan(tokens: tokenizer.encode(text.uppercased()), stopTokenIDs: [])
    }
    func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput { .text(generated.uppercased()) }
}

/// The Swift snippets of README.md compile (they are in this file, line for line) and do what the
/// README says when they run on the bundled nano models.
final class ReadmeSnippetTests: XCTestCase {
    static let root = Fixtures.repositoryRoot

    func testLibrarySnippetAnswers() async throws {
        // `Zoo.model(named:)` looks in $QWENZOO_PATH, then ./zoo: run where the repository's zoo/ is.
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Self.root.path))
        var printed = ""
        func print(_ text: String, terminator: String) { printed += text + terminator }

        let model = try await Zoo.model(named: "nano-chat")       // looked up like `zoo --manifest`
        let chat = model.chat()
        for try await event in chat.respond(to: "What is the capital of Japan?") {
            if case .text(let chunk) = event { print(chunk, terminator: "") }
        }
        XCTAssertEqual(printed, "The capital of Japan is Tokyo.")
    }

    func testShoutVariantFromAManifest() throws {
        ZooComponents.shared.variants.register("shout") { _ in Shout() }   // then `variant: shout` in a manifest
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("loud.yaml")
        try Data("weights: {path: \(Self.root.path)/zoo/models/nano-base}\nvariant: shout\nmax_tokens: 4\n".utf8).write(to: file)
        let zoo = try LoadedModel.load(try ManifestLoader(searchPaths: [dir]).load(file.path).manifest)
        let completion = try zoo.generate(.completion("the cat"))
        XCTAssertEqual(completion.promptTokens, zoo.tokenizer.encode("THE CAT"), "the prompt is upper-cased")
        guard case .text(let text) = completion.output else { return XCTFail("expected text, got \(completion.output)") }
        XCTAssertEqual(text, text.uppercased(), "the output is upper-cased")
        XCTAssertThrowsError(try zoo.generate(.chat([ChatMessage(.user, "hi")]))) {
            XCTAssertTrue("\($0)".contains("only completions"), "\($0)")
        }
    }

    /// "The same goes for tokenizer kinds": an app's kind, named in a manifest, builds the tokenizer.
    func testAnAppTokenizerKindFromAManifest() throws {
        let built = Counter()
        ZooComponents.shared.tokenizers.register("app-tokenizer") { url, options in
            built.add()
            return try ZooComponents.shared.tokenizers.factory("hf")(url, options)
        }
        let dir = try Fixtures.temporaryDirectory()
        let file = dir.appendingPathComponent("app.yaml")
        let weights = "\(Self.root.path)/zoo/models/nano-chat"
        try Data("weights: {path: \(weights)}\ntokenizer: {kind: app-tokenizer, path: \(weights)}\nvariant: {name: chat}\n".utf8)
            .write(to: file)
        let zoo = try LoadedModel.load(try ManifestLoader(searchPaths: [dir]).load(file.path).manifest)
        XCTAssertEqual(built.value, 1)
        XCTAssertEqual(zoo.tokenizer.encode("Hello"), try Zoo.loadTokenizer(path: URL(fileURLWithPath: weights)).encode("Hello"))
    }

    /// Each ```swift block of README.md is in this file line for line (in order, other lines between),
    /// so the tests above compile and run what the README prints. The Package.swift fragment names
    /// the library product this package declares (the Examples package depends on it the same way).
    func testSwiftSnippetsAreTheReadmes() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let here = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
            .components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let blocks = readme.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        XCTAssertEqual(blocks.count, 3, "the README's Swift snippets: Package.swift, the library, Shout")
        for block in blocks {
            let lines = block.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if lines.first == "// Package.swift of your app" {
                XCTAssertTrue(block.contains(#".product(name: "QwenZoo", package: "QwenZoo")"#), block)
                let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
                XCTAssertTrue(manifest.contains(#"name: "QwenZoo","#) && manifest.contains(#".library(name: "QwenZoo""#))
                continue
            }
            var position = here.startIndex
            for line in lines {
                guard let found = here[position...].firstIndex(of: line) else {
                    XCTFail("README snippet line not in ReadmeSnippetTests.swift (in order): \(line)")
                    break
                }
                position = here.index(after: found)
            }
        }
    }
}

/// Counts calls from a factory closure.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
