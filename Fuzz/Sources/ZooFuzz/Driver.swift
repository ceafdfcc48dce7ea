import Foundation

/// A fuzz target: takes one input; throwing is fine (a rejected input), crashing is a finding.
typealias FuzzTarget = @Sendable ([UInt8]) throws -> Void

/// Every target, by the name `scripts/fuzz.sh` and `ZOO_FUZZ_TARGET` use.
let targets: [String: FuzzTarget] = [
    "safetensors-header": ModelFileTargets.safetensorsHeader,
    "safetensors-index": ModelFileTargets.safetensorsIndex,
    "gguf": ModelFileTargets.gguf,
    "config": ModelFileTargets.config,
    "tiktoken": TokenizerTargets.tiktoken,
    "tokenizer-json": TokenizerTargets.tokenizerJSON,
    "vocab-merges": TokenizerTargets.vocabMerges,
    "tokenizer-roundtrip": TokenizerTargets.roundtrip,
    "manifest": ZooTargets.manifest,
    "chain": ZooTargets.chain,
    "prompt-cache": ZooTargets.promptCache,
    "receipt": ZooTargets.receipt,
    "grammar": GrammarTargets.gbnf,
    "json-schema": GrammarTargets.jsonSchema,
    "regex": GrammarTargets.regex,
    "json": ToolTargets.json,
    "tool-calls": ToolTargets.toolCalls,
]

/// The target `ZOO_FUZZ_TARGET` names; an unknown name stops the program with the list.
let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ZOO_FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        let names = targets.keys.sorted().joined(separator: " ")
        FileHandle.standardError.write(Data("zoo-fuzz: set ZOO_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's start-up hook: picks the target before the first input.
@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutableRawPointer?) -> Int32 {
    _ = selected
    return 0
}

/// libFuzzer's entry point (its own `main` drives the run): one input to the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do { try selected(input) } catch {}
    return 0
}

/// Stops the run with a message: an input broke a property the parsers promise.
func violated(_ message: String) -> Never {
    FileHandle.standardError.write(Data("zoo-fuzz: property violated: \(message)\n".utf8))
    abort()
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The program's `main`: SwiftPM links an executable target's entry as `<module>_main`, which
/// with -parse-as-library has to be written out; it hands the run to libFuzzer.
@_cdecl("zoo_fuzz_main")
func zooFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    if let folder = ProcessInfo.processInfo.environment["ZOO_FUZZ_MAKE_SEEDS"] {
        do { try ZooTargets.makeSeeds(in: URL(fileURLWithPath: folder)) } catch { violated("making seeds: \(error)") }
        return 0
    }
    try? selected([])  // loads what a target keeps (a model, a tokenizer) before libFuzzer's timer runs
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { fuzzerTestOneInput($0, $1) }
}
