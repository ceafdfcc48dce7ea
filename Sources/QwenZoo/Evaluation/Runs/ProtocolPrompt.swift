import Foundation
import ZooCore

/// The prompt a protocol sends for one item: its text (as Qwen's script builds it), its token ids and stops.
struct ProtocolPrompt: Sendable {
    var text: String
    var plan: PromptPlan

    /// Qwen's `model.chat(tokenizer, question, history=None)`: ChatML with the default system prompt
    /// `You are a helpful assistant.`, the question as the user turn; stops on `<|im_end|>` and `<|endoftext|>`.
    static func chat(_ user: String, zoo: LoadedModel) throws -> ProtocolPrompt {
        let tokenizer = zoo.tokenizer
        guard let end = tokenizer.specialTokenID("<|im_end|>"), let tokens = chatTokens(user, tokenizer: tokenizer) else {
            throw EvaluationError("a chat protocol needs a ChatML tokenizer (<|im_start|>, <|im_end|>); \(zoo.manifest.name) has none")
        }
        var stops: Set<Int> = [end]
        if let eot = tokenizer.specialTokenID("<|endoftext|>") { stops.insert(eot) }
        let text = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n\(user)<|im_end|>\n<|im_start|>assistant\n"
        return ProtocolPrompt(text: text, plan: PromptPlan(tokens: tokens, stopTokenIDs: stops.union(Set(zoo.manifest.stop.ids))))
    }

    /// The ids of Qwen's `make_context(tokenizer, user, system="You are a helpful assistant.")`: each role line
    /// encoded as text between `<|im_start|>` and `<|im_end|>`; nil without those tokens.
    static func chatTokens(_ user: String, tokenizer: any Tokenizer) -> [Int]? {
        guard let start = tokenizer.specialTokenID("<|im_start|>"), let end = tokenizer.specialTokenID("<|im_end|>") else { return nil }
        let nl = tokenizer.encode("\n", specialTokens: .asText)
        return [start] + tokenizer.encode("system\nYou are a helpful assistant.", specialTokens: .asText) + [end] + nl
            + [start] + tokenizer.encode("user\n" + user, specialTokens: .asText) + [end] + nl
            + [start] + tokenizer.encode("assistant\n", specialTokens: .asText)
    }

    /// A base-model prompt continued as plain text, stopping on `<|endoftext|>` and at the first of `cuts`
    /// (the script cuts its output there, so stopping early changes nothing).
    static func completion(_ text: String, cuts: [String], zoo: LoadedModel) -> ProtocolPrompt {
        var stops = Set(zoo.manifest.stop.ids)
        if let eot = zoo.tokenizer.specialTokenID("<|endoftext|>") { stops.insert(eot) }
        let tokens = zoo.tokenizer.encode(text, specialTokens: .asText)
        return ProtocolPrompt(text: text, plan: PromptPlan(tokens: tokens, stopTokenIDs: stops, stopStrings: cuts.filter { $0 != "<|endoftext|>" }))
    }
}
