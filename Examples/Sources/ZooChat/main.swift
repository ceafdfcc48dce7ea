// zoo-chat: a command-line chat with any manifest of the zoo.
//   swift run --package-path Examples zoo-chat [MANIFEST] [KEY=VALUE…]
// MANIFEST defaults to the bundled nano-chat (trained here; the tiny-* manifests are random fixtures); KEY=VALUE pairs override the manifest.
import Foundation
import QwenZoo

/// A sampler stage of the app's own: never repeat the previous token. Registered under a name,
/// manifests use it like a built-in stage: `sampler: [no_repeat, top_k: 20]`.
struct NoRepeat: SamplerStage {
    let name = "no_repeat"
    mutating func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
        if let last = context.generated.last { candidates.mask([last]) }
    }
}
ZooComponents.shared.samplerStages.register("no_repeat") { options in
    try options.rejectUnknownKeys(allowed: [])
    return NoRepeat()
}

let arguments = CommandLine.arguments.dropFirst()
let name = arguments.first ?? "nano-chat"
// Manifests are looked up in $QWENZOO_PATH, ./zoo, then the zoo/ folder of this repository.
let repositoryZoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../zoo").standardizedFileURL
let model = try await Zoo.model(
    named: name, overrides: Array(arguments.dropFirst()),
    searchPaths: ManifestLoader.defaultSearchPaths + [repositoryZoo]
) { progress in
    if progress.stage == .ready { FileHandle.standardError.write(Data("loaded \(name)\n".utf8)) }
}

let chat = model.chat()
print("Chatting with \(model.manifest.name). An empty line or the end of input quits.")
while let line = readLine(), !line.isEmpty {
    print("you: \(line)\nbot: ", terminator: "")
    for try await event in chat.respond(to: line) {
        switch event {
        case .text(let chunk):
            print(chunk, terminator: "")
            fflush(nil)  // show each chunk as it arrives
        case .token:
            break
        case .done(let response):
            let u = response.usage, ttft = response.timing.timeToFirstToken
            print("\n[\(u.generatedTokens) tokens, \(u.cachedPromptTokens)/\(u.promptTokens) prompt tokens cached, first token after \(ttft.formatted(.units(allowed: [.milliseconds])))]")
        }
    }
}
