import ArgumentParser
import Foundation
import QwenZoo

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a receipt (from zoo generate --receipt) again and check that the output is identical.")

    @Argument(help: "The receipt file.")
    var receipt: String

    func run() throws {
        try reportingErrors {
            let receipt = try Receipt.read(from: URL(fileURLWithPath: self.receipt))
            let replayed = try receipt.replay()
            if replayed == receipt.outputIDs {
                StandardIO.write("identical: \(replayed.count) tokens, seed \(receipt.seed), chain \"\(receipt.chain)\"\n")
            } else {
                let index = zip(replayed, receipt.outputIDs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    ?? min(replayed.count, receipt.outputIDs.count)
                throw ReplayError(message: "the replay differs from token \(index) on: receipt \(StandardIO.json(receipt.outputIDs)), replay \(StandardIO.json(replayed))")
            }
        }
    }
}
