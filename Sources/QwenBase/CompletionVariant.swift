import ZooCore

/// Qwen base models: plain text completion.
///
/// The prompt is encoded with special-token strings as ordinary text (a `<|endoftext|>` typed in a prompt stays
/// text); generation stops at `<|endoftext|>` (the base models' `eos_token_id`) and at any of the `stop_strings`.
///
/// Options: `stop_strings` (a list of strings; default none).
public struct CompletionVariant: Variant {
    public static let optionKeys = ["stop_strings"]

    public var stopStrings: [String]

    public init(stopStrings: [String] = []) {
        self.stopStrings = stopStrings
    }

    public init(options: ComponentOptions) throws {
        try options.rejectUnknownKeys(allowed: Self.optionKeys)
        var strings: [String] = []
        for (index, value) in (try options.list("stop_strings") ?? []).enumerated() {
            guard case .string(let s) = value, !s.isEmpty else {
                throw options.error("stop_strings[\(index)]", "expected a non-empty string, found \(value.typeName)")
            }
            strings.append(s)
        }
        self.init(stopStrings: strings)
    }

    public func prepare(_ request: VariantRequest, tokenizer: any Tokenizer) throws -> PromptPlan {
        guard case .completion(let text) = request else {
            throw UnsupportedRequestError(
                variant: QwenBaseVariant.name,
                message: "a base model continues text; \(request.kind) requests need the chat, code or math variant")
        }
        guard let endOfText = tokenizer.specialTokenID("<|endoftext|>") else {
            throw UnsupportedRequestError(
                variant: QwenBaseVariant.name, message: "the tokenizer has no <|endoftext|> token to stop on")
        }
        return PromptPlan(
            tokens: tokenizer.encode(text, specialTokens: .asText), stopTokenIDs: [endOfText], stopStrings: stopStrings)
    }

    /// The text as generated, cut before the first stop string should the caller not have done so.
    public func interpret(_ generated: String, for request: VariantRequest) -> VariantOutput {
        .text(cutAtFirst(of: stopStrings, in: generated))
    }
}

/// Registration of the base variant under the name manifests use.
public enum QwenBaseVariant {
    public static let name = "base"

    public static func register(into registry: Registry<VariantFactory>) {
        registry.register(name) { options in try CompletionVariant(options: options) }
    }
}
