import ArgumentParser
import Foundation
import QwenZoo

struct Logits: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one forward pass; print {\"logits\": [[…], …]}, a row for every input position.")

    @Option(help: "A Hugging Face checkpoint directory (config.json + safetensors).")
    var model: String?

    @OptionGroup var manifestArguments: ManifestArguments

    @Option(help: "Comma-separated token ids, e.g. 1,2,3.")
    var ids: String

    @OptionGroup var threads: ThreadsArgument

    func validate() throws {
        guard (model == nil) != (manifestArguments.manifest == nil) else {
            throw ValidationError("give exactly one of --model and --manifest")
        }
    }

    func run() throws {
        try reportingErrors {
            let ids = try StandardIO.parseIDs(self.ids, option: "--ids")
            threads.apply()
            let model = try manifestArguments.resolve().map { try LoadedModel.load($0.manifest).model }
                ?? Zoo.loadModel(directory: URL(fileURLWithPath: self.model!))
            let logits = try model.forward(ids, cache: model.makeCache(capacity: ids.count), logits: .all)
            var out = "{\"logits\": ["
            out.reserveCapacity(logits.values.count * 12)
            for row in 0..<logits.rows {
                if row > 0 { out += ", " }
                out += "["
                var first = true
                for value in logits[row] {
                    if !first { out += ", " }
                    first = false
                    out += value.isFinite ? "\(value)" : "null"
                }
                out += "]"
            }
            out += "]}\n"
            StandardIO.write(out)
        }
    }
}
