import ZooCore

extension LoadedModel {
    /// The plan for a prompt given as ids, bypassing the variant: the manifest's stops and
    /// (unless `stop.eos` is false) the checkpoint's end-of-sequence ids, as ``plan(_:)`` adds
    /// them to a rendered prompt. `zoo generate --ids` and the server's token-id prompts use it.
    public func plan(promptIDs: [Int]) -> PromptPlan {
        var stops = Set(manifest.stop.ids)
        if manifest.stop.endOfSequence { stops.formUnion(model.endOfSequenceIDs) }
        return PromptPlan(tokens: promptIDs, stopTokenIDs: stops, stopStrings: manifest.stop.strings)
    }
}
